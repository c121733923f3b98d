// The event-stream helper against a tiny local SSE server (the API's stream routes are being built on another branch).
import { afterEach, describe, expect, it } from "vitest";
import { createRewardsClient, memberToken, readEvents, RewardsProblemError, type RewardsStreamEvent } from "../src/index.js";
import { json, localServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const memberStream = "/v1/programs/acme/members/alice/events/stream";

function collector() {
  const events: RewardsStreamEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    events,
    onEvent(e: RewardsStreamEvent) {
      events.push(e);
      for (const w of waiters) if (events.length >= w.count) w.resolve();
    },
    until(count: number) {
      return new Promise<void>((resolve, reject) => {
        if (events.length >= count) return resolve();
        waiters.push({ count, resolve });
        setTimeout(() => reject(new Error(`only ${events.length} of ${count} events`)), 10_000);
      });
    },
  };
}

describe("event streams", () => {
  it("parses events, ignores heartbeats, and resumes with Last-Event-ID after a drop", async () => {
    server = await localServer((req, res, i) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      if (i === 0) {
        res.write("retry: 50\n: heartbeat\n\n");
        res.write('id: 1700000000000-0\nevent: activity.awarded\ndata: {"member":"alice",\ndata: "points":10}\n\n');
        res.write(": heartbeat\n\n");
        res.write('id: 1700000000001-0\nevent: tier.changed\ndata: {"tier":"Silver"}\n\n');
        res.end(); // the connection drops
      } else {
        res.write('id: 1700000000002-0\r\nevent: badge.earned\r\ndata: {"badge":"first-review"}\r\n\r\n');
      }
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "member-token" });
    const got = collector();
    const errors: unknown[] = [];
    const sub = rewards.streamMemberEvents("acme", "alice", { onEvent: got.onEvent, onError: (e) => errors.push(e) });

    await got.until(3);
    sub.close();
    await sub.done;

    expect(got.events.map((e) => [e.id, e.type, e.data])).toEqual([
      ["1700000000000-0", "activity.awarded", { member: "alice", points: 10 }],
      ["1700000000001-0", "tier.changed", { tier: "Silver" }],
      ["1700000000002-0", "badge.earned", { badge: "first-review" }],
    ]);
    expect(sub.lastEventId).toBe("1700000000002-0");
    expect(server.requests.map((r) => r.url)).toEqual([memberStream, memberStream]);
    expect(server.requests[0]!.headers["last-event-id"]).toBeUndefined();
    expect(server.requests[1]!.headers["last-event-id"]).toBe("1700000000001-0");
    expect(server.requests[1]!.headers.authorization).toBe("Bearer member-token");
    expect(server.requests[1]!.headers.accept).toBe("text/event-stream");
    expect(errors).toHaveLength(1); // the drop
  });

  it("hands a reset to onReset, so the client reloads instead of replaying", async () => {
    server = await localServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      if (req.headers["last-event-id"] === "1600000000000-0") {
        res.write('event: reset\ndata: {"reason":"The events after 1600000000000-0 are no longer kept."}\n\n');
      }
      res.write('id: 1700000000005-0\nevent: perk.granted\ndata: {"perkId":"p1"}\n\n');
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    const resets: RewardsStreamEvent[] = [];
    const got = collector();
    const sub = rewards.streamProgramEvents("acme", {
      lastEventId: "1600000000000-0",
      onEvent: got.onEvent,
      onReset: (e) => void resets.push(e),
    });

    await got.until(1);
    sub.close();
    await sub.done;
    expect(resets).toHaveLength(1);
    expect(resets[0]!.type).toBe("reset");
    expect(got.events.map((e) => e.type)).toEqual(["perk.granted"]);
    expect(server.requests[0]!.url).toBe("/v1/programs/acme/events/stream");
    expect(sub.lastEventId).toBe("1700000000005-0");
  });

  it("reconnects after a 503 (honouring Retry-After) and gets a new token after a 401", async () => {
    server = await localServer((req, res, i) => {
      if (i === 0) return json(res, 503, { title: "Service Unavailable", status: 503 }, { "Retry-After": "0" });
      if (req.headers.authorization !== "Bearer second") return json(res, 401, { title: "Unauthorized", status: 401, detail: "expired" });
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write('id: 1-0\ndata: {"ok":true}\n\n');
    });
    const tokens = ["first", "second"];
    const rewards = createRewardsClient({
      baseUrl: server.url,
      auth: memberToken({ fetchToken: async () => ({ accessToken: tokens.shift()!, expiresAt: Date.now() + 600_000 }) }),
    });
    const got = collector();
    const sub = rewards.streamMemberEvents("acme", "alice", { onEvent: got.onEvent, reconnect: { minDelayMs: 10 } });

    await got.until(1);
    sub.close();
    expect(got.events[0]!.data).toEqual({ ok: true });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer first", "Bearer first", "Bearer second"]);
  });

  it("stops with a RewardsProblemError on an answer reconnecting cannot fix (404)", async () => {
    server = await localServer((_req, res) => json(res, 404, { title: "Not Found", status: 404, detail: "No program 'acme'." }));
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    const errors: unknown[] = [];
    const sub = rewards.streamProgramEvents("acme", { onEvent: () => {}, onError: (e) => errors.push(e) });

    const error = await sub.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardsProblemError);
    expect((error as RewardsProblemError).detail).toBe("No program 'acme'.");
    expect(errors).toEqual([error]);
    expect(server.requests).toHaveLength(1);
  });

  it("takes an `end` event (a client too slow to keep up is dropped) as a drop: reconnects and resumes after the last event", async () => {
    server = await localServer((req, res, i) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      if (i === 0) {
        res.write('id: 5-0\nevent: activity.awarded\ndata: {"n":1}\n\n');
        res.end('event: end\ndata: {"reason":"slow"}\n\n');
      } else res.write(`id: 6-0\nevent: activity.awarded\ndata: {"after":"${req.headers["last-event-id"]}"}\n\n`);
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    const got = collector();
    const sub = rewards.streamProgramEvents("acme", { onEvent: got.onEvent, reconnect: { minDelayMs: 10 } });
    await got.until(2);
    sub.close();
    expect(got.events.map((e) => e.data)).toEqual([{ n: 1 }, { after: "5-0" }]);
  });

  it("sends an event again when its handler threw (at least once): resumes from the event before", async () => {
    server = await localServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      const after = Number(req.headers["last-event-id"] ?? 0);
      for (let n = after + 1; n <= 3; n++) res.write(`id: ${n}\ndata: ${n}\n\n`);
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    const handled: unknown[] = [];
    const errors: unknown[] = [];
    let failOnce = true;
    const got = collector();
    const sub = rewards.streamProgramEvents("acme", {
      reconnect: { minDelayMs: 10 },
      onError: (e) => errors.push(e),
      onEvent: (e) => {
        if (e.data === 2 && failOnce) {
          failOnce = false;
          throw new Error("handler failed");
        }
        handled.push(e.data);
        got.onEvent(e);
      },
    });
    await got.until(3);
    sub.close();
    expect(handled).toEqual([1, 2, 3]);
    expect(server.requests[1]!.headers["last-event-id"]).toBe("1");
    expect((errors[0] as Error).message).toBe("handler failed");
  });

  it("calls nothing after close()", async () => {
    server = await localServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      let n = 0;
      const timer = setInterval(() => res.write(`id: ${++n}\ndata: ${n}\n\n`), 20);
      res.on("close", () => clearInterval(timer));
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    const got = collector();
    const sub = rewards.streamProgramEvents("acme", { onEvent: got.onEvent });
    await got.until(2);
    sub.close();
    await sub.done;
    const seen = got.events.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(got.events).toHaveLength(seen);
  });
});

