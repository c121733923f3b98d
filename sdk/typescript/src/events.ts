import type { components } from "./generated/rewards.v1.js";
import { EVENT_TYPES, type RewardsEventDataMap } from "./generated/events.js";

export { EVENT_TYPES, type RewardsEventDataMap };

/** An event type the API emits, e.g. `"points.expiring"`. */
export type RewardsEventType = keyof RewardsEventDataMap;

/**
 * A program event (polling, live streams and webhooks send the same envelope) with its data typed by its type: narrowing
 * on `type` narrows `data`.
 *
 * @example
 * if (isRewardsEvent(envelope, "points.expiring")) console.log(envelope.data.points, envelope.data.lots);
 */
export type RewardsEvent<T extends RewardsEventType = RewardsEventType> = {
  [K in T]: Omit<components["schemas"]["ProgramEvent"], "type" | "data"> & { type: K; data: RewardsEventDataMap[K] };
}[T];

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Whether an envelope (the `data` of a live-stream event, an item of `GET .../events`, a verified webhook body) is an event
 * of one of the given types — of any type the API emits when none is given — so that its data has that type's schema.
 */
export function isRewardsEvent<T extends RewardsEventType>(envelope: unknown, ...types: T[]): envelope is RewardsEvent<T> {
  if (typeof envelope !== "object" || envelope === null) return false;
  const type = (envelope as { type?: unknown }).type;
  if (typeof type !== "string" || !known.has(type)) return false;
  return types.length === 0 || (types as string[]).includes(type);
}
