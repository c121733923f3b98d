import { RewardsProblemError } from "./problem.js";
import { abortableSleep, retryAfterMs, type FetchLike } from "./retry.js";

/** One event of a live stream. */
export interface RewardsStreamEvent<T = unknown> {
  /** The event id (the program stream's id): what `Last-Event-ID` resumes from. */
  id: string | undefined;
  /** The SSE event name (`message` when the server named none). */
  type: string;
  /** The data, parsed as JSON when it is JSON, else the text. */
  data: T;
  /** The data as sent. */
  raw: string;
}

export interface EventStreamOptions {
  /**
   * Called for each event, in order; the next event waits for a returned promise. When it throws (or rejects), the error
   * goes to `onError` and the stream reconnects from the event before, so that event comes again (at least once).
   */
  onEvent: (event: RewardsStreamEvent) => void | Promise<void>;
  /**
   * Called for a `reset` event: the server no longer holds the events after the id this client resumed from (older than
   * the stream's retention), so the client must reload its state (e.g. re-read the leaderboard) instead of replaying.
   */
  onReset?: (event: RewardsStreamEvent) => void | Promise<void>;
  /** Called each time the stream is open (first connection and every reconnection). */
  onOpen?: (response: Response) => void;
  /** Called for each failed connection or dropped stream, before reconnecting (or before giving up, when fatal). */
  onError?: (error: unknown) => void;
  /** Resume after this event id (e.g. one stored before the app was closed). */
  lastEventId?: string;
  /** Stops the stream (as `close()` does). */
  signal?: AbortSignal;
  /** Reconnection delays: from `minDelayMs` (default 1,000, or the server's `retry:`) doubling up to `maxDelayMs` (default 30,000), with jitter. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
}

export interface EventSubscription {
  /** Stops the stream; no callback is called afterwards. */
  close(): void;
  /** The id of the last event handled (sent as `Last-Event-ID` on reconnection; final once `done` has settled). */
  readonly lastEventId: string | undefined;
  /** Settles when the stream stops: resolves after `close()`, rejects on an answer that reconnecting cannot fix (400, 401, 403, 404…). */
  readonly done: Promise<void>;
}

/**
 * Reads a Server-Sent Events stream with fetch (so it can send an `Authorization` header, which `EventSource` cannot):
 * reconnects after a drop with `Last-Event-ID`, honours the server's `retry:` and `Retry-After`, hands a `reset` event to
 * `onReset`, ignores heartbeats (comment lines), and takes an `end` event (the server dropping a client too slow to keep up)
 * as a drop: it reconnects and resumes. An answer other than 2xx, 429 or 5xx ends it with a RewardsProblemError.
 *
 * @example
 * const sub = subscribeEvents((r) => fetch(r), "http://localhost:5080/v1/programs/acme/events/stream", {
 *   onEvent: (e) => console.log(e.id, e.type, e.data),
 * });
 * // later: sub.close();
 */
