-- A manual adjustment of a member's points (POST .../members/{memberId}/adjustments), all in this one run: the idempotency
-- record (module idempotency, the store of every write path), the client's daily cap, the balance, the lots (a positive
-- adjustment makes or grows today's lot, a negative one takes lots earliest expiry first, and may leave a negative balance:
-- docs/points-expiry.md), lifetime points,
-- tier and the 'points' board only when the request asks (countsTowardLifetime), the ledger entry naming the client, the KPI.
-- With countsTowardLifetime the change goes through points.apply under the type '_adjustment' (no activity type can take
-- that name: types start with a letter), so the member moves on the 'points' board and tier as by an award; an adjustment
-- never extends a streak.
-- The answer (parsed by AdjustPoints): adjustmentId|points|balance|lifetime|tier|lots|at. The idempotency record's payload is
-- compact, to fit a listpack value (docs/storage.md): the adjustment id as 16 bytes, then balance|lifetime|tier|lots|at (the
-- points are the request's: the record's check proves it is the same request). A record of the old layout (module idem, until
-- this version: 'requestHash|answer' in the key's own string, rw:{p}:idem:adj:<hash of the bare key>, which the slot names as
-- its own string) is still answered: find is called with legacyOpen (one GET on a fresh key; adjustments are rare). Remove that
-- once every deployment has run this version for 49 hours.
-- Events: points.adjusted, then (countsTowardLifetime) member.badge_earned per badge and member.tier_changed, with the
-- adjustmentId; no leaderboard.overtaken (an award's news). Nothing for a replay, a conflict, an unknown member or the cap.
-- Returns {'done', answer} | {'replayed', answer} | {'conflict'} | {'missing'} | {'cap', used today}

--!include layout
--!include codes
--!include member
--!include ledger
--!include kpis
--!include points
--!include boards
--!include lots
--!include idempotency
--!include events

local L = layout.new()
--!keys
local IDEMPOTENCY = L.key(idempotency.KEY_COUNT) -- the idempotency record's keys (IdempotencySlot)
local MEMBER = L.key()
local LEDGER = L.key()
local LOTS = L.key()
local LOTS_DUE = L.key()
local CLIENT_DAY = L.key()            -- points the client adjusted today (absolute), for the daily cap
local STATS = L.key()                 -- KPI hash of today
local BOARDS = L.key(boards.KEY_COUNT)
local EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites): points.adjusted
--!args
local IDEMPOTENCY_ARGS = L.arg(idempotency.ARG_COUNT) -- the idempotency record's arguments (IdempotencySlot)
local ADJUSTMENT_ID = L.arg()
local MEMBER_ID = L.arg()
local POINTS = L.arg()                -- ± points
local REASON = L.arg()                -- goodwill | correction | migration | other
local NOTE = L.arg()                  -- free text ('' = none); stored as the entry's reason, scrubbed by erasure
local CLIENT_ID = L.arg()
local NOW = L.arg()                   -- unix ms
local LOT = L.arg()                   -- a positive adjustment's lot (expiry date 'yyyymmdd'); '' = policy none
local CAP = L.arg()                   -- the client's daily cap (absolute points); 0 = none (the operator)
local CAP_TTL = L.arg()               -- s
local KPI_TTL = L.arg()               -- s
local COUNTS = L.arg()                -- 1/0: countsTowardLifetime
local BOARD_ARGS = L.arg(boards.ARG_COUNT)
local TIERS = L.arg()
local BADGES = L.arg()
local EVENT_ARGS = L.arg(events.ARG_COUNT)
--!end

