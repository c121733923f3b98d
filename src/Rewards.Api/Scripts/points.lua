-- Module points: a change of points of one activity, applied to its member. The award script (an award) and the
-- moderation script (an approval or a reversal) both go through it, so a member moves the same way whoever moves them.
-- Exports:
--   apply(memberKey, m, typePoints, typeCount, typeEntry, kAt, aAt, memberId, activityType, delta, dayNumber,
--         tiers, badgeRules, nowMs, seq, deferred) -> balance, lifetime, tier, fromTier, newBadges, fields
--     m: the member as member.read returned it (with boards.periodFields); typePoints..typeEntry: the type's fields
--     (member.typeFields); seq: the change's commit sequence value (boards.sequence);
--     kAt, aAt: where the BoardWrites keys and arguments start in KEYS and ARGV (boards.apply).
--     Moves balance, lifetime, the type's total and count (+1 for added points, -1 for taken ones), every board window,
--     and for added points the streak (dayNumber: the activity's local day number) and badges; then the tier, which a
--     reversal can lower. One HSET of the member hash; with deferred, not written: the fields (HSET's field/value list) are
--     returned for the caller to add its own and write them with one HSET (the award adds the event sequence). The caller
--     then writes the ledger with ledger.record(..., newBadges, tier, fromTier).
--   NO_BADGES: an empty list of badges, for decisions that move no points

--!include member
--!include boards
--!include gamification

local R = member.R
local NO_BADGES = {}

local function apply(memberKey, m, typePoints, typeCount, typeEntry, kAt, aAt, memberId, activityType, delta,
    dayNumber, tiers, badgeRules, nowMs, seq, deferred)
  local balance, lifetime = (tonumber(m[R.BALANCE]) or 0) + delta, (tonumber(m[R.LIFETIME]) or 0) + delta
  local typeTotal = (tonumber(m[R.TYPE_POINTS]) or 0) + delta
  local count = (tonumber(m[R.TYPE_COUNT]) or 0) + (delta > 0 and 1 or -1)
  local stored = {}
  for i = 1, 6 do stored[i] = m[R.PERIODS + i - 1] or nil end
  local pointsEntry, typeEntryValue, fields = boards.apply(kAt, aAt, memberKey, memberId, delta, lifetime, typeTotal,
    m[R.POINTS_ENTRY], m[R.TYPE_ENTRY], seq, stored)
  local streakDay, streak, best = tonumber(m[R.STREAK_DAY]), tonumber(m[R.STREAK]) or 0, tonumber(m[R.BEST_STREAK]) or 0
  local earned, newBadges = m[R.BADGES] or ',', NO_BADGES
  if delta > 0 then
    streakDay, streak, best = gamification.nextStreak(dayNumber, streakDay, streak, best)
    earned, newBadges = gamification.earnBadges(badgeRules, earned, activityType, count, lifetime, streak)
  end
  local fromTier = tonumber(m[R.TIER]) or 0
  local tier = gamification.tierOf(tiers, lifetime)
  local write = {member.BALANCE, balance, member.LIFETIME, lifetime, typePoints, typeTotal, typeCount, count,
    member.POINTS_ENTRY, pointsEntry, typeEntry, typeEntryValue, member.STREAK_DAY, streakDay or -1, member.STREAK, streak,
    member.BEST_STREAK, best, member.BADGES, earned, member.TIER, tier}
  for i = 1, #fields do write[#write + 1] = fields[i] end
  if deferred then return balance, lifetime, tier, fromTier, newBadges, write end
  redis.call('HSET', memberKey, unpack(write))
  return balance, lifetime, tier, fromTier, newBadges
end

return {apply = apply, NO_BADGES = NO_BADGES}