describe("SSE parsing", () => {
  async function parse(text: string, chunkSize = 1) {
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += chunkSize) controller.enqueue(bytes.slice(i, i + chunkSize));
        controller.close();
      },
    });
    const out: { id: string | undefined; type: string; raw: string }[] = [];
    let lastId: string | undefined;
    for await (const field of readEvents(body)) {
      if (field.id !== undefined) lastId = field.id;
      if (field.dispatch) out.push({ id: field.dispatch.id, type: field.dispatch.type, raw: field.dispatch.raw });
    }
    return { out, lastId };
  }

  it("follows the standard byte by byte: BOM, CR/LF/CRLF split across chunks, comments, empty data, NUL ids, a cut-off event", async () => {
    const text =
      "\uFEFF: hello\r\n" +
      "data:no space\r\rdata\nid: 7\n\n" + // "data" with no colon is an empty data line
      "event: x\r\ndata: a\r\ndata: b\r\n\r\n" +
      "id: bad\u0000id\nevent: y\ndata\n\n" + // the NUL id is ignored; empty data is still one (empty) line
      "id: 9\n\n" + // no data: nothing dispatched, but the id counts
      "id: 10\ndata: cut off"; // no blank line: discarded, its id not taken
    for (const size of [1, 3, 1024]) {
      const { out, lastId } = await parse(text, size);
      expect(out).toEqual([
        { id: undefined, type: "message", raw: "no space" },
        { id: "7", type: "message", raw: "" },
        { id: "7", type: "x", raw: "a\nb" },
        { id: "7", type: "y", raw: "" },
      ]);
      expect(lastId).toBe("9");
    }
  });
});
