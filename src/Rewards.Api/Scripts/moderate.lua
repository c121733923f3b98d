-- Moderates one activity: approve or reject a pending one, or reverse (claw back) an awarded one.
-- The state check and every write happen in this one run, so concurrent moderations cannot both succeed.
-- KEYS: 1 activity, 2 member, 3 ledger stream, 4 day cap counter, 5 week cap counter, 6 member's targets for the type
-- ARGV: 1 action ('approve' | 'reject' | 'reverse'), 2 activity id, 3 member id, 4 now (unix ms), 5 reason ('' = none)
-- Returns {'missing'} | {'conflict', currentStatus} | {'done', newStatus, points, balance, lifetime}

local a = redis.call('HMGET', KEYS[1], 'status', 'points', 'member', 'type', 'target', 'holds')
if not a[1] or a[3] ~= ARGV[3] then return {'missing'} end

local action, status, points = ARGV[1], a[1], tonumber(a[2])
local expected = (action == 'reverse') and 'awarded' or 'pending'
if status ~= expected then return {'conflict', status} end

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

local balance = redis.call('HINCRBY', KEYS[2], 'balance', delta)
local lifetime = redis.call('HINCRBY', KEYS[2], 'lifetime', delta)
redis.call('HSET', KEYS[1], 'status', newStatus, 'moderatedAt', ARGV[4], 'moderationReason', ARGV[5])
redis.call('XADD', KEYS[3], '*', 'kind', entryKind, 'activity', ARGV[2], 'type', a[4], 'target', a[5],
  'points', delta, 'pending', 0, 'balance', balance, 'at', ARGV[4], 'reason', ARGV[5])
return {'done', newStatus, delta, balance, lifetime}
