// What the generated types let a caller write (checked by tsc in contract.test.ts; the assertions below run too).
import { describe, expectTypeOf, it } from "vitest";
import { createRewardsClient, ok, type Schema } from "../src/index.js";

describe("types", () => {
  it("types paths, parameters, bodies and answers from the document", () => {
    const rewards = createRewardsClient({ baseUrl: "http://127.0.0.1:1", auth: "t", fetch: async () => new Response("{}") });
    // The Idempotency-Key header is optional: the client adds one per write.
    const award = () =>
      ok(rewards.POST("/v1/programs/{programId}/activities", { params: { path: { programId: "p" } }, body: { memberId: "m", type: "share" } }));
    expectTypeOf(award).returns.resolves.toEqualTypeOf<Schema<"ActivityResult">>();
    expectTypeOf<Schema<"ActivityResult">["status"]>().toEqualTypeOf<"awarded" | "pending" | "rejected" | "reversed" | undefined>();

    // @ts-expect-error an unknown path
    void (() => rewards.GET("/v1/programs/{programId}/nothing", { params: { path: { programId: "p" } } }));
    // @ts-expect-error a path parameter is missing
    void (() => rewards.GET("/v1/programs/{programId}/members/{memberId}", { params: { path: { programId: "p" } } }));
    // @ts-expect-error window is day, week, month or all
    void (() => rewards.GET("/v1/programs/{programId}/leaderboards/{board}", { params: { path: { programId: "p", board: "points" }, query: { window: "year" } } }));
  });
});
