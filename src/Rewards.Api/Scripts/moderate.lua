-- Moderates one activity: approve or reject a pending one, or reverse (claw back) an awarded one.
-- The state check and every write happen in this one run, so concurrent moderations cannot both succeed.
-- Approvals and reversals move the member on the boards of the activity's own periods (its occurredAt), and
-- update type counts, tier (a reversal can drop it, at once), badges (earned once, never taken back), KPIs, through the
-- same points.apply as an award; the ledger gets its entries in the same order as an award's (ledger.record).
-- Keys and arguments are named once, below; the C# side builds them from one record (ModerateScript, ActivityStore.cs).
-- Events (events.lua): activity.approved, activity.rejected or activity.reversed, then member.badge_earned per badge,
-- member.tier_changed, and for an approval leaderboard.overtaken per member passed (as an award); a refused moderation
-- emits nothing.
-- Returns {'missing'} | {'conflict', currentStatus} | {'inactive', memberStatus}
--       | {'done', newStatus, points, balance, lifetime, tier, tierChanged, newBadges}

--!include layout
--!include codes
--!include activity
--!include member
--!include ledger
--!include kpis
--!include points
--!include boards
--!include lots
--!include events

local L = layout.new()
--!keys
local ACTIVITY = L.key()
local MEMBER = L.key()
local LEDGER = L.key()
local DAY_CAP = L.key()               -- cap counter of the activity's day
local WEEK_CAP = L.key()              -- cap counter of the activity's week
local TARGETS = L.key()               -- the member's targets for the type
local BOARDS = L.key(boards.KEY_COUNT)
local ACTIVITY_DAY_STATS = L.key()    -- KPI hash of the activity's day
local TODAY_STATS = L.key()           -- KPI hash of today
local AMBASSADOR_DAY = L.key()        -- ambassador points of the activity's day
local REFERRAL = L.key()              -- referral marker of the target (referrals)
local PENDING = L.key()               -- the moderation queue (approval and rejection take the activity off it)
local LOTS = L.key()                  -- the member's lots (lots.lua)
local LOTS_DUE = L.key()              -- the program's members by earliest lot expiry
local EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites)
--!args
local ACTION = L.arg()                -- 'approve' | 'reject' | 'reverse'
local ACTIVITY_ID = L.arg()
local MEMBER_ID = L.arg()
local NOW = L.arg()                   -- unix ms
local REASON = L.arg()                -- '' = none
local BOARD_ARGS = L.arg(boards.ARG_COUNT)
local TIERS = L.arg()                 -- tier thresholds
local BADGES = L.arg()                -- badge rules
local DAY_NUMBER = L.arg()            -- local day number of the activity
local KPI_TTL = L.arg()               -- s
local DETAIL_TTL = L.arg()            -- s: the activity's hash expires this long after its moderation
local LOT = L.arg()                   -- an approval's lot (expiry date 'yyyymmdd' from today); '' = policy none
local EVENT_ARGS = L.arg(events.ARG_COUNT)
--!end

local a = redis.call('HMGET', KEYS[ACTIVITY], activity.STATUS, activity.POINTS, activity.MEMBER, activity.TYPE, activity.TARGET,
  activity.HOLDS, activity.LOT)
local memberId = ARGV[MEMBER_ID]
if not a[1] or a[3] ~= memberId then return {'missing'} end

local action, status, activityPoints = ARGV[ACTION], a[1], tonumber(a[2])
local expected = (action == 'reverse') and codes.outcome.awarded or codes.outcome.pending
if status ~= expected then return {'conflict', status} end

local activityType, activityId, now, kpiTtl = a[4], ARGV[ACTIVITY_ID], tonumber(ARGV[NOW]), ARGV[KPI_TTL]
local typePoints, typeCount, typeEntry, lastAtField = member.typeFields(activityType)
local m = member.read(KEYS[MEMBER], typePoints, typeCount, typeEntry, lastAtField,
  boards.periodFields(BOARDS, BOARD_ARGS))
local memberStatus = m[member.R.STATUS]
-- An erased member's activities are not moderated at all: a rejection would write a moderator's text about them again.
if memberStatus ~= codes.status.active and (action ~= 'reject' or memberStatus == codes.status.erased) then
  return {'inactive', memberStatus or 'missing'}
end

local dayStats = KEYS[ACTIVITY_DAY_STATS]
local delta, newStatus, entryKind
if action == 'approve' then
  delta, newStatus, entryKind = activityPoints, codes.outcome.awarded, codes.ledger.approval
  kpis.statLater(dayStats, codes.outcome.pending .. ':' .. activityType, -1, kpiTtl)
  kpis.statLater(dayStats, codes.outcome.awarded .. ':' .. activityType, 1, kpiTtl)
  kpis.statLater(dayStats, 'pointsIssued', activityPoints, kpiTtl)
