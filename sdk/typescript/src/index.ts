/**
 * @rewards/sdk: a typed client of the Rewards API (types generated from `openapi/rewards.v1.json`, calls through
 * openapi-fetch) with tokens, idempotency keys, retries, problem errors and live event streams.
 * Webhook verification for Node receivers: `@rewards/sdk/webhooks`.
 */
export { createRewardsClient, ok, IDEMPOTENCY_HEADER, REPLAYABLE_OPERATIONS } from "./client.js";
export type { RewardsClient, RewardsClientOptions, RewardsPaths } from "./client.js";
export { clientCredentials, memberToken, staticToken, jwtExpiry } from "./auth.js";
export type { AccessToken, ClientCredentials, ClientCredentialsOptions, MemberTokenOptions, TokenSource } from "./auth.js";
export { RewardsProblemError } from "./problem.js";
export { withRetries, retryAfterMs } from "./retry.js";
export type { FetchLike, RetryOptions } from "./retry.js";
export { subscribeEvents, readEvents } from "./sse.js";
export type { EventStreamOptions, EventSubscription, RewardsStreamEvent } from "./sse.js";
export { EVENT_TYPES, isRewardsEvent } from "./events.js";
export type { RewardsEvent, RewardsEventType, RewardsEventDataMap } from "./events.js";
export type { paths, components, operations } from "./generated/rewards.v1.js";

import type { components } from "./generated/rewards.v1.js";
/** A schema of the API by name, e.g. `Schema<"LeaderboardPage">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];