local idemK, idemA = IDEMPOTENCY - 1, IDEMPOTENCY_ARGS - 1
local seen = idempotency.find(idemK, idemA, true)
if seen == false then return {'conflict'} end
if seen then
  local legacy = idempotency.legacyHex(idemA) .. '|'
  if string.sub(seen, 1, #legacy) == legacy then return {'replayed', string.sub(seen, #legacy + 1)} end
  -- The request's 8-byte check, the id's 16 bytes, then balance|lifetime|tier|lots|at.
  local id = idempotency.hex16(seen, 9)
  return {'replayed', id .. '|' .. ARGV[POINTS] .. '|' .. string.sub(seen, 25)}
end

local memberKey, memberId, delta, now = KEYS[MEMBER], ARGV[MEMBER_ID], tonumber(ARGV[POINTS]), tonumber(ARGV[NOW])
local typePoints, typeCount, typeEntry, lastAtField = member.typeFields('_adjustment')
local m = member.read(memberKey, typePoints, typeCount, typeEntry, lastAtField, boards.periodFields(BOARDS, BOARD_ARGS))
local status = m[member.R.STATUS]
if not status or status == codes.status.erased then return {'missing'} end

local cap = tonumber(ARGV[CAP])
if cap > 0 then
  local used = tonumber(redis.call('GET', KEYS[CLIENT_DAY]) or '0')
  if used + math.abs(delta) > cap then return {'cap', used} end
  redis.call('INCRBY', KEYS[CLIENT_DAY], math.abs(delta))
  redis.call('EXPIRE', KEYS[CLIENT_DAY], ARGV[CAP_TTL], 'NX')
end

local before = tonumber(m[member.R.BALANCE]) or 0
local lifetime, tier, fromTier, newBadges = tonumber(m[member.R.LIFETIME]) or 0, tonumber(m[member.R.TIER]) or 0, nil, points.NO_BADGES
fromTier = tier
local taken = ''
if delta < 0 then taken = lots.take(KEYS[LOTS], -delta, '') end
local balance
if ARGV[COUNTS] == '1' then
  -- The streak day passed is the member's own: an adjustment is no contribution day.
  balance, lifetime, tier, fromTier, newBadges = points.apply(memberKey, m, typePoints, typeCount, typeEntry, BOARDS,
    BOARD_ARGS, memberId, '_adjustment', delta, tonumber(m[member.R.STREAK_DAY]) or -1000000, ARGV[TIERS], ARGV[BADGES], now,
    boards.sequence(BOARDS, 1))
else
  balance = redis.call('HINCRBY', memberKey, member.BALANCE, delta)
end
if delta > 0 then lots.earn(KEYS[LOTS], KEYS[LOTS_DUE], memberId, ARGV[LOT], delta, before) end

local extra = {'client', ARGV[CLIENT_ID]}
if taken ~= '' then extra[#extra + 1] = 'lots'; extra[#extra + 1] = taken end
local adjustmentId = ARGV[ADJUSTMENT_ID]
ledger.append(KEYS[LEDGER], codes.ledger.adjustment, adjustmentId, ARGV[REASON], '', delta, 0, balance, now, ARGV[NOTE], extra)
for _, id in ipairs(newBadges) do
  ledger.append(KEYS[LEDGER], codes.ledger.badge, adjustmentId, ARGV[REASON], id, 0, 0, balance, now, id)
end
if tier ~= fromTier then
  ledger.append(KEYS[LEDGER], codes.ledger.tier, adjustmentId, ARGV[REASON], '', 0, 0, balance, now, tostring(tier),
    {'from', tostring(fromTier)})
end
kpis.stat(KEYS[STATS], 'pointsAdjusted', delta, ARGV[KPI_TTL])
-- The note (free text) stays out of the event; the reason is a code.
local w = events.writes(EVENTS, EVENT_ARGS)
events.emit(w, codes.event.pointsAdjusted, memberId, memberKey, now, {adjustmentId = adjustmentId,
  points = delta, reason = ARGV[REASON], countsTowardLifetime = ARGV[COUNTS] == '1', balance = balance, lifetimePoints = lifetime})
-- The badges and the tier it moved, as an award's (their events name the adjustment where an award's name the activity).
events.progress(w, memberId, events.sequenceOf(memberKey), now, 'adjustmentId', adjustmentId, newBadges, tier, fromTier)

local rest = string.format('%d|%d|%d|%s|%d', balance, lifetime, tier, taken, now)
local rawId = string.gsub(adjustmentId, '%x%x', function(h) return string.char(tonumber(h, 16)) end)
idempotency.store(idemK, idemA, rawId .. rest)
return {'done', adjustmentId .. '|' .. string.format('%d', delta) .. '|' .. rest}