elseif action == 'reject' then
  delta, newStatus, entryKind = 0, codes.outcome.rejected, codes.ledger.rejection
  kpis.statLater(dayStats, codes.outcome.pending .. ':' .. activityType, -1, kpiTtl)
  kpis.statLater(dayStats, codes.outcome.rejected .. ':' .. activityType, 1, kpiTtl)
  -- Give back the cap and target slots the pending activity held.
  -- 'holds' says which were taken at award time: day cap, week cap, target (one '0'/'1' each).
  local holds = a[6] or '000'
  if string.sub(holds, 1, 1) == '1' and tonumber(redis.call('GET', KEYS[DAY_CAP]) or '0') > 0 then redis.call('DECR', KEYS[DAY_CAP]) end
  if string.sub(holds, 2, 2) == '1' and tonumber(redis.call('GET', KEYS[WEEK_CAP]) or '0') > 0 then redis.call('DECR', KEYS[WEEK_CAP]) end
  if string.sub(holds, 3, 3) == '1' then redis.call('SREM', KEYS[TARGETS], a[5]) end
  -- A rejected referral does not use up the referred member: someone else may refer them.
  if redis.call('GET', KEYS[REFERRAL]) == activityId then redis.call('DEL', KEYS[REFERRAL]) end
else
  delta, newStatus, entryKind = -activityPoints, codes.outcome.reversed, codes.ledger.reversal
  kpis.statLater(KEYS[TODAY_STATS], 'pointsReversed', activityPoints, kpiTtl)
end

-- Lots: an approval makes or grows today's lot; a reversal takes its points from its own lot first, then earliest expiry
-- first. What lots cannot give comes from points without expiry, or leaves a negative balance (docs/points-expiry.md).
local extra, approvalLot = nil, ''
if action == 'approve' and ARGV[LOT] ~= '' then
  approvalLot = ARGV[LOT]
  lots.earn(KEYS[LOTS], KEYS[LOTS_DUE], memberId, approvalLot, activityPoints, tonumber(m[member.R.BALANCE]) or 0)
elseif action == 'reverse' then
  local taken = lots.take(KEYS[LOTS], activityPoints, a[7])
  if taken ~= '' then extra = {'lots', taken} end
end

local balance, lifetime = tonumber(m[member.R.BALANCE]) or 0, tonumber(m[member.R.LIFETIME]) or 0
local tier = tonumber(m[member.R.TIER]) or 0
local fromTier, newBadges = tier, points.NO_BADGES
local seq
if delta ~= 0 then
  seq = boards.sequence(BOARDS, 1)
  balance, lifetime, tier, fromTier, newBadges = points.apply(KEYS[MEMBER], m, typePoints, typeCount, typeEntry,
    BOARDS, BOARD_ARGS, memberId, activityType, delta, tonumber(ARGV[DAY_NUMBER]), ARGV[TIERS], ARGV[BADGES], now, seq)
  kpis.ambassadorPointsLater(KEYS[AMBASSADOR_DAY], memberId, delta, kpiTtl)
end
if action ~= 'reverse' then redis.call('ZREM', KEYS[PENDING], activityId) end
redis.call('HSET', KEYS[ACTIVITY], activity.STATUS, newStatus, activity.MODERATED_AT, ARGV[NOW], activity.MODERATION_REASON,
  ARGV[REASON])
redis.call('EXPIRE', KEYS[ACTIVITY], ARGV[DETAIL_TTL])
if approvalLot ~= '' then redis.call('HSET', KEYS[ACTIVITY], activity.LOT, approvalLot) end
ledger.record(KEYS[LEDGER], entryKind, activityId, activityType, a[5], delta, 0, balance, ARGV[NOW], ARGV[REASON], newBadges,
  tier, fromTier, extra)
local w, reason = events.writes(EVENTS, EVENT_ARGS), ARGV[REASON] ~= '' and ARGV[REASON] or nil
local eventType = (action == 'approve' and codes.event.approved) or (action == 'reject' and codes.event.rejected)
  or codes.event.reversed
local data = {activityId = activityId, type = activityType, reason = reason}
if delta ~= 0 then data.points, data.balance, data.lifetimePoints = delta, balance, lifetime end
events.emit(w, eventType, memberId, KEYS[MEMBER], now, data)
events.progress(w, memberId, events.sequenceOf(KEYS[MEMBER]), now, 'activityId', activityId, newBadges, tier, fromTier)
if action == 'approve' and delta > 0 then
  events.overtaken(w, boards.pointsAllKey(BOARDS), string.sub(KEYS[MEMBER], 1, #KEYS[MEMBER] - #memberId), memberId,
    tonumber(m[member.R.LIFETIME]) or 0, member.allTimeEntry(m[member.R.POINTS_ENTRY], memberId), lifetime, member.entryOf(seq, memberId),
    now, activityId)
end
kpis.flush()
return {'done', newStatus, delta, balance, lifetime, tier, tier ~= fromTier and 1 or 0, table.concat(newBadges, ',')}
