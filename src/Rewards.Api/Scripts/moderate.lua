-- Moderates one activity: approve or reject a pending one, or reverse (claw back) an awarded one.
-- The state check and every write happen in this one run, so concurrent moderations cannot both succeed.
-- Approvals and reversals move the member on the boards of the activity's own periods (its occurredAt), and
-- update type counts, tier (a reversal can drop it, at once), badges (earned once, never taken back), KPIs.
-- KEYS: 1 activity, 2 member, 3 ledger stream, 4 day cap counter, 5 week cap counter, 6 member's targets for the type,
--       7-14 boards: points all/day/week/month, type all/day/week/month,
--       15 KPI hash of the activity's day, 16 KPI hash of today, 17 ambassador points of the activity's day,
--       18 referral marker of the target (referrals)
-- ARGV: 1 action ('approve' | 'reject' | 'reverse'), 2 activity id, 3 member id, 4 now (unix ms), 5 reason ('' = none),
--       6-8 day/week/month window start (unix s), 9-11 day/week/month board ttl (s),
--       12 tier thresholds, 13 badge rules, 14 local day number of the activity, 15 KPI ttl s
-- Returns {'missing'} | {'conflict', currentStatus} | {'inactive', memberStatus}
--       | {'done', newStatus, points, balance, lifetime, tier, tierChanged, newBadges}

local a = redis.call('HMGET', KEYS[1], 'status', 'points', 'member', 'type', 'target', 'holds')
if not a[1] or a[3] ~= ARGV[3] then return {'missing'} end

local action, status, points = ARGV[1], a[1], tonumber(a[2])
local expected = (action == 'reverse') and 'awarded' or 'pending'
if status ~= expected then return {'conflict', status} end

local activityType, memberId, now, kpiTtl = a[4], ARGV[3], tonumber(ARGV[4]), ARGV[15]
local typeField, entryField, countField = 't:' .. activityType, 'lb:' .. activityType, 'c:' .. activityType
local windowField = 'w:' .. activityType
local m = redis.call('HMGET', KEYS[2], 'status', 'balance', 'lifetime', typeField, 'lb:points', entryField,
  countField, 'streakDay', 'streak', 'bestStreak', 'badges', 'tier', 'w:points', windowField)
-- An erased member's activities are not moderated at all: a rejection would write a moderator's text about them again.
if m[1] ~= 'active' and (action ~= 'reject' or m[1] == 'erased') then return {'inactive', m[1] or 'missing'} end

local delta, newStatus, entryKind
if action == 'approve' then
  delta, newStatus, entryKind = points, 'awarded', 'approval'
  stat(KEYS[15], 'pending:' .. activityType, -1, kpiTtl)
  stat(KEYS[15], 'awarded:' .. activityType, 1, kpiTtl)
  stat(KEYS[15], 'pointsIssued', points, kpiTtl)
elseif action == 'reject' then
  delta, newStatus, entryKind = 0, 'rejected', 'rejection'
  stat(KEYS[15], 'pending:' .. activityType, -1, kpiTtl)
  stat(KEYS[15], 'rejected:' .. activityType, 1, kpiTtl)
  -- Give back the cap and target slots the pending activity held.
  -- 'holds' says which were taken at award time: day cap, week cap, target (one '0'/'1' each).
  local holds = a[6] or '000'
  if string.sub(holds, 1, 1) == '1' and tonumber(redis.call('GET', KEYS[4]) or '0') > 0 then redis.call('DECR', KEYS[4]) end
  if string.sub(holds, 2, 2) == '1' and tonumber(redis.call('GET', KEYS[5]) or '0') > 0 then redis.call('DECR', KEYS[5]) end
  if string.sub(holds, 3, 3) == '1' then redis.call('SREM', KEYS[6], a[5]) end
  -- A rejected referral does not use up the referred member: someone else may refer them.
  if redis.call('GET', KEYS[18]) == ARGV[2] then redis.call('DEL', KEYS[18]) end
else
  delta, newStatus, entryKind = -points, 'reversed', 'reversal'
  stat(KEYS[16], 'pointsReversed', points, kpiTtl)
end

local balance, lifetime = tonumber(m[2]) + delta, tonumber(m[3]) + delta
local tier, tierChanged, newBadges = tonumber(m[12]) or 0, 0, {}
if delta ~= 0 then
  local typeTotal = (tonumber(m[4]) or 0) + delta
  local typeCount = (tonumber(m[7]) or 0) + (delta > 0 and 1 or -1)
  local pointsEntry, typeEntry, pointsWindows, typeWindows = applyToBoards(
    {KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]},
    {ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]},
    memberId, delta, lifetime, typeTotal, m[5], m[6], now, m[13], m[14])
  local streakDay, streak, best = tonumber(m[8]), tonumber(m[9]) or 0, tonumber(m[10]) or 0
  local earned = m[11] or ','
  if delta > 0 then
    streakDay, streak, best = nextStreak(tonumber(ARGV[14]), streakDay, streak, best)
    earned, newBadges = earnBadges(ARGV[13], earned, activityType, typeCount, lifetime, streak)
  end
  local newTier = tierOf(ARGV[12], lifetime)
  redis.call('HSET', KEYS[2], 'balance', balance, 'lifetime', lifetime, typeField, typeTotal, countField, typeCount,
    'lb:points', pointsEntry, entryField, typeEntry, 'streakDay', streakDay or -1, 'streak', streak, 'bestStreak', best,
    'badges', earned, 'tier', newTier, 'w:points', pointsWindows, windowField, typeWindows)
  ambassadorPoints(KEYS[17], memberId, delta, kpiTtl)
  for _, id in ipairs(newBadges) do
    redis.call('XADD', KEYS[3], '*', 'kind', 'badge', 'activity', ARGV[2], 'type', activityType, 'target', id,
      'points', 0, 'pending', 0, 'balance', balance, 'at', ARGV[4], 'reason', id)
  end
  if newTier ~= tier then
    tierChanged = 1
    tier = newTier
  end
end
redis.call('HSET', KEYS[1], 'status', newStatus, 'moderatedAt', ARGV[4], 'moderationReason', ARGV[5])
redis.call('XADD', KEYS[3], '*', 'kind', entryKind, 'activity', ARGV[2], 'type', activityType, 'target', a[5],
  'points', delta, 'pending', 0, 'balance', balance, 'at', ARGV[4], 'reason', ARGV[5])
if tierChanged == 1 then
  redis.call('XADD', KEYS[3], '*', 'kind', 'tier', 'activity', ARGV[2], 'type', activityType, 'target', '',
    'points', 0, 'pending', 0, 'balance', balance, 'at', ARGV[4], 'reason', tostring(tier))
end
return {'done', newStatus, delta, balance, lifetime, tier, tierChanged, table.concat(newBadges, ',')}
