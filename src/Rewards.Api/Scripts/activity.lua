-- Module activity: the fields of an activity hash (RedisKeys.Activity), named once on the Lua side; the C# side names them
-- in Infrastructure/Redis/ActivityFields.cs (ScriptContractTests checks that both agree).
-- Exports the field names: MEMBER, TYPE, TARGET, OCCURRED_AT, RECORDED_AT, STATUS, REASON, POINTS, DAY, WEEK, MONTH,
--   HOLDS (the cap and target slots a pending activity holds: day cap, week cap, target, one '0'/'1' each),
--   MODERATED_AT, MODERATION_REASON, LOT (the lot, 'yyyymmdd', its points went into: lots.lua; absent under the policy none)

return {
  MEMBER = 'member', TYPE = 'type', TARGET = 'target', OCCURRED_AT = 'occurredAt', RECORDED_AT = 'recordedAt',
  STATUS = 'status', REASON = 'reason', POINTS = 'points', DAY = 'day', WEEK = 'week', MONTH = 'month', HOLDS = 'holds',
  MODERATED_AT = 'moderatedAt', MODERATION_REASON = 'moderationReason', LOT = 'lot',
}
