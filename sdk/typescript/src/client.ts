import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./generated/rewards.v1.js";
import { staticToken, type TokenSource } from "./auth.js";
import { RewardsProblemError } from "./problem.js";
import { withRetries, type FetchLike, type RetryOptions } from "./retry.js";
import { subscribeEvents, type EventStreamOptions, type EventSubscription } from "./sse.js";

/** The header that makes a write safe to retry: the API answers a repeated key with the original answer. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

type WithOptionalIdempotencyKey<Op> = Op extends { parameters: { header: infer H } }
  ? "Idempotency-Key" extends keyof H
    ? Omit<Op, "parameters"> & {
        parameters: Omit<Op["parameters"], "header"> & {
          header?: Omit<H, "Idempotency-Key"> & { "Idempotency-Key"?: string };
        };
      }
    : Op
  : Op;

/**
 * The API's paths as generated from `openapi/rewards.v1.json`, except that an operation's `Idempotency-Key` header is
 * optional: the client supplies one per write when the caller gives none.
 */
export type RewardsPaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: WithOptionalIdempotencyKey<paths[P][M]> };
};

export interface RewardsClientOptions {
  /** The API's base URL, e.g. `https://rewards.example.com` (no `/v1`). */
  baseUrl: string;
  /** Bearer tokens: `clientCredentials(...)` on a server, `memberToken(...)` in an app, or a fixed token string. */
  auth?: TokenSource | string;
  /** Retries of network errors, 5xx and 429 (default 3 retries); `false` turns them off. */
  retry?: RetryOptions | false;
  /** The fetch to send requests with (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Makes the idempotency keys of writes (default: `crypto.randomUUID()`). */
  idempotencyKey?: () => string;
}

/** The typed client (openapi-fetch over the API's paths) plus the live event streams. */
export interface RewardsClient extends Client<RewardsPaths> {
  /**
   * Opens the live stream of one member's events (member token for that member, or `rewards.read`), reconnecting with
   * `Last-Event-ID` after a drop.
   *
   * @example
   * const sub = rewards.streamMemberEvents("acme", "me", { onEvent: (e) => console.log(e.type, e.data) });
   */
  streamMemberEvents(programId: string, memberId: string, options: EventStreamOptions): EventSubscription;
  /**
   * Opens the live stream of every event of a program (`rewards.read`).
   *
   * @example
   * const sub = rewards.streamProgramEvents("acme", { onEvent: showInFeed, onReset: reloadFeed });
   */
  streamProgramEvents(programId: string, options: EventStreamOptions): EventSubscription;
  /** The client's fetch with auth, idempotency keys and retries, for routes not (yet) in the document. */
  readonly fetch: FetchLike;
}

/**
 * Creates a client of the Rewards API. Every call is typed from the committed OpenAPI document; on the way it gets a
 * bearer token from `auth` (renewed once on a 401), an `Idempotency-Key` per write (kept across retries), and retries:
 * of 429 always (honouring `Retry-After`), of network errors and 5xx for reads, PUT, PATCH, DELETE and the writes the API
 * replays by key (`REPLAYABLE_OPERATIONS`), never for another POST (the API might have done it). Any answer that is not 2xx
 * is thrown as a `RewardsProblemError`.
 *
 * @example
 * const rewards = createRewardsClient({ baseUrl, auth: clientCredentials({ baseUrl, clientId, clientSecret }) });
 * const board = await ok(rewards.GET("/v1/programs/{programId}/leaderboards/{board}", {
 *   params: { path: { programId: "acme", board: "points" }, query: { window: "week" } },
 * }));
 */
export function createRewardsClient(options: RewardsClientOptions): RewardsClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const baseFetch = options.fetch ?? globalThis.fetch;
  const tokens = typeof options.auth === "string" ? staticToken(options.auth) : options.auth;
  const newKey = options.idempotencyKey ?? (() => globalThis.crypto.randomUUID());

  // Requests that may be sent again after a network error or a 5xx, though the API might have done the work already.
  const repeatable = new WeakSet<Request>();
  const mayRepeat = (request: Request) => repeatableMethods.has(request.method) || repeatable.has(request);
  const authenticated = withAuth((request) => baseFetch(request), tokens);
  const retrying = options.retry === false ? authenticated : withRetries(authenticated, options.retry, mayRepeat);
  const send: FetchLike = (request) => retrying(withIdempotencyKey(request, newKey));
  const throwing: FetchLike = async (request) => {
    const response = await send(request);
    if (!response.ok) throw await RewardsProblemError.fromResponse(response);
    return response;
  };

  const client = createClient<RewardsPaths>({ baseUrl, fetch: throwing });
  client.use({
    onRequest({ request, schemaPath }) {
      if (REPLAYABLE_OPERATIONS.has(`${request.method} ${schemaPath}`)) repeatable.add(request);
    },
  });
  const stream = (path: string, streamOptions: EventStreamOptions) =>
    subscribeEvents(authenticated, `${baseUrl}${path}`, streamOptions);
  const segment = encodeURIComponent;
  return Object.assign(client, {
    fetch: send,
    streamMemberEvents: (programId: string, memberId: string, o: EventStreamOptions) =>
      stream(`/v1/programs/${segment(programId)}/members/${segment(memberId)}/events/stream`, o),
    streamProgramEvents: (programId: string, o: EventStreamOptions) =>
      stream(`/v1/programs/${segment(programId)}/events/stream`, o),
  });
}

/**
 * The data of a call, whose answer the client has already checked (any non-2xx answer is thrown): saves the `data!`.
 *
 * @example
 * const member = await ok(rewards.GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId, memberId } } }));
 */
export async function ok<R extends { data?: unknown; error?: unknown; response: Response }>(
  call: Promise<R>,
): Promise<Exclude<R["data"], undefined>> {
  const result = await call;
  if (result.error !== undefined || !result.response.ok) {
    throw new RewardsProblemError({ status: result.response.status, title: result.response.statusText, extensions: { body: result.error } });
  }
  return result.data as Exclude<R["data"], undefined>;
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/** Idempotent by HTTP semantics (PATCH here is JSON Merge Patch: applying it twice gives the same result). */
const repeatableMethods = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]);

/**
 * The POST operations the API replays by idempotency key (the `Idempotency-Key` header, or each batch item's
 * `idempotencyKey`): sending one again after a lost answer does the work once. A test keeps this list in step with the
 * operations that declare the header in `openapi/rewards.v1.json`.
 */
export const REPLAYABLE_OPERATIONS: ReadonlySet<string> = new Set([
  "POST /v1/programs/{programId}/activities",
  "POST /v1/programs/{programId}/activities:batch",
]);

function withIdempotencyKey(request: Request, newKey: () => string): Request {
  if (safeMethods.has(request.method) || request.headers.has(IDEMPOTENCY_HEADER)) return request;
  request.headers.set(IDEMPOTENCY_HEADER, newKey());
  return request;
}

/** Adds the bearer token; on a 401 asks the source for a new token and sends the request once more. */
function withAuth(inner: FetchLike, tokens: TokenSource | undefined): FetchLike {
  if (!tokens) return inner;
  return async (request) => {
    const spare = request.clone();
    request.headers.set("Authorization", `Bearer ${await tokens.token()}`);
    const response = await inner(request);
    if (response.status !== 401 || tokens.renewable === false) return response;
    await response.body?.cancel().catch(() => {});
    spare.headers.set("Authorization", `Bearer ${await tokens.token({ forceRefresh: true })}`);
    return inner(spare);
  };
}
