-- Records activities and decides their points: idempotency, rule checks, anti-gaming, ledger append, totals, every
-- leaderboard window, tier, badges, streak and KPIs, all or nothing. One run may carry several awards of one program
-- (group commit: the API batches concurrent awards so that the per-call cost is shared); they are decided one after
-- the other, in order, exactly as separate runs would be. Keys are built by RedisKeys and all carry the program's tag.
-- Per award, 23 keys and 32 arguments:
-- KEYS: 1 program, 2 idempotency record, 3 member, 4 ledger stream, 5 activity, 6 day cap counter, 7 week cap counter,
--       8 member's targets for this type, 9 member index, 10-17 boards: points all/day/week/month, type all/day/week/month,
--       18 KPI hash of the day, 19 active-members HyperLogLog of the day, 20 member's velocity counter (this minute),
--       21 ambassador points of the day, 22 flagged members set, 23 referral marker of the target (referrals)
-- ARGV: 1 settings version, 2 request hash, 3 activity id, 4 member id, 5 activity type, 6 target id ('' = none),
--       7 occurredAt (unix ms), 8 now (unix ms), 9 rule points, 10 daily cap (0 = none), 11 weekly cap (0 = none),
--       12 unique per target (1/0), 13 cooldown ms (0 = none), 14 requires approval (1/0),
--       15 idempotency ttl s, 16 day counter ttl s, 17 week counter ttl s, 18 local day id, 19 local week id,
--       20 local month id, 21-23 day/week/month window start (unix s), 24-26 day/week/month board ttl (s),
--       27 tier thresholds, 28 badge rules, 29 local day number (streaks), 30 velocity max per minute (0 = none),
--       31 KPI ttl s, 32 referral (1/0)
-- The idempotency record is one string:
--   requestHash|activityId|status|reason|points|pendingPoints|balance|lifetime|tier|tierChanged|newBadges
-- Returns one reply per award: {'stale'} | {'conflict'} | {'erased'} | {'replayed', record} | {'recorded', record}
-- KPI counters are summed over the run and written once at its end (flushKpis, gamification.lua).

local KEYS_PER_AWARD, ARGS_PER_AWARD = 23, 32
local checkedVersions = {}

