/** A fetch function as the SDK's layers use it: one Request in, one Response out. */
export type FetchLike = (request: Request) => Promise<Response>;

/** How failed calls are retried: network errors, 5xx and 429 answers. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retrying off). */
  retries?: number;
  /** First backoff step without `Retry-After` (default 250 ms); it doubles per retry, with jitter. */
  baseDelayMs?: number;
  /** Largest backoff step without `Retry-After` (default 5,000 ms). */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` honoured (default 30,000 ms): an answer asking to wait longer is returned as it is
   * (and surfaces as a RewardsProblemError) instead of holding the caller.
   */
  maxRetryAfterMs?: number;
  /** The random source of the jitter (tests). */
  random?: () => number;
  /** Waits (tests). */
  sleep?: (ms: number, signal?: AbortSignal | null) => Promise<void>;
}

const defaults = { retries: 3, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

/**
 * Wraps a fetch so that network errors, 5xx and 429 answers are retried (network errors and 5xx only where `mayRepeat`
 * says the request is safe to send again), at most `retries` times, waiting what
 * `Retry-After` asks (plus up to 10 % jitter) or an exponential backoff with jitter. Each attempt sends a clone of the
 * original request, so a write's body and its `Idempotency-Key` are the same on every attempt. An aborted request is not retried.
 *
 * @example
 * const fetchWithRetries = withRetries((r) => fetch(r), { retries: 5 });
 */
export function withRetries(
  inner: FetchLike,
  options: RetryOptions = {},
  /** Whether a network error or 5xx may be retried for this request (the API might have done the work); 429 always may. */
  mayRepeat: (request: Request) => boolean = () => true,
): FetchLike {
  const retries = options.retries ?? defaults.retries;
  const base = options.baseDelayMs ?? defaults.baseDelayMs;
  const max = options.maxDelayMs ?? defaults.maxDelayMs;
  const maxRetryAfter = options.maxRetryAfterMs ?? defaults.maxRetryAfterMs;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;

  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let response: Response;
      try {
        response = await inner(last ? request : request.clone());
      } catch (error) {
        if (last || request.signal?.aborted || isAbort(error) || !mayRepeat(request)) throw error;
        await sleep(backoff(attempt), request.signal);
        continue;
      }
      if (last || !(response.status === 429 || (response.status >= 500 && mayRepeat(request)))) return response;
      const retryAfter = retryAfterMs(response.headers.get("retry-after"));
      if (retryAfter !== undefined && retryAfter > maxRetryAfter) return response;
      // Discard the body so that the connection can be reused.
      await response.body?.cancel().catch(() => {});
      const wait = retryAfter !== undefined ? retryAfter + random() * Math.min(retryAfter * 0.1, 1_000) : backoff(attempt);
      await sleep(wait, request.signal);
    }
  };

  function backoff(attempt: number): number {
    const step = Math.min(max, base * 2 ** attempt);
    return step / 2 + random() * (step / 2); // "equal jitter": never near zero, never above the step
  }
}

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP date; undefined when absent or unreadable.
 *
 * @example
 * retryAfterMs(response.headers.get("retry-after")); // "3" → 3000
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

export function abortableSleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
