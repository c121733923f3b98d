-- Moderates one activity: approve or reject a pending one, or reverse (claw back) an awarded one.
-- The state check and every write happen in this one run, so concurrent moderations cannot both succeed.
-- Approvals and reversals move the member on the boards of the activity's own periods (its occurredAt).
-- KEYS: 1 activity, 2 member, 3 ledger stream, 4 day cap counter, 5 week cap counter, 6 member's targets for the type,
--       7-14 boards: points all/day/week/month, type all/day/week/month
-- ARGV: 1 action ('approve' | 'reject' | 'reverse'), 2 activity id, 3 member id, 4 now (unix ms), 5 reason ('' = none),
--       6-8 day/week/month window start (unix s), 9-11 day/week/month board ttl (s)
-- Returns {'missing'} | {'conflict', currentStatus} | {'inactive', memberStatus} | {'done', newStatus, points, balance, lifetime}

local a = redis.call('HMGET', KEYS[1], 'status', 'points', 'member', 'type', 'target', 'holds')
if not a[1] or a[3] ~= ARGV[3] then return {'missing'} end

local action, status, points = ARGV[1], a[1], tonumber(a[2])
local expected = (action == 'reverse') and 'awarded' or 'pending'
if status ~= expected then return {'conflict', status} end

local activityType = a[4]
local typeField, entryField = 't:' .. activityType, 'lb:' .. activityType
local m = redis.call('HMGET', KEYS[2], 'status', 'balance', 'lifetime', typeField, 'lb:points', entryField)
if m[1] ~= 'active' and action ~= 'reject' then return {'inactive', m[1] or 'missing'} end

local delta, newStatus, entryKind
if action == 'approve' then
  delta, newStatus, entryKind = points, 'awarded', 'approval'
elseif action == 'reject' then
  delta, newStatus, entryKind = 0, 'rejected', 'rejection'
  -- Give back the cap and target slots the pending activity held.
  -- 'holds' says which were taken at award time: day cap, week cap, target (one '0'/'1' each).
  local holds = a[6] or '000'
  if string.sub(holds, 1, 1) == '1' and tonumber(redis.call('GET', KEYS[4]) or '0') > 0 then redis.call('DECR', KEYS[4]) end
  if string.sub(holds, 2, 2) == '1' and tonumber(redis.call('GET', KEYS[5]) or '0') > 0 then redis.call('DECR', KEYS[5]) end
  if string.sub(holds, 3, 3) == '1' then redis.call('SREM', KEYS[6], a[5]) end
else
  delta, newStatus, entryKind = -points, 'reversed', 'reversal'
end

local balance, lifetime = tonumber(m[2]) + delta, tonumber(m[3]) + delta
if delta ~= 0 then
  local now = tonumber(ARGV[4])
  local typeTotal = (tonumber(m[4]) or 0) + delta
  local pointsEntry, typeEntry = applyToBoards({KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]},
    {ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]}, ARGV[3], delta, lifetime, typeTotal, m[5], m[6], now)
  redis.call('HSET', KEYS[2], 'balance', balance, 'lifetime', lifetime, typeField, typeTotal,
    'lb:points', pointsEntry, entryField, typeEntry)
end
redis.call('HSET', KEYS[1], 'status', newStatus, 'moderatedAt', ARGV[4], 'moderationReason', ARGV[5])
redis.call('XADD', KEYS[3], '*', 'kind', entryKind, 'activity', ARGV[2], 'type', a[4], 'target', a[5],
  'points', delta, 'pending', 0, 'balance', balance, 'at', ARGV[4], 'reason', ARGV[5])
return {'done', newStatus, delta, balance, lifetime}
