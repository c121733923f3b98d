// Retries against a local fake server that answers 429, 5xx or drops the connection on demand.
import { afterEach, describe, expect, it } from "vitest";
import { createRewardsClient, memberToken, retryAfterMs, RewardsProblemError, type RetryOptions } from "../src/index.js";
import { json, localServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const awarded = { activityId: "a1", status: "awarded", points: 10, balance: 10, lifetimePoints: 10, tierChanged: false, newBadges: [] };

function award(url: string, retry?: RetryOptions | false) {
  const rewards = createRewardsClient({ baseUrl: url, auth: "test-token", ...(retry !== undefined ? { retry } : {}) });
  return rewards.POST("/v1/programs/{programId}/activities", {
    params: { path: { programId: "acme" } },
    body: { memberId: "alice", type: "share" },
  });
}

describe("retries", () => {
  it("waits what a 429's Retry-After asks, then sends the same request with the same Idempotency-Key", async () => {
    server = await localServer((_req, res, i) =>
      i === 0 ? json(res, 429, { title: "Too Many Requests", status: 429 }, { "Retry-After": "1" }) : json(res, 201, awarded),
    );
    const { data } = await award(server.url);

    expect(data).toEqual(awarded);
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect(first!.headers["idempotency-key"]).toBeTruthy();
    expect(second!.headers["idempotency-key"]).toBe(first!.headers["idempotency-key"]);
    expect(second!.body).toBe(first!.body);
    expect(JSON.parse(second!.body)).toEqual({ memberId: "alice", type: "share" });
    expect(second!.headers.authorization).toBe("Bearer test-token");
  });

  it("adds at most 10 % jitter to Retry-After (1 s at most), and backs off exponentially with jitter without it", async () => {
    server = await localServer((_req, res, index) => {
      const i = index % 5; // the same five answers for each round below
      if (i === 0) return json(res, 429, { status: 429 }, { "Retry-After": "2" });
      if (i === 1) return json(res, 503, { status: 503 }, { "Retry-After": "30" });
      if (i < 4) return json(res, 500, { status: 500 });
      json(res, 201, awarded);
    });
    for (const [random, expected] of [
      [0, [2_000, 30_000, 200, 400]], // Retry-After as asked; backoff steps 400 and 800 ms (base 100 ms doubled per retry): half of each
      [1, [2_200, 31_000, 400, 800]], // + 10 % (2 s → 0.2 s), capped at 1 s (30 s → 1 s); the whole step
    ] as const) {
      const waits: number[] = [];
      const { data } = await award(server.url, { retries: 4, baseDelayMs: 100, random: () => random, sleep: async (ms) => void waits.push(ms) });
      expect(data).toEqual(awarded);
      expect(waits).toEqual(expected);
    }
  });

  it("retries 5xx answers, and a dropped connection, with the same key", async () => {
    server = await localServer((req, res, i) => {
      if (i === 0) return void req.socket.destroy(); // network error: no answer at all
      if (i < 3) return json(res, i === 1 ? 503 : 500, { title: "Unavailable", status: 503 });
      json(res, 201, awarded);
    });
    const waits: number[] = [];
    const { data } = await award(server.url, { baseDelayMs: 50, retries: 3, random: () => 0.5, sleep: async (ms) => void waits.push(ms) });

    expect(data).toEqual(awarded);
    expect(server.requests).toHaveLength(4);
    expect(waits).toEqual([37.5, 75, 150]); // steps of 50, 100, 200 ms: half of each, plus half of the other half
    expect(new Set(server.requests.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });

  it("gives up after the configured retries and throws the last answer as a RewardsProblemError", async () => {
    server = await localServer((_req, res) => json(res, 500, { type: "about:blank", title: "Server error", status: 500, detail: "boom" }));
    const error = await award(server.url, { baseDelayMs: 1, retries: 2 }).catch((e: unknown) => e);

    expect(server.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(RewardsProblemError);
    expect((error as RewardsProblemError).status).toBe(500);
    expect((error as RewardsProblemError).detail).toBe("boom");
  });

  it("does not hold the caller when Retry-After asks for longer than maxRetryAfterMs", async () => {
    server = await localServer((_req, res) => json(res, 429, { title: "Too Many Requests", status: 429 }, { "Retry-After": "120" }));
    const started = Date.now();
    const error = (await award(server.url).catch((e: unknown) => e)) as RewardsProblemError;

    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.status).toBe(429);
    expect(error.headers.get("retry-after")).toBe("120");
  });

  it("does not retry a 4xx other than 429, nor when retries are off", async () => {
    server = await localServer((_req, res, i) =>
      i === 0 ? json(res, 409, { title: "Conflict", status: 409, reason: "member_erased" }) : json(res, 503, { status: 503 }),
    );
    const conflict = (await award(server.url).catch((e: unknown) => e)) as RewardsProblemError;
    expect(conflict.status).toBe(409);
    expect(conflict.extensions.reason).toBe("member_erased");
    expect(server.requests).toHaveLength(1);

    const unavailable = (await award(server.url, false).catch((e: unknown) => e)) as RewardsProblemError;
    expect(unavailable.status).toBe(503);
    expect(server.requests).toHaveLength(2);
  });

  it("takes a 401 as final with a fixed token (nothing to renew), and asks a renewable source once more", async () => {
    server = await localServer((req, res) =>
      req.headers.authorization === "Bearer fresh" ? json(res, 201, awarded) : json(res, 401, { title: "Unauthorized", status: 401, detail: "The token expired." }),
    );
    const unauthorized = (await award(server.url).catch((e: unknown) => e)) as RewardsProblemError;
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.detail).toBe("The token expired.");
    expect(server.requests).toHaveLength(1);

    const tokens = ["stale", "fresh"];
    const rewards = createRewardsClient({ baseUrl: server.url, auth: memberToken({ fetchToken: async () => tokens.shift()! }) });
    const { data } = await rewards.POST("/v1/programs/{programId}/activities", {
      params: { path: { programId: "acme" } },
      body: { memberId: "alice", type: "share" },
    });
    expect(data).toEqual(awarded);
    expect(server.requests.slice(1).map((r) => r.headers.authorization)).toEqual(["Bearer stale", "Bearer fresh"]);
    expect(server.requests[2]!.headers["idempotency-key"]).toBe(server.requests[1]!.headers["idempotency-key"]);
  });

  it("does not send again a POST the API does not replay after a 5xx or a network error (it might have been done), but does after a 429", async () => {
    server = await localServer((req, res, i) => {
      if (i === 0) return json(res, 503, { title: "Service Unavailable", status: 503 });
      if (i === 1) return void req.socket.destroy();
      if (i === 2) return json(res, 429, { title: "Too Many Requests", status: 429 }, { "Retry-After": "0" });
      json(res, 201, { perk: { perkId: "p1" } });
    });
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t", retry: { baseDelayMs: 1 } });
    const createPerk = () =>
      rewards.POST("/v1/programs/{programId}/perks", {
        params: { path: { programId: "acme" } },
        body: { kind: "news", title: "Hello", audience: { type: "all" }, schedule: { type: "now" } },
      });
    expect(((await createPerk().catch((e: unknown) => e)) as RewardsProblemError).status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(await createPerk().catch((e: unknown) => e)).toBeInstanceOf(TypeError); // the network error, as fetch threw it
    expect(server.requests).toHaveLength(2);
    expect((await createPerk()).data).toEqual({ perk: { perkId: "p1" } });
    expect(server.requests).toHaveLength(4);
  });

  it("sends no Idempotency-Key on reads, and one per write", async () => {
    server = await localServer((_req, res) => json(res, 200, { entries: [] }));
    const rewards = createRewardsClient({ baseUrl: server.url, auth: "t" });
    await rewards.GET("/v1/programs/{programId}/leaderboards/{board}", { params: { path: { programId: "acme", board: "points" } } });
    await rewards.PUT("/v1/programs/{programId}/members/{memberId}", {
      params: { path: { programId: "acme", memberId: "alice" } },
      body: { displayName: "Alice" },
    });
    await rewards.PUT("/v1/programs/{programId}/members/{memberId}", {
      params: { path: { programId: "acme", memberId: "alice" } },
      body: { displayName: "Alice" },
    });
    const keys = server.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toBeUndefined();
    expect(keys[1]).toBeTruthy();
    expect(keys[2]).toBeTruthy();
    expect(keys[2]).not.toBe(keys[1]);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3_000);
    expect(retryAfterMs("Mon, 30 Nov 2026 12:00:05 GMT", now)).toBe(5_000);
    expect(retryAfterMs("Mon, 30 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
