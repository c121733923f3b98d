-- Records activities and decides their points: idempotency, rule checks, anti-gaming, ledger append, totals, every
-- leaderboard window, tier, badges, streak and KPIs, all or nothing. One run may carry several awards of one program
-- (group commit: the API batches concurrent awards so that the per-call cost is shared); they are decided one after
-- the other, in order, exactly as separate runs would be. Keys are built by RedisKeys and all carry the program's tag.
-- Each award's keys and arguments are named once, below, as offsets into its slice of KEYS and ARGV; the C# side builds
-- them from one record (AwardScript, Features/Activities/ActivityStore.cs), and ScriptContractTests checks both agree.
-- The idempotency record is one string (parsed by AwardRecord.Parse in C#):
--   requestHash|activityId|status|reason|points|pendingPoints|balance|lifetime|tier|tierChanged|newBadges
-- Returns one reply per award: {'stale'} | {'conflict'} | {'replayed', record} | {'recorded', record}
-- KPI counters are summed over the run and written once at its end (kpis.flush).

--!include layout
--!include codes
--!include member
--!include ledger
--!include kpis
--!include points
--!include boards

local L = layout.new()
--!keys
local PROGRAM = L.key()               -- program hash (settings version)
local IDEMPOTENCY = L.key()           -- the idempotency record
local MEMBER = L.key()
local LEDGER = L.key()
local ACTIVITY = L.key()
local DAY_CAP = L.key()               -- cap counter of the local day
local WEEK_CAP = L.key()              -- cap counter of the local ISO week
local TARGETS = L.key()               -- the member's targets for this type
local MEMBER_INDEX = L.key()
local BOARDS = L.key(boards.KEY_COUNT)
local STATS = L.key()                 -- KPI hash of the day
local ACTIVE_MEMBERS = L.key()        -- HyperLogLog of the day
local VELOCITY = L.key()              -- the member's activities this minute
local AMBASSADOR_DAY = L.key()        -- ambassador points of the day
local FLAGGED = L.key()               -- flagged members set
local REFERRAL = L.key()              -- referral marker of the target (referrals)
--!args
local VERSION = L.arg()               -- settings version
local REQUEST_HASH = L.arg()
local ACTIVITY_ID = L.arg()
local MEMBER_ID = L.arg()
local ACTIVITY_TYPE = L.arg()
local TARGET = L.arg()                -- '' = none
local OCCURRED_AT = L.arg()           -- unix ms
local NOW = L.arg()                   -- unix ms
local POINTS = L.arg()                -- the rule's points
local DAILY_CAP = L.arg()             -- 0 = none
local WEEKLY_CAP = L.arg()            -- 0 = none
local UNIQUE_PER_TARGET = L.arg()     -- 1/0
local COOLDOWN = L.arg()              -- ms, 0 = none
local REQUIRES_APPROVAL = L.arg()     -- 1/0
local IDEMPOTENCY_TTL = L.arg()       -- s
local DAY_CAP_TTL = L.arg()           -- s
local WEEK_CAP_TTL = L.arg()          -- s
local DAY = L.arg()                   -- local day id
local WEEK = L.arg()                  -- local week id
local MONTH = L.arg()                 -- local month id
local BOARD_ARGS = L.arg(boards.ARG_COUNT)
local TIERS = L.arg()                 -- tier thresholds
local BADGES = L.arg()                -- badge rules
local DAY_NUMBER = L.arg()            -- local day number (streaks)
local VELOCITY_MAX = L.arg()          -- per minute, 0 = none
local KPI_TTL = L.arg()               -- s
local IS_REFERRAL = L.arg()           -- 1/0
--!end
local KEYS_PER_AWARD, ARGS_PER_AWARD = L.keys, L.args

local R, ACTIVE, AWARDED, PENDING, REJECTED = member.R, codes.status.active, codes.outcome.awarded, codes.outcome.pending,
  codes.outcome.rejected
local checkedVersions = {}

-- k, a: where this award's slice starts in KEYS and ARGV, less one (KEYS[k + MEMBER] is its member key).
local function award(k, a)
  -- The awards of one run share their program: its settings version is read once.
  local programKey = KEYS[k + PROGRAM]
  local version = checkedVersions[programKey]
  if version == nil then
    version = redis.call('HGET', programKey, 'version') or false
    checkedVersions[programKey] = version
  end
  if version ~= ARGV[a + VERSION] then return {'stale'} end

  local idempotencyKey, requestHash = KEYS[k + IDEMPOTENCY], ARGV[a + REQUEST_HASH]
  local seen = redis.call('GET', idempotencyKey)
  if seen then
    if string.sub(seen, 1, #requestHash + 1) ~= requestHash .. '|' then return {'conflict'} end
    return {'replayed', seen}
  end

  local memberKey, statsKey, capDayKey, capWeekKey, targetsKey, referralKey = KEYS[k + MEMBER], KEYS[k + STATS],
    KEYS[k + DAY_CAP], KEYS[k + WEEK_CAP], KEYS[k + TARGETS], KEYS[k + REFERRAL]
  local activityId, memberId, activityType, target = ARGV[a + ACTIVITY_ID], ARGV[a + MEMBER_ID], ARGV[a + ACTIVITY_TYPE],
    ARGV[a + TARGET]
  local occurredAt, now, rulePoints = tonumber(ARGV[a + OCCURRED_AT]), tonumber(ARGV[a + NOW]), tonumber(ARGV[a + POINTS])
  local dailyCap, weeklyCap, cooldown = tonumber(ARGV[a + DAILY_CAP]), tonumber(ARGV[a + WEEKLY_CAP]), tonumber(ARGV[a + COOLDOWN])
  local uniquePerTarget, requiresApproval = ARGV[a + UNIQUE_PER_TARGET] == '1', ARGV[a + REQUIRES_APPROVAL] == '1'
  local isReferral, velocityMax, kpiTtl = ARGV[a + IS_REFERRAL] == '1', tonumber(ARGV[a + VELOCITY_MAX]), ARGV[a + KPI_TTL]
  local typePoints, typeCount, typeEntry, typeWindows, lastAtField = member.typeFields(activityType)

  local m = member.read(memberKey, typePoints, typeCount, typeEntry, typeWindows, lastAtField)
  local status = m[R.STATUS]
  if not status then
    -- First activity of this member: created implicitly.
    status = ACTIVE
    member.create(memberKey, KEYS[k + MEMBER_INDEX], memberId, now)
    kpis.statLater(statsKey, 'newMembers', 1, kpiTtl)
  end

  -- The latest occurredAt accepted for this type: a backdated activity must not move it back, or the next one
  -- would be measured against the older instant and slip through the cooldown.
  local lastAt = tonumber(m[R.LAST_AT])
  local nextLastAt = math.max(occurredAt, lastAt or occurredAt)

  local reason = ''
  if status ~= ACTIVE then
    reason = codes.reason.memberPrefix .. status
  elseif uniquePerTarget and redis.call('SISMEMBER', targetsKey, target) == 1 then
    reason = codes.reason.duplicateTarget
  elseif cooldown > 0 and lastAt and math.abs(occurredAt - lastAt) < cooldown then
    reason = codes.reason.cooldown
  elseif isReferral and redis.call('EXISTS', referralKey) == 1 then
    reason = codes.reason.alreadyReferred
  end

  -- Caps: count first, take the count back when over the cap (one command per cap on the common path).
  -- Pending activities hold their cap and target slots, so approvals can never exceed a cap; a moderator's
  -- rejection gives them back. Counters get their expiry once, when the period's first activity creates them.
  local countedDay, countedWeek, claimedTarget = 0, 0, 0
  if reason == '' and dailyCap > 0 then
    local n = redis.call('INCR', capDayKey)
    if n == 1 then redis.call('EXPIRE', capDayKey, ARGV[a + DAY_CAP_TTL]) end
    if n > dailyCap then redis.call('DECR', capDayKey); reason = codes.reason.dailyCap else countedDay = 1 end
  end
  if reason == '' and weeklyCap > 0 then
    local n = redis.call('INCR', capWeekKey)
    if n == 1 then redis.call('EXPIRE', capWeekKey, ARGV[a + WEEK_CAP_TTL]) end
    if n > weeklyCap then
      redis.call('DECR', capWeekKey); reason = codes.reason.weeklyCap
      if countedDay == 1 then redis.call('DECR', capDayKey); countedDay = 0 end
    else
      countedWeek = 1
    end
  end

  -- Velocity: every activity of an active member counts, refused ones too (a bot hammering duplicates or capped types is
  -- what this catches). Past the program's per-minute limit the member is flagged, and activities that would earn points
  -- are held for moderation.
  local held = false
  if status == ACTIVE and velocityMax > 0 then
    local velocityKey = KEYS[k + VELOCITY]
    local n = redis.call('INCR', velocityKey)
    if n == 1 then redis.call('EXPIRE', velocityKey, 120) end
    if n > velocityMax then
      held = reason == ''
      redis.call('HSET', memberKey, member.FLAGGED, now)
      redis.call('SADD', KEYS[k + FLAGGED], memberId)
    end
  end

  local result, awarded, pending = REJECTED, 0, 0
  local balance, lifetime = tonumber(m[R.BALANCE]) or 0, tonumber(m[R.LIFETIME]) or 0
  local tier = tonumber(m[R.TIER]) or 0
  local fromTier, newBadges = tier, points.NO_BADGES
  if reason == '' then
    if uniquePerTarget then
      redis.call('SADD', targetsKey, target); claimedTarget = 1
    end
    if isReferral then redis.call('SET', referralKey, activityId) end
    if requiresApproval or held then
      result, pending = PENDING, rulePoints
      if held then reason = codes.reason.velocity end
    else
      result, awarded = AWARDED, rulePoints
      balance, lifetime, tier, fromTier, newBadges = points.apply(memberKey, m, typePoints, typeCount, typeEntry, typeWindows,
        k + BOARDS, a + BOARD_ARGS, memberId, activityType, awarded, tonumber(ARGV[a + DAY_NUMBER]), ARGV[a + TIERS],
        ARGV[a + BADGES], now)
      kpis.statLater(statsKey, 'pointsIssued', awarded, kpiTtl)
      kpis.ambassadorPointsLater(KEYS[k + AMBASSADOR_DAY], memberId, awarded, kpiTtl)
    end
    if cooldown > 0 then redis.call('HSET', memberKey, lastAtField, nextLastAt) end
  end
  kpis.statLater(statsKey, result .. ':' .. activityType, 1, kpiTtl)
  kpis.countActiveLater(KEYS[k + ACTIVE_MEMBERS], memberId, kpiTtl)

  redis.call('HSET', KEYS[k + ACTIVITY], 'member', memberId, 'type', activityType, 'target', target, 'occurredAt', occurredAt,
    'recordedAt', now, 'status', result, 'reason', reason, 'points', rulePoints, 'day', ARGV[a + DAY], 'week', ARGV[a + WEEK],
    'month', ARGV[a + MONTH], 'holds', countedDay .. countedWeek .. claimedTarget)

  local entryKind = (result == AWARDED and codes.ledger.award) or (result == PENDING and codes.ledger.pending)
    or codes.ledger.rejection
  ledger.record(KEYS[k + LEDGER], entryKind, activityId, activityType, target, awarded, pending, balance, now, reason,
    newBadges, tier, fromTier)

  -- %d keeps large totals exact (tostring would switch to exponent notation past 14 digits).
  local record = string.format('%s|%s|%s|%s|%d|%d|%d|%d|%d|%d|%s', requestHash, activityId, result, reason, awarded, pending,
    balance, lifetime, tier, tier ~= fromTier and 1 or 0, table.concat(newBadges, ','))
  redis.call('SET', idempotencyKey, record, 'EX', ARGV[a + IDEMPOTENCY_TTL])
  return {'recorded', record}
end

local replies = {}
for i = 0, #KEYS / KEYS_PER_AWARD - 1 do
  replies[i + 1] = award(i * KEYS_PER_AWARD, i * ARGS_PER_AWARD)
end
kpis.flush()
return replies