local function award(K, A)
  -- The awards of one run share their program: its settings version is read once.
  local version = checkedVersions[K[1]]
  if version == nil then
    version = redis.call('HGET', K[1], 'version') or false
    checkedVersions[K[1]] = version
  end
  if version ~= A[1] then return {'stale'} end

  local seen = redis.call('GET', K[2])
  if seen then
    if string.sub(seen, 1, #A[2] + 1) ~= A[2] .. '|' then return {'conflict'} end
    if redis.call('HGET', K[3], 'status') == 'erased' then return {'erased'} end -- a replay must not show their balance
    return {'replayed', seen}
  end

  local activityId, memberId, activityType, target = A[3], A[4], A[5], A[6]
  local occurredAt, now, rulePoints = tonumber(A[7]), tonumber(A[8]), tonumber(A[9])
  local dailyCap, weeklyCap, cooldown = tonumber(A[10]), tonumber(A[11]), tonumber(A[13])
  local uniquePerTarget, requiresApproval = A[12] == '1', A[14] == '1'
  local kpiTtl = A[31]
  local cooldownField, typeField, entryField, countField = 'lastAt:' .. activityType, 't:' .. activityType, 'lb:' .. activityType, 'c:' .. activityType

  local windowField = 'w:' .. activityType
  local member = redis.call('HMGET', K[3], 'status', 'balance', 'lifetime', cooldownField, typeField, 'lb:points', entryField,
    countField, 'streakDay', 'streak', 'bestStreak', 'badges', 'tier', 'w:points', windowField)
  local status, balance, lifetime = member[1], tonumber(member[2]) or 0, tonumber(member[3]) or 0
  if status == 'erased' then return {'erased'} end -- refused, nothing written: no new data about an erased member
  if not status then
    -- First activity of this member: created implicitly.
    status = 'active'
    redis.call('HSET', K[3], 'status', status, 'balance', 0, 'lifetime', 0, 'createdAt', now)
    redis.call('ZADD', K[9], 'NX', now, memberId)
    statLater(K[18], 'newMembers', 1, kpiTtl)
  end

  -- The latest occurredAt accepted for this type: a backdated activity must not move it back, or the next one
  -- would be measured against the older instant and slip through the cooldown.
  local lastAt = tonumber(member[4])
  local nextLastAt = math.max(occurredAt, lastAt or occurredAt)

  local reason = ''
  if status ~= 'active' then
    reason = 'member_' .. status
  elseif uniquePerTarget and redis.call('SISMEMBER', K[8], target) == 1 then
    reason = 'duplicate_target'
  elseif cooldown > 0 and lastAt and math.abs(occurredAt - lastAt) < cooldown then
    reason = 'cooldown'
  elseif A[32] == '1' and redis.call('EXISTS', K[23]) == 1 then
    reason = 'already_referred'
  end

  -- Caps: count first, take the count back when over the cap (one command per cap on the common path).
  -- Pending activities hold their cap and target slots, so approvals can never exceed a cap; a moderator's
  -- rejection gives them back. Counters get their expiry once, when the period's first activity creates them.
  local countedDay, countedWeek, claimedTarget = 0, 0, 0
  if reason == '' and dailyCap > 0 then
    local n = redis.call('INCR', K[6])
    if n == 1 then redis.call('EXPIRE', K[6], A[16]) end
    if n > dailyCap then redis.call('DECR', K[6]); reason = 'daily_cap_reached' else countedDay = 1 end
  end
  if reason == '' and weeklyCap > 0 then
    local n = redis.call('INCR', K[7])
    if n == 1 then redis.call('EXPIRE', K[7], A[17]) end
    if n > weeklyCap then
      redis.call('DECR', K[7]); reason = 'weekly_cap_reached'
      if countedDay == 1 then redis.call('DECR', K[6]); countedDay = 0 end
    else
      countedWeek = 1
    end
  end

  -- Velocity: every activity of an active member counts, refused ones too (a bot hammering duplicates or capped types is
  -- what this catches). Past the program's per-minute limit the member is flagged, and activities that would earn points
  -- are held for moderation.
  local held = false
  if status == 'active' and tonumber(A[30]) > 0 then
    local n = redis.call('INCR', K[20])
    if n == 1 then redis.call('EXPIRE', K[20], 120) end
    if n > tonumber(A[30]) then
      held = reason == ''
      redis.call('HSET', K[3], 'flagged', now)
      redis.call('SADD', K[22], memberId)
    end
  end

  local result, awarded, pending = 'rejected', 0, 0
  local tier, tierChanged, newBadges = tonumber(member[13]) or 0, 0, {}
  if reason == '' then
    if uniquePerTarget then
      redis.call('SADD', K[8], target); claimedTarget = 1
    end
    if A[32] == '1' then redis.call('SET', K[23], activityId) end
    if requiresApproval or held then
      result, pending = 'pending', rulePoints
      if held then reason = 'velocity' end
      if cooldown > 0 then redis.call('HSET', K[3], cooldownField, nextLastAt) end
    else
      result, awarded = 'awarded', rulePoints
      balance, lifetime = balance + awarded, lifetime + awarded
      local typeTotal = (tonumber(member[5]) or 0) + awarded
      local typeCount = (tonumber(member[8]) or 0) + 1
      local pointsEntry, typeEntry, pointsWindows, typeWindows = applyToBoards(
        {K[10], K[11], K[12], K[13], K[14], K[15], K[16], K[17]}, {A[21], A[22], A[23], A[24], A[25], A[26]},
        memberId, awarded, lifetime, typeTotal, member[6], member[7], now, member[14], member[15])
      local streakDay, streak, best = nextStreak(tonumber(A[29]), tonumber(member[9]), tonumber(member[10]) or 0, tonumber(member[11]) or 0)
      local earned
      earned, newBadges = earnBadges(A[28], member[12] or ',', activityType, typeCount, lifetime, streak)
      local newTier = tierOf(A[27], lifetime)
      redis.call('HSET', K[3], 'balance', balance, 'lifetime', lifetime, typeField, typeTotal, countField, typeCount,
        'lb:points', pointsEntry, entryField, typeEntry, 'streakDay', streakDay, 'streak', streak, 'bestStreak', best,
        'badges', earned, 'tier', newTier, 'w:points', pointsWindows, windowField, typeWindows)
      if cooldown > 0 then redis.call('HSET', K[3], cooldownField, nextLastAt) end
      for _, id in ipairs(newBadges) do
        redis.call('XADD', K[4], '*', 'kind', 'badge', 'activity', activityId, 'type', activityType, 'target', id,
          'points', 0, 'pending', 0, 'balance', balance, 'at', now, 'reason', id)
      end
      if newTier ~= tier then
        tierChanged = 1
        redis.call('XADD', K[4], '*', 'kind', 'tier', 'activity', activityId, 'type', activityType, 'target', '',
          'points', 0, 'pending', 0, 'balance', balance, 'at', now, 'reason', tostring(newTier))
        tier = newTier
      end
      statLater(K[18], 'pointsIssued', awarded, kpiTtl)
      ambassadorPointsLater(K[21], memberId, awarded, kpiTtl)
    end
  end
  statLater(K[18], result .. ':' .. activityType, 1, kpiTtl)
  countActiveLater(K[19], memberId, kpiTtl)

  redis.call('HSET', K[5], 'member', memberId, 'type', activityType, 'target', target, 'occurredAt', occurredAt,
    'recordedAt', now, 'status', result, 'reason', reason, 'points', rulePoints, 'day', A[18], 'week', A[19], 'month', A[20],
    'holds', countedDay .. countedWeek .. claimedTarget)

  local entryKind = (result == 'awarded' and 'award') or (result == 'pending' and 'pending') or 'rejection'
  redis.call('XADD', K[4], '*', 'kind', entryKind, 'activity', activityId, 'type', activityType, 'target', target,
    'points', awarded, 'pending', pending, 'balance', balance, 'at', now, 'reason', reason)

  -- %d keeps large totals exact (tostring would switch to exponent notation past 14 digits).
  local record = string.format('%s|%s|%s|%s|%d|%d|%d|%d|%d|%d|%s', A[2], activityId, result, reason, awarded, pending,
    balance, lifetime, tier, tierChanged, table.concat(newBadges, ','))
  redis.call('SET', K[2], record, 'EX', A[15])
  return {'recorded', record}
end

local replies = {}
for i = 0, #KEYS / KEYS_PER_AWARD - 1 do
  local K = {unpack(KEYS, i * KEYS_PER_AWARD + 1, (i + 1) * KEYS_PER_AWARD)}
  local A = {unpack(ARGV, i * ARGS_PER_AWARD + 1, (i + 1) * ARGS_PER_AWARD)}
  replies[i + 1] = award(K, A)
end
flushKpis()
return replies
