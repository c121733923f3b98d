// Against the real API and Redis that scripts/test starts.
import { beforeAll, describe, expect, it } from "vitest";
import {
  clientCredentials,
  createRewardsClient,
  memberToken,
  ok,
  RewardsProblemError,
  type ClientCredentials,
} from "../src/index.js";
import { baseUrl, newProgram } from "./api.js";

let programId: string;
let clientId: string;
let clientSecret: string;
let backend: ClientCredentials;

beforeAll(async () => {
  ({ programId, clientId, clientSecret, backend } = await newProgram());
});

function rewardsWith(fetchImpl?: typeof fetch) {
  return createRewardsClient({ baseUrl, auth: backend, retry: { baseDelayMs: 10 }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

describe("awarding an activity", () => {
  it("retries a write whose answer was lost with the same Idempotency-Key, and the points are awarded once", async () => {
    const keys: (string | null)[] = [];
    let lost = 0;
    // The request reaches the API, but its answer is lost on the way back (the connection drops): the SDK retries.
    const losingFirstAnswer: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "POST" && request.url.endsWith("/activities")) {
        keys.push(request.headers.get("Idempotency-Key"));
        const response = await fetch(request);
        if (lost++ === 0) {
          await response.body?.cancel();
          throw new TypeError("fetch failed");
        }
        return response;
      }
      return fetch(request);
    };
    const rewards = rewardsWith(losingFirstAnswer);

    const { data, response } = await rewards.POST("/v1/programs/{programId}/activities", {
      params: { path: { programId } },
      body: { memberId: "ida", type: "review", targetId: "sneaker-01" },
    });

    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(response.headers.get("Idempotent-Replayed")).toBe("true");
    expect(data).toMatchObject({ status: "awarded", points: 50, balance: 50 });
    const member = await ok(
      rewards.GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId, memberId: "ida" } } }),
    );
    expect(member.balance).toBe(50);
  });

  it("gives each new write a key of its own, and replays a caller's key", async () => {
    const rewards = rewardsWith();
    const first = await rewards.POST("/v1/programs/{programId}/activities", {
      params: { path: { programId } },
      body: { memberId: "jo", type: "share" },
    });
    const second = await rewards.POST("/v1/programs/{programId}/activities", {
      params: { path: { programId } },
      body: { memberId: "jo", type: "share" },
    });
    expect(first.response.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.response.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.data?.balance).toBe(20);

    const key = `share-jo-${Date.now()}`;
    const again = () =>
      rewards.POST("/v1/programs/{programId}/activities", {
        params: { path: { programId }, header: { "Idempotency-Key": key } },
        body: { memberId: "jo", type: "share" },
      });
    const original = await again();
    const replay = await again();
    expect(replay.response.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.data).toEqual(original.data);
    expect(replay.data?.balance).toBe(30);
  });
});