export function subscribeEvents(fetchImpl: FetchLike, url: string, options: EventStreamOptions): EventSubscription {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const signal = controller.signal;
  const minDelay = options.reconnect?.minDelayMs ?? 1_000;
  const maxDelay = options.reconnect?.maxDelayMs ?? 30_000;
  let lastEventId = options.lastEventId;
  let serverRetry: number | undefined;

  async function run(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let wait: number | undefined;
      try {
        const headers = new Headers({ Accept: "text/event-stream", "Cache-Control": "no-cache" });
        if (lastEventId !== undefined && lastEventId !== "") headers.set("Last-Event-ID", lastEventId);
        const response = await fetchImpl(new Request(url, { headers, signal }));
        if (!response.ok) {
          const error = await RewardsProblemError.fromResponse(response);
          if (response.status !== 429 && response.status < 500) throw Object.assign(error, { fatal: true });
          wait = retryAfterMs(response.headers.get("retry-after"));
          throw error;
        }
        if (!response.body) throw new Error("The event stream answered without a body.");
        options.onOpen?.(response);
        let received = false;
        for await (const event of readEvents(response.body, signal)) {
          if (event.retry !== undefined) serverRetry = event.retry;
          if (event.dispatch === undefined) {
            if (event.id !== undefined) lastEventId = event.id;
            continue;
          }
          received = true;
          failures = 0;
          if (signal.aborted) return;
          if (event.dispatch.type === "reset") await (options.onReset ?? options.onEvent)(event.dispatch);
          // `end`: the server closes a stream too slow to keep up; the reconnection resumes after the last event handled.
          else if (event.dispatch.type !== "end") await options.onEvent(event.dispatch);
          // Only once handled: an event whose handler threw is sent again after the reconnection (at least once).
          if (event.id !== undefined) lastEventId = event.id;
        }
        if (signal.aborted) return;
        if (!received) failures++;
        options.onError?.(new Error("The event stream ended; reconnecting."));
      } catch (error) {
        if (signal.aborted) return;
        options.onError?.(error);
        if ((error as { fatal?: boolean }).fatal) throw error;
        failures++;
      }
      const step = Math.min(maxDelay, (serverRetry ?? minDelay) * 2 ** Math.max(0, failures - 1));
      const delay = wait ?? step / 2 + Math.random() * (step / 2);
      try {
        await abortableSleep(delay, signal);
      } catch {
        return;
      }
    }
  }

  const done = run().finally(() => options.signal?.removeEventListener("abort", onOuterAbort));
  done.catch(() => {}); // a caller that never looks at `done` must not see an unhandled rejection
  return {
    close: () => controller.abort(),
    get lastEventId() {
      return lastEventId;
    },
    done,
  };
}

interface ParsedField {
  /** The event to dispatch, when a blank line ended one with data. */
  dispatch?: RewardsStreamEvent;
  /** The last event id as of this point (set by an `id:` field). */
  id?: string;
  retry?: number;
}

/**
 * Parses an SSE body as the HTML standard says (§9.2.6): lines end with CRLF, LF or CR; `:` starts a comment (heartbeat);
 * `data` lines join with LF; `id` without NUL sets the last event id; `retry` digits set the reconnection time; a blank
 * line dispatches the event, unless its data is empty.
 *
 * @example
 * for await (const field of readEvents(response.body!)) if (field.dispatch) console.log(field.dispatch.type, field.dispatch.data);
 */
export async function* readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ParsedField> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  let data: string[] = [];
  let type = "";
  let id: string | undefined;
  let first = true;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      let start = 0;
      for (;;) {
        const cr = buffer.indexOf("\r", start);
        const lf = buffer.indexOf("\n", start);
        let end: number;
        let next: number;
        if (cr === -1 && lf === -1) break;
        if (cr !== -1 && (lf === -1 || cr < lf)) {
          // a CR at the end of the buffer may be the first half of a CRLF split across chunks
          if (cr === buffer.length - 1 && !done) break;
          end = cr;
          next = buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
        } else {
          end = lf;
          next = lf + 1;
        }
        const line = buffer.slice(start, end);
        start = next;
        if (line === "") {
          // The last event id counts from here (a blank line), not from its `id:` line: an event cut off is not skipped.
          const raw = data.join("\n");
          yield data.length > 0 ? { id, dispatch: { id, type: type || "message", data: parseData(raw), raw } } : { id };
          data = [];
          type = "";
          continue;
        }
        if (line.startsWith(":")) continue; // comment: heartbeat
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") type = value;
        else if (field === "id" && !value.includes("\0")) id = value;
        else if (field === "retry" && /^\d+$/.test(value)) yield { retry: Number(value) };
      }
      buffer = buffer.slice(start);
      if (done) return; // an event not ended by a blank line is discarded, as the standard says
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => {}); // closes the connection when the reader stops early
    reader.releaseLock();
  }
}

function parseData(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
