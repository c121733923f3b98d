-- Module boards: leaderboard writes of the award and moderation scripts.
-- Exports:
--   periodFields(kAt, aAt) -> the member fields ('e:<board>:<periodId>') of the six window boards of a BoardWrites block,
--     in order points day, week, month, type day, week, month: the caller reads them with the member (member.read).
--   apply(kAt, aAt, memberKey, memberId, delta, lifetime, typeTotal, oldPointsEntry, oldTypeEntry, seq, nowMs,
--         pointsRegistry, typeRegistry, stored) -> pointsEntry, typeEntry, fields
--     applies delta points to the 'points' board and the activity type's board in every window; the boards are the
--     BoardWrites keys and arguments found in KEYS from kAt and in ARGV from aAt (see the block below). seq: the commit
--     sequence of this change (sequence); stored: the six period fields as read (periodFields' order). Returns the new
--     all-time entries of both boards ('lb:<board>') and a flat list of member fields and values to write with them.
--   sequence(kAt, count) -> the first of count fresh commit sequence values (one INCRBY per script run)
--   addToWindow, setAllTime: the two board writes (ScoreEncodingTests drives them directly)
--   pointsAllKey(kAt) -> the all-time 'points' board's key of a BoardWrites block (events.overtaken reads it)
--   KEY_COUNT, ARG_COUNT: how many keys and arguments BoardWrites takes
--   WINDOW_SCALE: 2^22, the windowed score's scale (the C# side reads scores with the same scale)
-- Ties follow the commit order: every board entry is '<16 digits: 6999999999999999 - seq>:<memberId>' (member.entryOf),
--   seq drawn from the program's commit sequence when the member reached the score. Equal scores are ordered by entry
--   bytes, and reading highest first the smaller seq (committed first) comes first. Scores: all-time = the points;
--   day/week/month = points * 2^22 (exact for points < 2^31; the scale keeps entries written before the sequence,
--   'memberId' scored points * 2^22 + a reach-second tie, readable and ordered among the new ones).
-- See docs/leaderboards.md.
--!include layout
--!include member

-- The keys and arguments BoardWrites (Features/Leaderboards/BoardWrites.cs) builds, in its order; a script places them
-- together in its KEYS and ARGV (ScriptContractTests checks that both sides agree). Window keys and arguments are in
-- window order (day, week, month): the loops below rely on it.
local L = layout.new()
--!keys
local SEQUENCE = L.key()
local POINTS_ALL = L.key()
local POINTS_DAY = L.key()
local POINTS_WEEK = L.key()
local POINTS_MONTH = L.key()
local TYPE_ALL = L.key()
local TYPE_DAY = L.key()
local TYPE_WEEK = L.key()
local TYPE_MONTH = L.key()
--!args
local TYPE_BOARD = L.arg()
local DAY_PERIOD = L.arg()
local WEEK_PERIOD = L.arg()
local MONTH_PERIOD = L.arg()
local DAY_TTL = L.arg()
local WEEK_TTL = L.arg()
local MONTH_TTL = L.arg()
--!end

local WINDOW_SCALE = 4194304 -- 2^22

-- The last answer is kept: an award asks twice (member.read, then apply), and ARGV does not change during a run.
local fieldsAt, fieldsOf
local function periodFields(kAt, aAt)
  if aAt == fieldsAt then return fieldsOf end
  local a, f = aAt - 1, {}
  local typeBoard = ARGV[a + TYPE_BOARD]
  for i = 0, 2 do f[i + 1] = member.periodField(member.POINTS_BOARD, ARGV[a + DAY_PERIOD + i]) end
  for i = 0, 2 do f[i + 4] = member.periodField(typeBoard, ARGV[a + DAY_PERIOD + i]) end
  fieldsAt, fieldsOf = aAt, f
  return f
end

local function sequence(kAt, count)
  return redis.call('INCRBY', KEYS[kAt - 1 + SEQUENCE], count) - count + 1
end

-- Adds delta points to a member in one window period; removes the member's entry when nothing is left.
-- ttl: seconds the period's board is still kept (relative, so Redis's own clock applies it); a period past its
-- retention (ttl <= 0, only reachable by a backdated activity) is not written.
-- field, stored: the member's field of this period ('e:<board>:<periodId>') and its value 'points:seq' ('0:0' = known,
-- not on the board; nil = never written with the sequence: the board may still hold an entry of the former encoding,
-- the bare member id, read once with ZSCORE and replaced).
-- out: the member fields to write (field, value appended); entry: member.entryOf(seq, memberId) when the caller has it.
-- Returns true when the field is new (to register).
local function addToWindow(key, memberId, delta, field, stored, ttl, seq, out, entry)
  ttl = tonumber(ttl)
  if ttl <= 0 then return false end
  local oldPoints, oldEntry = 0, nil
  if stored then
    local p, s = member.parsePeriod(stored)
    if p > 0 then oldPoints, oldEntry = p, member.entryOf(s, memberId) end
  else
    local old = redis.call('ZSCORE', key, memberId)
    if old then oldPoints, oldEntry = math.floor(tonumber(old) / WINDOW_SCALE), memberId end
  end
  local points = oldPoints + delta
  if oldEntry then redis.call('ZREM', key, oldEntry) end
  if points > 0 then
    redis.call('ZADD', key, points * WINDOW_SCALE, entry or member.entryOf(seq, memberId))
    if not oldEntry then redis.call('EXPIRE', key, ttl, 'NX') end
    out[#out + 1] = field; out[#out + 1] = string.format('%d:%d', points, seq)
  else
    out[#out + 1] = field; out[#out + 1] = '0:0'
  end
  return not stored
end

-- Replaces a member's all-time entry; returns the new entry ('' when the member has no points left).
local function setAllTime(key, oldEntry, memberId, points, seq, entry)
  if oldEntry and oldEntry ~= '' then redis.call('ZREM', key, oldEntry) end
  if points <= 0 then return '' end
  entry = entry or member.entryOf(seq, memberId)
  redis.call('ZADD', key, points, entry)
  return entry
end

-- The period fields a member has on one board are listed in 'w:<board>' as 'periodId@expiresAt;...' (unix s, when the
-- period's board expires), so that they go when their boards do: registering a new one (once per member, board and
-- period) drops the expired ones (one HDEL). A value of the former encoding ('dayStart:score;...') lists none.
local function register(memberKey, board, registry, periods, expiries, nowSec, out)
  local kept, expired = {}, {}
  for period, expiresAt in string.gmatch(registry or '', '([^;@]+)@(%d+)') do
    if tonumber(expiresAt) < nowSec then
      expired[#expired + 1] = member.periodField(board, period)
    else
      kept[#kept + 1] = period .. '@' .. expiresAt
    end
  end
  for i = 1, #periods do kept[#kept + 1] = periods[i] .. '@' .. expiries[i] end
  if #expired > 0 then redis.call('HDEL', memberKey, unpack(expired)) end
  out[#out + 1] = member.BOARD_WINDOWS .. board; out[#out + 1] = table.concat(kept, ';')
end

-- Applies a change of delta points to the 'points' board and the activity type's board, in every window.
local function apply(kAt, aAt, memberKey, memberId, delta, lifetime, typeTotal, oldPointsEntry, oldTypeEntry, seq, nowMs,
    pointsRegistry, typeRegistry, stored)
  local k, a = kAt - 1, aAt - 1
  local typeBoard = ARGV[a + TYPE_BOARD]
  local out = {}
  local nowSec = math.floor(nowMs / 1000)
  local newPoints, newType, pointsExp, typeExp = {}, {}, {}, {}
  local fields, entry = periodFields(kAt, aAt), member.entryOf(seq, memberId)
  for i = 0, 2 do
    local period, ttl = ARGV[a + DAY_PERIOD + i], ARGV[a + DAY_TTL + i]
    if addToWindow(KEYS[k + POINTS_DAY + i], memberId, delta, fields[i + 1], stored[i + 1], ttl, seq, out, entry) then
      newPoints[#newPoints + 1] = period; pointsExp[#pointsExp + 1] = nowSec + tonumber(ttl)
    end
    if addToWindow(KEYS[k + TYPE_DAY + i], memberId, delta, fields[i + 4], stored[i + 4], ttl, seq, out, entry) then
      newType[#newType + 1] = period; typeExp[#typeExp + 1] = nowSec + tonumber(ttl)
    end
  end
  if #newPoints > 0 then register(memberKey, member.POINTS_BOARD, pointsRegistry, newPoints, pointsExp, nowSec, out) end
  if #newType > 0 then register(memberKey, typeBoard, typeRegistry, newType, typeExp, nowSec, out) end
  return setAllTime(KEYS[k + POINTS_ALL], oldPointsEntry, memberId, lifetime, seq, entry),
    setAllTime(KEYS[k + TYPE_ALL], oldTypeEntry, memberId, typeTotal, seq, entry), out
end

local function pointsAllKey(kAt)
  return KEYS[kAt - 1 + POINTS_ALL]
end

return {
  apply = apply, pointsAllKey = pointsAllKey, addToWindow = addToWindow, setAllTime = setAllTime, periodFields = periodFields, sequence = sequence,
  KEY_COUNT = L.keys, ARG_COUNT = L.args, WINDOW_SCALE = WINDOW_SCALE,
}
