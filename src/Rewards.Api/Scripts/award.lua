-- Records one activity and decides its points: idempotency, rule checks, ledger append and totals,
-- all or nothing in one run. Keys are built by RedisKeys and all carry the program's hash tag.
-- KEYS: 1 program, 2 idempotency record, 3 member, 4 ledger stream, 5 activity, 6 day cap counter,
--       7 week cap counter, 8 member's targets for this type, 9 member index
-- ARGV: 1 settings version, 2 request hash, 3 activity id, 4 member id, 5 activity type, 6 target id ('' = none),
--       7 occurredAt (unix ms), 8 now (unix ms), 9 rule points, 10 daily cap (0 = none), 11 weekly cap (0 = none),
--       12 unique per target (1/0), 13 cooldown ms (0 = none), 14 requires approval (1/0),
--       15 idempotency ttl s, 16 day counter ttl s, 17 week counter ttl s, 18 local day id, 19 local week id
-- Returns {'stale'} | {'conflict'} | {'replayed'|'recorded', activityId, status, reason, points, pendingPoints, balance, lifetime}

if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return {'stale'} end

local seen = redis.call('HMGET', KEYS[2], 'hash', 'activityId', 'status', 'reason', 'points', 'pendingPoints', 'balance', 'lifetime')
if seen[1] then
  if seen[1] ~= ARGV[2] then return {'conflict'} end
  return {'replayed', seen[2], seen[3], seen[4], seen[5], seen[6], seen[7], seen[8]}
end

local activityId, memberId, activityType, target = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local occurredAt, now, rulePoints = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local dailyCap, weeklyCap, cooldown = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[13])
local uniquePerTarget, requiresApproval = ARGV[12] == '1', ARGV[14] == '1'
local cooldownField = 'lastAt:' .. activityType

local member = redis.call('HMGET', KEYS[3], 'status', 'balance', 'lifetime', cooldownField)
local status, balance, lifetime = member[1], tonumber(member[2]) or 0, tonumber(member[3]) or 0
if not status then
  -- First activity of this member: created implicitly.
  status = 'active'
  redis.call('HSET', KEYS[3], 'status', status, 'balance', 0, 'lifetime', 0, 'createdAt', now)
  redis.call('ZADD', KEYS[9], 'NX', now, memberId)
end

local reason = ''
if status ~= 'active' then
  reason = 'member_' .. status
elseif uniquePerTarget and redis.call('SISMEMBER', KEYS[8], target) == 1 then
  reason = 'duplicate_target'
elseif cooldown > 0 and member[4] and math.abs(occurredAt - tonumber(member[4])) < cooldown then
  reason = 'cooldown'
elseif dailyCap > 0 and tonumber(redis.call('GET', KEYS[6]) or '0') >= dailyCap then
  reason = 'daily_cap_reached'
elseif weeklyCap > 0 and tonumber(redis.call('GET', KEYS[7]) or '0') >= weeklyCap then
  reason = 'weekly_cap_reached'
end

local result, awarded, pending = 'rejected', 0, 0
local countedDay, countedWeek, claimedTarget = 0, 0, 0
if reason == '' then
  -- Pending activities hold their cap and target slots, so approvals can never exceed a cap;
  -- a moderator's rejection gives them back.
  if dailyCap > 0 then
    redis.call('INCR', KEYS[6]); redis.call('EXPIRE', KEYS[6], ARGV[16]); countedDay = 1
  end
  if weeklyCap > 0 then
    redis.call('INCR', KEYS[7]); redis.call('EXPIRE', KEYS[7], ARGV[17]); countedWeek = 1
  end
  if uniquePerTarget then
    redis.call('SADD', KEYS[8], target); claimedTarget = 1
  end
  if cooldown > 0 then
    redis.call('HSET', KEYS[3], cooldownField, occurredAt)
  end
  if requiresApproval then
    result, pending = 'pending', rulePoints
  else
    result, awarded = 'awarded', rulePoints
    balance = redis.call('HINCRBY', KEYS[3], 'balance', awarded)
    lifetime = redis.call('HINCRBY', KEYS[3], 'lifetime', awarded)
  end
end

redis.call('HSET', KEYS[5], 'member', memberId, 'type', activityType, 'target', target, 'occurredAt', occurredAt,
  'recordedAt', now, 'status', result, 'reason', reason, 'points', rulePoints, 'day', ARGV[18], 'week', ARGV[19],
  'countedDay', countedDay, 'countedWeek', countedWeek, 'claimedTarget', claimedTarget)

local entryKind = (result == 'awarded' and 'award') or (result == 'pending' and 'pending') or 'rejection'
redis.call('XADD', KEYS[4], '*', 'kind', entryKind, 'activity', activityId, 'type', activityType, 'target', target,
  'points', awarded, 'pending', pending, 'balance', balance, 'at', now, 'reason', reason)

redis.call('HSET', KEYS[2], 'hash', ARGV[2], 'activityId', activityId, 'status', result, 'reason', reason,
  'points', awarded, 'pendingPoints', pending, 'balance', balance, 'lifetime', lifetime)
redis.call('EXPIRE', KEYS[2], ARGV[15])

return {'recorded', activityId, result, reason, awarded, pending, balance, lifetime}
