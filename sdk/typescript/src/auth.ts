import { RewardsProblemError } from "./problem.js";
import { withRetries, type FetchLike, type RetryOptions } from "./retry.js";

/** Where the client's bearer tokens come from. `forceRefresh` asks for a new one (after a 401). */
export interface TokenSource {
  token(options?: { forceRefresh?: boolean }): Promise<string>;
  /** `false` for a fixed token: a 401 is then final (no second try with the same token). */
  readonly renewable?: boolean;
}

/** An access token and when it expires. */
export interface AccessToken {
  accessToken: string;
  /** Unix time in ms. */
  expiresAt: number;
}

export interface ClientCredentialsOptions {
  /** The API's base URL, e.g. `https://rewards.example.com`; tokens come from `<baseUrl>/connect/token`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for; default: every scope of the client. */
  scope?: string;
  /** Renew this long before expiry (default 60 s, at most half the token's lifetime). */
  refreshBeforeExpiryMs?: number;
  fetch?: typeof globalThis.fetch;
  retry?: RetryOptions | false;
  /** The clock (tests). */
  now?: () => number;
}

/** A program client's credentials: its own tokens (renewed before they expire) and member tokens for apps. */
export interface ClientCredentials extends TokenSource {
  /**
   * Mints a token for one member (the `urn:rewards:grant-type:member` grant; the client needs `rewards.activities`) for the
   * brand's backend to hand to that member's app. The app then reads only that member's routes and the program's boards.
   */
  memberToken(memberId: string): Promise<AccessToken>;
}

/**
 * Client-credentials tokens for a server-side caller (brand backend, operator tooling): fetched on first use, shared by
 * concurrent calls, renewed shortly before expiry, and anew when the API answers 401.
 *
 * @example
 * const credentials = clientCredentials({ baseUrl, clientId: "rc_…", clientSecret: process.env.REWARDS_SECRET! });
 * const rewards = createRewardsClient({ baseUrl, auth: credentials });
 * const alice = await credentials.memberToken("alice"); // hand alice.accessToken to Alice's app
 */
export function clientCredentials(options: ClientCredentialsOptions): ClientCredentials {
  const now = options.now ?? Date.now;
  const post = tokenPoster(options.baseUrl, options.fetch, options.retry);
  const credentials = { client_id: options.clientId, client_secret: options.clientSecret };
  const own = cachedToken(
    () =>
      post({ grant_type: "client_credentials", ...credentials, ...(options.scope ? { scope: options.scope } : {}) }, now),
    now,
    options.refreshBeforeExpiryMs,
  );
  return {
    token: own,
    memberToken: (memberId) => post({ grant_type: "urn:rewards:grant-type:member", ...credentials, member_id: memberId }, now),
  };
}

export interface MemberTokenOptions {
  /**
   * Gets a fresh member token, usually from the brand's own backend (which calls `memberToken(memberId)` of its
   * client credentials). A plain string is read as a JWT for its `exp`.
   */
  fetchToken: () => Promise<AccessToken | string>;
  /** A token already at hand (e.g. rendered into the page), used until it expires. */
  initialToken?: AccessToken | string;
  refreshBeforeExpiryMs?: number;
  now?: () => number;
}

/**
 * Member tokens for an app: asks `fetchToken` (the brand backend) for a new one when the current one is about to expire
 * or the API answered 401 (e.g. the member was suspended and reinstated), so the app never holds the backend's secret.
 *
 * @example
 * const rewards = createRewardsClient({
 *   baseUrl,
 *   auth: memberToken({ fetchToken: () => fetch("/api/rewards-token").then((r) => r.json()) }),
 * });
 */
export function memberToken(options: MemberTokenOptions): TokenSource {
  const now = options.now ?? Date.now;
  const get = async (): Promise<AccessToken> => normalise(await options.fetchToken(), now);
  return {
    token: cachedToken(get, now, options.refreshBeforeExpiryMs, options.initialToken && normalise(options.initialToken, now)),
  };
}

/**
 * A fixed token (scripts, tests): never renewed, so a 401 is final.
 *
 * @example
 * const rewards = createRewardsClient({ baseUrl, auth: staticToken(process.env.REWARDS_TOKEN!) }); // same as auth: "…"
 */
export function staticToken(token: string): TokenSource {
  return { token: async () => token, renewable: false };
}

function normalise(token: AccessToken | string, now: () => number): AccessToken {
  if (typeof token !== "string") return token;
  return { accessToken: token, expiresAt: jwtExpiry(token) ?? now() + 60_000 };
}

/**
 * The `exp` of a JWT in ms, without checking anything (the API checks).
 *
 * @example
 * const expiresAt = jwtExpiry(accessToken) ?? Date.now() + 60_000;
 */
export function jwtExpiry(jwt: string): number | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown };
    return typeof json.exp === "number" ? json.exp * 1_000 : undefined;
  } catch {
    return undefined;
  }
}

function cachedToken(
  get: () => Promise<AccessToken>,
  now: () => number,
  refreshBeforeExpiryMs = 60_000,
  initial?: AccessToken | "" | undefined,
): TokenSource["token"] {
  let current: { token: AccessToken; renewAt: number } | undefined = initial ? withRenewal(initial) : undefined;
  let pending: Promise<AccessToken> | undefined;

  function withRenewal(token: AccessToken) {
    const lifetime = Math.max(0, token.expiresAt - now());
    return { token, renewAt: token.expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2) };
  }

  return async ({ forceRefresh = false } = {}) => {
    if (!forceRefresh && current && now() < current.renewAt) return current.token.accessToken;
    // One request for every caller waiting at the same time.
    pending ??= get().then(
      (token) => {
        current = withRenewal(token);
        pending = undefined;
        return token;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return (await pending).accessToken;
  };
}

function tokenPoster(baseUrl: string, fetchImpl = globalThis.fetch, retry?: RetryOptions | false) {
  const url = `${baseUrl.replace(/\/+$/, "")}/connect/token`;
  const send: FetchLike = (request) => fetchImpl(request);
  const fetchToken = retry === false ? send : withRetries(send, retry);
  return async (form: Record<string, string>, now: () => number): Promise<AccessToken> => {
    const response = await fetchToken(
      new Request(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams(form).toString(),
      }),
    );
    if (!response.ok) throw await RewardsProblemError.fromResponse(response);
    const body = (await response.json()) as { access_token: string; expires_in?: number };
    return { accessToken: body.access_token, expiresAt: now() + (body.expires_in ?? 60) * 1_000 };
  };
}
