// The event-stream helper against the API's own streams. They are being added on another branch: these tests run once
// the committed OpenAPI document has the stream routes (sse.test.ts covers the helper against a local server meanwhile).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, createRewardsClient, isRewardsEvent, memberToken, ok, type RewardsEvent, type RewardsStreamEvent } from "../src/index.js";

const document = JSON.parse(readFileSync(join(import.meta.dirname, "../../../openapi/rewards.v1.json"), "utf8")) as { paths: object };
const hasStreams = "/v1/programs/{programId}/members/{memberId}/events/stream" in document.paths;

describe.skipIf(!hasStreams)("live events from the API", () => {
  it("streams a member's own events as they happen, resumes after the last one seen, and resets from before what is kept", async () => {
    const { baseUrl, newProgram } = await import("./api.js");
    const { programId, backend } = await newProgram();
    const rewards = createRewardsClient({ baseUrl, auth: backend });
    const award = (memberId: string) =>
      ok(rewards.POST("/v1/programs/{programId}/activities", { params: { path: { programId } }, body: { memberId, type: "share" } }));
    await award("rae"); // the member exists before the app asks for a token

    const app = createRewardsClient({
      baseUrl,
      auth: memberToken({ fetchToken: async () => (await backend.memberToken("rae")).accessToken }),
    });
    const events: RewardsStreamEvent[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const first = app.streamMemberEvents(programId, "rae", { onEvent: (e) => void events.push(e), onOpen: () => opened() });
    await open;
    await award("sam");
    const seen = await award("rae");
    await until(() => events.some((e) => e.type === "activity.awarded" && e.raw.includes(seen.activityId!)));
    first.close();
    await first.done;
    expect(events.every((e) => !e.raw.includes('"sam"'))).toBe(true); // never another member's events
    expect(first.lastEventId).toMatch(/^\d+-\d+$/);

    const missed = await award("rae"); // while the app is away
    const resumed: RewardsStreamEvent[] = [];
    const second = app.streamMemberEvents(programId, "rae", { lastEventId: first.lastEventId, onEvent: (e) => void resumed.push(e) });
    await until(() => resumed.some((e) => e.type === "activity.awarded" && e.raw.includes(missed.activityId!)));
    second.close();
    expect(resumed.every((e) => streamOrder(e.id!) > streamOrder(first.lastEventId!))).toBe(true); // nothing seen before
    expect(resumed.some((e) => e.raw.includes(seen.activityId!))).toBe(false);

    // Resuming from before what the stream keeps: a reset (reload your state), then the stream goes on from the newest event.
    const resets: RewardsStreamEvent[] = [];
    const third = app.streamMemberEvents(programId, "rae", { lastEventId: "1-0", onEvent: () => {}, onReset: (e) => void resets.push(e) });
    await until(() => resets.length > 0);
    third.close();
    expect(resets[0]!.type).toBe("reset");
  });
});

describe("typed events", () => {
  it("narrows a polled envelope to its type's data, for every type the API emits and no other", async () => {
    const { baseUrl, newProgram } = await import("./api.js");
    const { programId, backend } = await newProgram();
    const rewards = createRewardsClient({ baseUrl, auth: backend });
    const answer = await ok(rewards.POST("/v1/programs/{programId}/activities", { params: { path: { programId } }, body: { memberId: "ivy", type: "review", targetId: "p-1" } }));
    const page = await ok(rewards.GET("/v1/programs/{programId}/events", { params: { path: { programId }, query: { types: "activity.awarded" } } }));
    const envelope: unknown = page.events?.[0];

    expect(isRewardsEvent(envelope, "activity.awarded")).toBe(true);
    expect(isRewardsEvent(envelope, "points.expiring", "member.tier_changed")).toBe(false);
    if (!isRewardsEvent(envelope, "activity.awarded")) throw new Error("not narrowed");
    const points: number | undefined = envelope.data.points; // typed by the event's schema (ActivityAwardedData)
    expect([envelope.data.activityId, points, envelope.data.balance]).toEqual([answer.activityId, 50, 50]);
    // A type the API does not emit is no RewardsEvent (an unknown type must not be read with another's schema).
    expect(isRewardsEvent({ ...(envelope as object), type: "points.gifted" })).toBe(false);
    const expiring: RewardsEvent<"points.expiring">["data"] = { points: 5, balance: 5, lots: [] };
    expect(expiring.points).toBe(5);
    expect(EVENT_TYPES).toContain("points.expiring");
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });
});

/** A stream id `<ms>-<seq>` as a number that sorts as the stream does. */
function streamOrder(id: string): bigint {
  const [ms, seq] = id.split("-");
  return BigInt(ms!) * 1_000_000n + BigInt(seq ?? 0);
}

async function until(condition: () => boolean, timeoutMs = 15_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting for events");
    await new Promise((r) => setTimeout(r, 50));
  }
}
