-- Module boards: leaderboard writes of the award and moderation scripts.
-- Exports:
--   periodFields(kAt, aAt) -> the member fields ('e:<board>:<periodId>') of the six window boards of a BoardWrites block,
--     in order points day, week, month, type day, week, month: the caller reads them with the member (member.read).
--   apply(kAt, aAt, memberKey, memberId, delta, lifetime, typeTotal, pointsStored, typeStored, seq, stored)
--         -> pointsValue, typeValue, fields
--     applies delta points to the 'points' board and the activity type's board in every window; the boards are the
--     BoardWrites keys and arguments found in KEYS from kAt and in ARGV from aAt (see the block below). pointsStored,
--     typeStored: the member's 'lb:<board>' fields as read; seq: the commit sequence of this change (sequence); stored: the
--     six period fields as read (periodFields' order). Returns the new values of both 'lb:<board>' fields (the commit
--     sequence of the member's all-time entries, '' when off the board) and a flat list of member fields and values to
--     write with them. Drops the member's period fields of expired boards when it writes a new one (dropExpired).
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
local DAY_CUTOFF = L.arg()
local WEEK_CUTOFF = L.arg()
local MONTH_CUTOFF = L.arg()
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

-- A member's period fields of boards that are gone are dropped when the member is first written to a new period (about once
-- per member and day): one HKEYS of the member hash, one HDEL. Period ids of one window sort as their periods do (day
-- 'YYYY-MM-DD', week 'YYYY-Www', month 'YYYY-MM'), so a field older than its window's cutoff (the oldest period whose board
-- may still exist, BoardWrites.Cutoff) names a board that is gone. The registries of the former layout ('w:<board>',
-- 'periodId@expiresAt;...', which outgrew Redis's 64-byte listpack value limit and turned member hashes into hash tables)
-- go with them.
local function dropExpired(memberKey, a)
  local cutoffs = {day = ARGV[a + DAY_CUTOFF], week = ARGV[a + WEEK_CUTOFF], month = ARGV[a + MONTH_CUTOFF]}
  local gone = {}
  for _, field in ipairs(redis.call('HKEYS', memberKey)) do
    local prefix = string.sub(field, 1, 2)
    if prefix == member.BOARD_PERIOD then
      local period = string.match(field, '^e:[^:]+:(.+)$')
      if period then
        local window = (#period == 10 and 'day') or (string.find(period, 'W', 1, true) and 'week') or 'month'
        if period < cutoffs[window] then gone[#gone + 1] = field end
      end
    elseif prefix == member.BOARD_WINDOWS then
      gone[#gone + 1] = field
    end
  end
  if #gone > 0 then redis.call('HDEL', memberKey, unpack(gone)) end
end

-- Applies a change of delta points to the 'points' board and the activity type's board, in every window.
local function apply(kAt, aAt, memberKey, memberId, delta, lifetime, typeTotal, pointsStored, typeStored, seq, stored)
  local k, a = kAt - 1, aAt - 1
  local out = {}
  local fields, entry = periodFields(kAt, aAt), member.entryOf(seq, memberId)
  local registered = false
  for i = 0, 2 do
    local ttl = ARGV[a + DAY_TTL + i]
    if addToWindow(KEYS[k + POINTS_DAY + i], memberId, delta, fields[i + 1], stored[i + 1], ttl, seq, out, entry) then
      registered = true
    end
    if addToWindow(KEYS[k + TYPE_DAY + i], memberId, delta, fields[i + 4], stored[i + 4], ttl, seq, out, entry) then
      registered = true
    end
  end
  if registered then dropExpired(memberKey, a) end
  setAllTime(KEYS[k + POINTS_ALL], member.allTimeEntry(pointsStored, memberId), memberId, lifetime, seq, entry)
  setAllTime(KEYS[k + TYPE_ALL], member.allTimeEntry(typeStored, memberId), memberId, typeTotal, seq, entry)
  local seqText = string.format('%d', seq)
  return lifetime > 0 and seqText or '', typeTotal > 0 and seqText or '', out
end

local function pointsAllKey(kAt)
  return KEYS[kAt - 1 + POINTS_ALL]
end

return {
  apply = apply, pointsAllKey = pointsAllKey, addToWindow = addToWindow, setAllTime = setAllTime, periodFields = periodFields, sequence = sequence,
  KEY_COUNT = L.keys, ARG_COUNT = L.args, WINDOW_SCALE = WINDOW_SCALE,
}
