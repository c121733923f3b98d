-- Records activities and decides their points: idempotency, rule checks, anti-gaming, ledger append, totals, every
-- leaderboard window, tier, badges, streak and KPIs, all or nothing. One run may carry several awards of one program
-- (group commit: the API batches concurrent awards so that the per-call cost is shared); they are decided one after
-- the other, in order, exactly as separate runs would be. Keys are built by RedisKeys and all carry the program's tag.
-- Each award's keys and arguments are named once, below, as offsets into its slice of KEYS and ARGV; the C# side builds
-- them from one record (AwardScript, Features/Activities/ActivityStore.cs), and ScriptContractTests checks both agree.
-- The idempotency record (module idempotency; parsed by AwardRecord.Parse in C#) is the 8-byte request check, then the
-- activity id (16 bytes), then, '|'-separated, trailing empty fields left out:
--   <status letter a|p|r><reason>|points (pending points for a pending one)|balance|lifetime ('' = balance)|tier ('' = 0)|
--   tierChanged ('1' or '')|newBadges|retryAt
-- (retryAt: for a cooldown refusal, the instant in ms from which the next one counts). Records of the old layout (one
-- string per key, 'requestHash|activityId|status|...') are still honoured while they can exist (legacyIdempotencyUntil).
-- Events (events.lua): activity.awarded or activity.pending, then member.badge_earned per badge, member.tier_changed,
-- leaderboard.overtaken per member passed in the top 100 of the all-time points board, and member.flagged when the velocity
-- rule flags the member; a refused award (a rule's rejection, a replay, a conflict, an erased member) emits nothing.
-- Returns one reply per award: {'stale'} | {'conflict'} | {'erased'} | {'replayed', record} | {'recorded', record}
-- KPI counters are summed over the run and written once at its end (kpis.flush).

--!include layout
--!include codes
--!include activity
--!include member
--!include ledger
--!include kpis
--!include idempotency
--!include points
--!include boards
--!include lots
--!include events

-- Offsets in tables rather than locals: the award function would otherwise need one upvalue per offset (Lua allows 60).
local L, KEY, ARG = layout.new(), {}, {}
--!keys
KEY.PROGRAM = L.key()               -- program hash (settings version, ledger layout, legacy idempotency)
KEY.IDEMPOTENCY = L.key(idempotency.KEY_COUNT) -- the idempotency record's keys (IdempotencySlot)
KEY.MEMBER = L.key()
KEY.LEDGER = L.key()                -- the member's ledger (a list: ledger.lua)
KEY.ACTIVITY = L.key()
KEY.DAY_CAP = L.key()               -- cap counter of the local day
KEY.WEEK_CAP = L.key()              -- cap counter of the local ISO week
KEY.TARGETS = L.key()               -- the member's targets for this type
KEY.MEMBER_INDEX = L.key()
KEY.MEMBER_IDS = L.key()            -- the id index (lexicographic), written on a member's first award only
KEY.BOARDS = L.key(boards.KEY_COUNT)
KEY.STATS = L.key()                 -- KPI hash of the day
KEY.ACTIVE_MEMBERS = L.key()        -- HyperLogLog of the day
KEY.VELOCITY = L.key()              -- the member's activities this minute
KEY.AMBASSADOR_DAY = L.key()        -- ambassador points of the day
KEY.FLAGGED = L.key()               -- flagged members set
KEY.REFERRAL = L.key()              -- referral marker of the target (referrals)
KEY.PENDING = L.key()               -- the moderation queue (pending activities by recordedAt), written for a pending activity only
KEY.LOTS = L.key()                  -- the member's lots (lots.lua), written under a pointsExpiry policy only
KEY.LOTS_DUE = L.key()              -- the program's members by earliest lot expiry (lots.lua)
KEY.EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites)
--!args
ARG.IDEMPOTENCY = L.arg(idempotency.ARG_COUNT) -- the idempotency record's arguments (IdempotencySlot)
ARG.VERSION = L.arg()               -- settings version
ARG.ACTIVITY_ID = L.arg()
ARG.ACTIVITY_ID_BYTES = L.arg()      -- the same id as 16 bytes (the idempotency record's copy)
ARG.MEMBER_ID = L.arg()
ARG.ACTIVITY_TYPE = L.arg()
ARG.TARGET = L.arg()                -- '' = none
ARG.OCCURRED_AT = L.arg()           -- unix ms
ARG.NOW = L.arg()                   -- unix ms
ARG.POINTS = L.arg()                -- the rule's points
ARG.DAILY_CAP = L.arg()             -- 0 = none
ARG.WEEKLY_CAP = L.arg()            -- 0 = none
ARG.UNIQUE_PER_TARGET = L.arg()     -- 1/0
ARG.COOLDOWN = L.arg()              -- ms, 0 = none
ARG.REQUIRES_APPROVAL = L.arg()     -- 1/0
ARG.LEGACY_IDEMPOTENCY_UNTIL = L.arg() -- unix ms: until when records of the old layout may exist, if this run finds none set
ARG.DAY_CAP_TTL = L.arg()           -- s
ARG.WEEK_CAP_TTL = L.arg()          -- s
ARG.DAY = L.arg()                   -- local day id
ARG.WEEK = L.arg()                  -- local week id
ARG.MONTH = L.arg()                 -- local month id
ARG.BOARD_ARGS = L.arg(boards.ARG_COUNT)
ARG.TIERS = L.arg()                 -- tier thresholds
ARG.BADGES = L.arg()                -- badge rules
ARG.DAY_NUMBER = L.arg()            -- local day number (streaks)
ARG.VELOCITY_MAX = L.arg()          -- per minute, 0 = none
ARG.KPI_TTL = L.arg()               -- s
ARG.IS_REFERRAL = L.arg()           -- 1/0
ARG.DETAIL_TTL = L.arg()            -- s: a decided activity's hash expires this long after the decision (pending: no expiry)
ARG.LOT = L.arg()                   -- the lot awarded points go into (expiry date 'yyyymmdd'); '' = policy none, no lot
ARG.EVENTS = L.arg(events.ARG_COUNT)
--!end
local KEYS_PER_AWARD, ARGS_PER_AWARD = L.keys, L.args

local R, ACTIVE, AWARDED, PENDING, REJECTED = member.R, codes.status.active, codes.outcome.awarded, codes.outcome.pending,
  codes.outcome.rejected
local checkedVersions, legacyOpen = {}, {}

-- k, a: where this award's slice starts in KEYS and ARGV, less one (KEYS[k + KEY.MEMBER] is its member key).
local function award(k, a, seq)
  -- The awards of one run share their program: its settings version is read once.
  local programKey = KEYS[k + KEY.PROGRAM]
  -- Its ledger layout too, in the same command: when every ledger of the program is a list, no award pays an EXISTS for
  -- a former ledger stream (ledger.lua).
  local version = checkedVersions[programKey]
  -- With it, until when idempotency records of the old layout (one string per key) may still exist: while they may, a key
  -- not found in the new layout is looked up there too. The first run that finds none set is the program's first under the
  -- new layout (programs created since have 0): it sets it, a retention from now (plus a rolling upgrade's margin).
  if version == nil then
    local p = redis.call('HMGET', programKey, 'version', 'legacyIdempotencyUntil', ledger.LAYOUT_FIELD)
    version = p[1] or false
    checkedVersions[programKey] = version
    if p[3] == ledger.LAYOUT then ledger.programMigrated() end
    local legacyUntil = tonumber(p[2])
    if version and not legacyUntil then
      legacyUntil = tonumber(ARGV[a + ARG.LEGACY_IDEMPOTENCY_UNTIL])
      redis.call('HSET', programKey, 'legacyIdempotencyUntil', legacyUntil)
    end
    legacyOpen[programKey] = version and legacyUntil > tonumber(ARGV[a + ARG.NOW])
  end
  if version ~= ARGV[a + ARG.VERSION] then return {'stale'} end

  local idemK, idemA = k + KEY.IDEMPOTENCY - 1, a + ARG.IDEMPOTENCY - 1
  local seen = idempotency.find(idemK, idemA, legacyOpen[programKey])
  if seen == false then return {'conflict'} end
  if seen then
    -- A replay must not show an erased member's balance.
    if redis.call('HGET', KEYS[k + KEY.MEMBER], member.STATUS) == codes.status.erased then return {'erased'} end
    return {'replayed', seen}
  end

  local memberKey, statsKey, capDayKey, capWeekKey, targetsKey, referralKey = KEYS[k + KEY.MEMBER], KEYS[k + KEY.STATS],
    KEYS[k + KEY.DAY_CAP], KEYS[k + KEY.WEEK_CAP], KEYS[k + KEY.TARGETS], KEYS[k + KEY.REFERRAL]
  local activityId, memberId, activityType, target = ARGV[a + ARG.ACTIVITY_ID], ARGV[a + ARG.MEMBER_ID], ARGV[a + ARG.ACTIVITY_TYPE],
    ARGV[a + ARG.TARGET]
  local occurredAt, now, rulePoints = tonumber(ARGV[a + ARG.OCCURRED_AT]), tonumber(ARGV[a + ARG.NOW]), tonumber(ARGV[a + ARG.POINTS])
  local dailyCap, weeklyCap, cooldown = tonumber(ARGV[a + ARG.DAILY_CAP]), tonumber(ARGV[a + ARG.WEEKLY_CAP]), tonumber(ARGV[a + ARG.COOLDOWN])
  local uniquePerTarget, requiresApproval = ARGV[a + ARG.UNIQUE_PER_TARGET] == '1', ARGV[a + ARG.REQUIRES_APPROVAL] == '1'
  local isReferral, velocityMax, kpiTtl = ARGV[a + ARG.IS_REFERRAL] == '1', tonumber(ARGV[a + ARG.VELOCITY_MAX]), ARGV[a + ARG.KPI_TTL]
  local typePoints, typeCount, typeEntry, lastAtField = member.typeFields(activityType)

  local m = member.read(memberKey, typePoints, typeCount, typeEntry, lastAtField,
    boards.periodFields(k + KEY.BOARDS, a + ARG.BOARD_ARGS))
  local status = m[R.STATUS]
  if status == codes.status.erased then return {'erased'} end -- refused, nothing written: no new data about an erased member
  -- The member's event sequence: numbered here and written back with the member's other fields (one HSET, no HINCRBY).
  local w, evseq = events.writes(k + KEY.EVENTS, a + ARG.EVENTS), tonumber(m[R.EVENT_SEQ]) or 0
  local firstSeq = evseq
  local function nextSeq() evseq = evseq + 1; return evseq end
  if not status then
    -- First activity of this member: created implicitly.
    status = ACTIVE
    member.create(memberKey, KEYS[k + KEY.MEMBER_INDEX], KEYS[k + KEY.MEMBER_IDS], memberId, now)
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
    if n == 1 then redis.call('EXPIRE', capDayKey, ARGV[a + ARG.DAY_CAP_TTL]) end
    if n > dailyCap then redis.call('DECR', capDayKey); reason = codes.reason.dailyCap else countedDay = 1 end
  end
  if reason == '' and weeklyCap > 0 then
    local n = redis.call('INCR', capWeekKey)
    if n == 1 then redis.call('EXPIRE', capWeekKey, ARGV[a + ARG.WEEK_CAP_TTL]) end
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
    local velocityKey = KEYS[k + KEY.VELOCITY]
    local n = redis.call('INCR', velocityKey)
    if n == 1 then redis.call('EXPIRE', velocityKey, 120) end
    if n > velocityMax then
      held = reason == ''
      redis.call('HSET', memberKey, member.FLAGGED, now)
      if redis.call('SADD', KEYS[k + KEY.FLAGGED], memberId) == 1 and events.on(w) then
        events.emitNumbered(w, codes.event.flagged, memberId, nextSeq(), now, {activityId = activityId})
      end
    end
  end

  local result, awarded, pending, lot, memberWrites = REJECTED, 0, 0, '', nil
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
      redis.call('ZADD', KEYS[k + KEY.PENDING], now, activityId)
    else
      result, awarded = AWARDED, rulePoints
      balance, lifetime, tier, fromTier, newBadges, memberWrites = points.apply(memberKey, m, typePoints, typeCount, typeEntry,
        k + KEY.BOARDS, a + ARG.BOARD_ARGS, memberId, activityType, awarded, tonumber(ARGV[a + ARG.DAY_NUMBER]), ARGV[a + ARG.TIERS],
        ARGV[a + ARG.BADGES], now, seq, true)
      kpis.statLater(statsKey, 'pointsIssued', awarded, kpiTtl)
      kpis.ambassadorPointsLater(KEYS[k + KEY.AMBASSADOR_DAY], memberId, awarded, kpiTtl)
      lot = ARGV[a + ARG.LOT]
      if lot ~= '' then lots.earn(KEYS[k + KEY.LOTS], KEYS[k + KEY.LOTS_DUE], memberId, lot, awarded, balance - awarded) end
    end
    if cooldown > 0 then
      if memberWrites then
        memberWrites[#memberWrites + 1] = lastAtField; memberWrites[#memberWrites + 1] = nextLastAt
      else
        redis.call('HSET', memberKey, lastAtField, nextLastAt)
      end
    end
  end
  kpis.statLater(statsKey, result .. ':' .. activityType, 1, kpiTtl)
  kpis.countActiveLater(KEYS[k + KEY.ACTIVE_MEMBERS], memberId, kpiTtl)

  -- The lot field only when there is a lot: under the policy none the activity is written exactly as before.
  if lot == '' then
    redis.call('HSET', KEYS[k + KEY.ACTIVITY], activity.MEMBER, memberId, activity.TYPE, activityType, activity.TARGET, target,
      activity.OCCURRED_AT, occurredAt, activity.RECORDED_AT, now, activity.STATUS, result, activity.REASON, reason,
      activity.POINTS, rulePoints, activity.DAY, ARGV[a + ARG.DAY], activity.WEEK, ARGV[a + ARG.WEEK], activity.MONTH,
      ARGV[a + ARG.MONTH], activity.HOLDS, countedDay .. countedWeek .. claimedTarget)
  else
    redis.call('HSET', KEYS[k + KEY.ACTIVITY], activity.MEMBER, memberId, activity.TYPE, activityType, activity.TARGET, target,
      activity.OCCURRED_AT, occurredAt, activity.RECORDED_AT, now, activity.STATUS, result, activity.REASON, reason,
      activity.POINTS, rulePoints, activity.DAY, ARGV[a + ARG.DAY], activity.WEEK, ARGV[a + ARG.WEEK], activity.MONTH,
      ARGV[a + ARG.MONTH], activity.HOLDS, countedDay .. countedWeek .. claimedTarget, activity.LOT, lot)
  end
  if result ~= PENDING then redis.call('EXPIRE', KEYS[k + KEY.ACTIVITY], ARGV[a + ARG.DETAIL_TTL]) end

  local entryKind = (result == AWARDED and codes.ledger.award) or (result == PENDING and codes.ledger.pending)
    or codes.ledger.rejection
  ledger.record(KEYS[k + KEY.LEDGER], entryKind, activityId, activityType, target, awarded, pending, balance, now, reason,
    newBadges, tier, fromTier)

  if result ~= REJECTED and events.on(w) then
    -- A referral's target is a member id: not repeated in the referrer's events.
    local targetId = (target ~= '' and not isReferral) and target or nil
    if result == AWARDED then
      events.emitNumbered(w, codes.event.awarded, memberId, nextSeq(), now, {activityId = activityId, type = activityType,
        targetId = targetId, points = awarded, balance = balance, lifetimePoints = lifetime})
      events.progress(w, memberId, nextSeq, now, 'activityId', activityId, newBadges, tier, fromTier)
      events.overtaken(w, boards.pointsAllKey(k + KEY.BOARDS), string.sub(memberKey, 1, #memberKey - #memberId), memberId,
        tonumber(m[R.LIFETIME]) or 0, member.allTimeEntry(m[R.POINTS_ENTRY], memberId), lifetime, member.entryOf(seq, memberId), now,
        activityId)
    else
      events.emitNumbered(w, codes.event.pending, memberId, nextSeq(), now, {activityId = activityId, type = activityType,
        targetId = targetId, pendingPoints = pending, reason = reason ~= '' and reason or nil})
    end
  end
  -- The member's fields moved by the points and the event sequence, in one HSET (the overtaken events above number other
  -- members only: they are never this member).
  if memberWrites then
    if evseq ~= firstSeq then memberWrites[#memberWrites + 1] = member.EVENT_SEQ; memberWrites[#memberWrites + 1] = evseq end
    redis.call('HSET', memberKey, unpack(memberWrites))
  elseif evseq ~= firstSeq then
    redis.call('HSET', memberKey, member.EVENT_SEQ, evseq)
  end

  -- %d keeps large totals exact (tostring would switch to exponent notation past 14 digits). The binary id is concatenated,
  -- not formatted: Lua 5.1's %s stops at a zero byte.
  local retryAt = reason == codes.reason.cooldown and string.format('%d', lastAt + cooldown) or ''
  local answer = string.format('%s%s|%d|%d|%s|%s|%s|%s|%s', string.sub(result, 1, 1), reason, awarded + pending, balance,
    lifetime ~= balance and string.format('%d', lifetime) or '', tier ~= 0 and tier or '', tier ~= fromTier and '1' or '',
    table.concat(newBadges, ','), retryAt)
  local record = idempotency.store(idemK, idemA, ARGV[a + ARG.ACTIVITY_ID_BYTES] .. (string.gsub(answer, '|+$', '')))
  return {'recorded', record}
end

-- One commit sequence value per award, increasing in decision order (board ties follow it): one INCRBY per run.
local replies, count = {}, #KEYS / KEYS_PER_AWARD
local firstSeq = boards.sequence(KEY.BOARDS, count)
for i = 0, count - 1 do
  replies[i + 1] = award(i * KEYS_PER_AWARD, i * ARGS_PER_AWARD, firstSeq + i)
end
kpis.flush()
return replies