describe("problem details", () => {
  it("throws a 422 as a RewardsProblemError with its status, title and detail", async () => {
    const rewards = rewardsWith();
    const error = await rewards
      .POST("/v1/programs/{programId}/activities", {
        params: { path: { programId } },
        body: { memberId: "kim", type: "teleport" },
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RewardsProblemError);
    const problem = error as RewardsProblemError;
    expect(problem.status).toBe(422);
    expect(problem.title).toBe("Unprocessable request");
    expect(problem.detail).toContain("'teleport' has no earning rule");
    expect(problem.type).toMatch(/^https?:\/\//);
    expect(problem.headers.get("content-type")).toContain("application/problem+json");
  });

  it("gives a 400's field errors in errors, and other members in extensions", async () => {
    const rewards = rewardsWith();
    const problem = (await rewards
      .POST("/v1/programs/{programId}/activities", {
        params: { path: { programId } },
        // @ts-expect-error memberId is required (the generated types say so): this test sends the API's 400 on purpose
        body: { type: "share" },
      })
      .catch((e: unknown) => e)) as RewardsProblemError;

    expect(problem).toBeInstanceOf(RewardsProblemError);
    expect(problem.status).toBe(400);
    expect(Object.keys(problem.errors ?? {})).toContain("memberId");
    expect(problem.errors?.memberId?.[0]).toMatch(/^Required/);
    expect(problem.extensions).not.toHaveProperty("errors");
    expect(problem.extensions).toHaveProperty("traceId");
  });

  it("throws a token endpoint refusal with the OAuth error as title", async () => {
    const wrong = clientCredentials({ baseUrl, clientId, clientSecret: "not-the-secret", retry: false });
    const problem = (await wrong.token().catch((e: unknown) => e)) as RewardsProblemError;
    expect(problem).toBeInstanceOf(RewardsProblemError);
    expect(problem.status).toBe(401);
    expect(problem.title).toBe("invalid_client");
    expect(problem.extensions.error).toBe("invalid_client");
  });
});

describe("leaderboards", () => {
  it("reads a board with its typed entries", async () => {
    const own = await newProgram(); // a board of its own: no other test's members on it
    const rewards = createRewardsClient({ baseUrl, auth: own.backend });
    const programId = own.programId;
    for (const [memberId, type, targetId] of [
      ["lea", "review", "a"],
      ["lea", "review", "b"],
      ["max", "review", "a"],
      ["noa", "share", undefined],
    ] as const) {
      await ok(
        rewards.POST("/v1/programs/{programId}/activities", {
          params: { path: { programId } },
          body: { memberId, type, ...(targetId ? { targetId } : {}) },
        }),
      );
    }
    const board = await ok(
      rewards.GET("/v1/programs/{programId}/leaderboards/{board}", {
        params: { path: { programId, board: "review" }, query: { window: "all" } },
      }),
    );
    expect(board.window).toBe("all");
    expect(board.entries?.slice(0, 2)).toEqual([
      { rank: 1, memberId: "lea", score: 100 },
      { rank: 2, memberId: "max", score: 50 },
    ]);
  });
});

describe("tokens", () => {
  it("renews the client-credentials token shortly before it expires, and not before", async () => {
    let clock = Date.now();
    let tokenRequests = 0;
    const counting: typeof fetch = (input, init) => {
      if ((input instanceof Request ? input.url : String(input)).endsWith("/connect/token")) tokenRequests++;
      return fetch(input, init);
    };
    const credentials = clientCredentials({ baseUrl, clientId, clientSecret, fetch: counting, now: () => clock });
    const rewards = createRewardsClient({ baseUrl, auth: credentials });
    const read = () =>
      ok(rewards.GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId, memberId: "ida" } } }));

    const [first, second] = await Promise.all([credentials.token(), credentials.token()]);
    expect(second).toBe(first);
    expect(tokenRequests).toBe(1); // concurrent callers share one request
    await read();
    clock += 8 * 60_000; // 8 of the token's 10 minutes
    await read();
    expect(tokenRequests).toBe(1);
    clock += 60_000 + 1; // within the last minute: renewed
    await read();
    expect(tokenRequests).toBe(2);
    expect(await credentials.token()).not.toBe(first);
  });

  it("gets a new member token from the app's backend when the API refuses the one it has (401)", async () => {
    const rewards = rewardsWith();
    await ok(rewards.POST("/v1/programs/{programId}/activities", { params: { path: { programId } }, body: { memberId: "pia", type: "share" } }));
    let fetched = 0;
    let issued = "";
    const app = createRewardsClient({
      baseUrl,
      auth: memberToken({
        fetchToken: async () => {
          fetched++;
          issued = (await backend.memberToken("pia")).accessToken;
          return issued; // a JWT: its exp is read
        },
      }),
    });
    const me = () => ok(app.GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId, memberId: "me" } } }));
    expect((await me()).memberId).toBe("pia");
    expect(fetched).toBe(1);

    // Suspending the member revokes the tokens issued before; once reinstated, new tokens work again.
    await ok(rewards.POST("/v1/programs/{programId}/members/{memberId}/suspend", { params: { path: { programId, memberId: "pia" } } }));
    const suspendedAt = Date.now();
    await ok(rewards.POST("/v1/programs/{programId}/members/{memberId}/reinstate", { params: { path: { programId, memberId: "pia" } } }));
    // Until the API has read the revocation (its poll, 1 s), and a new second has begun (a token of the suspension's second counts as before it).
    const oldTokenRefused = async () =>
      (await fetch(`${baseUrl}/v1/programs/${programId}/members/me`, { headers: { Authorization: `Bearer ${issued}` } })).status === 401;
    for (let i = 0; i < 150 && !(await oldTokenRefused()); i++) await new Promise((r) => setTimeout(r, 100));
    while (Math.floor(Date.now() / 1_000) <= Math.floor(suspendedAt / 1_000)) await new Promise((r) => setTimeout(r, 50));

    expect((await me()).memberId).toBe("pia");
    expect(fetched).toBe(2);
  });

  it("keeps a member token to its own member: another member's profile is a 404", async () => {
    const app = createRewardsClient({ baseUrl, auth: (await backend.memberToken("ida")).accessToken });
    const problem = (await app
      .GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId, memberId: "jo" } } })
      .catch((e: unknown) => e)) as RewardsProblemError;
    expect(problem).toBeInstanceOf(RewardsProblemError);
    expect(problem.status).toBe(404);
  });
});
