/**
 * An error answer of the Rewards API (or of its token endpoint) as a typed error: the RFC 9457 problem details the API
 * sends (`type`, `title`, `status`, `detail`, `instance`, the validation `errors` of a 400, and any other member such as
 * `reason` or `retryAt` in `extensions`).
 *
 * @example
 * try {
 *   await rewards.POST("/v1/programs/{programId}/activities", { params: { path: { programId: "acme" } }, body });
 * } catch (e) {
 *   if (e instanceof RewardsProblemError && e.status === 422) console.log(e.detail); // "Activity type 'x' has no earning rule…"
 * }
 */
export class RewardsProblemError extends Error {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The problem type (a URI reference), when the answer had one. */
  readonly type: string | undefined;
  /** A short summary of the problem type; the HTTP reason phrase when the answer had no problem body. */
  readonly title: string | undefined;
  /** What went wrong with this request, in words meant for a developer. */
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  /** Field errors of a 400 validation problem: field name → messages. */
  readonly errors: Readonly<Record<string, readonly string[]>> | undefined;
  /** Every other member of the problem body (e.g. `reason`, `retryAt`, `traceId`; `error` for the token endpoint). */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** The answer's headers (e.g. `Retry-After`, `WWW-Authenticate`). */
  readonly headers: Headers;

  constructor(init: {
    status: number;
    type?: string | undefined;
    title?: string | undefined;
    detail?: string | undefined;
    instance?: string | undefined;
    errors?: Record<string, readonly string[]> | undefined;
    extensions?: Record<string, unknown>;
    headers?: Headers;
  }) {
    super(`${init.status}${init.title ? ` ${init.title}` : ""}${init.detail ? `: ${init.detail}` : ""}`);
    this.name = "RewardsProblemError";
    this.status = init.status;
    this.type = init.type;
    this.title = init.title;
    this.detail = init.detail;
    this.instance = init.instance;
    this.errors = init.errors;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? new Headers();
  }

  /**
   * Reads an error answer (consuming its body): a problem details body, an OAuth2 error body of the token endpoint
   * (`error`, `error_description`), or anything else (then title is the status text and detail the body's first 500 characters).
   *
   * @example
   * const response = await fetch(url);
   * if (!response.ok) throw await RewardsProblemError.fromResponse(response);
   */
  static async fromResponse(response: Response): Promise<RewardsProblemError> {
    let text = "";
    try {
      text = await response.text();
    } catch {
      // the body could not be read (connection dropped): the status still says what happened
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const headers = response.headers;
    if (body && typeof body === "object" && !Array.isArray(body)) {
      const { type, title, status, detail, instance, errors, ...rest } = body as Record<string, unknown>;
      if (typeof rest.error === "string" && title === undefined && detail === undefined) {
        // OAuth2 token endpoint error (RFC 6749 §5.2)
        const { error, error_description, ...others } = rest;
        return new RewardsProblemError({
          status: response.status,
          title: error as string,
          detail: typeof error_description === "string" ? error_description : undefined,
          extensions: { error, ...others },
          headers,
        });
      }
      return new RewardsProblemError({
        status: typeof status === "number" ? status : response.status,
        type: typeof type === "string" ? type : undefined,
        title: typeof title === "string" ? title : response.statusText || undefined,
        detail: typeof detail === "string" ? detail : undefined,
        instance: typeof instance === "string" ? instance : undefined,
        errors: isErrorMap(errors) ? errors : undefined,
        extensions: rest,
        headers,
      });
    }
    return new RewardsProblemError({
      status: response.status,
      title: response.statusText || undefined,
      detail: text ? text.slice(0, 500) : undefined,
      headers,
    });
  }
}

function isErrorMap(value: unknown): value is Record<string, string[]> {
  return (
    !!value &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === "string"))
  );
}
