-- Module boards: leaderboard writes of the award and moderation scripts.
-- Exports:
--   apply(kAt, aAt, memberId, delta, lifetime, typeTotal, oldPointsEntry, oldTypeEntry, nowMs, pointsState, typeState):
--     applies delta points to the 'points' board and the activity type's board in every window; the boards are the
--     BoardWrites keys and arguments found in KEYS from kAt and in ARGV from aAt (see the block below).
--     Returns the new all-time entries of both boards and their new window states (member fields 'lb:<board>', 'w:<board>').
--   addToWindow, setAllTime: the two encodings (ScoreEncodingTests drives them directly)
--   KEY_COUNT, ARG_COUNT: how many keys and arguments BoardWrites takes
--   TIME_SPAN: 2^22, the windowed score's scale (the C# side reads scores with the same scale)
-- Windowed boards (day, week, month): score = points * 2^22 + (2^22 - 1 - s), s = whole seconds from the window's start
--   to the moment the member reached that score (clamped to 0 .. 2^22 - 1). Exact in a double for points < 2^31;
--   higher score first, and for equal points the smaller s (reached first) first.
-- All-time boards: score = points (exact up to 2^53); the entry is '<9999999999999 - reachedAt ms, 13 digits>:<memberId>', so
--   that for equal points Redis's reverse lexicographic order puts whoever reached them first on top, to the millisecond.
-- See docs/leaderboards.md.
--!include layout

-- The keys and arguments BoardWrites (Features/Leaderboards/BoardWrites.cs) builds, in its order; a script places them
-- together in its KEYS and ARGV (ScriptContractTests checks that both sides agree). Window keys and arguments are in
-- window order (day, week, month): the loops below rely on it.
local L = layout.new()
--!keys
local POINTS_ALL = L.key()
local POINTS_DAY = L.key()
local POINTS_WEEK = L.key()
local POINTS_MONTH = L.key()
local TYPE_ALL = L.key()
local TYPE_DAY = L.key()
local TYPE_WEEK = L.key()
local TYPE_MONTH = L.key()
--!args
local DAY_START = L.arg()
local WEEK_START = L.arg()
local MONTH_START = L.arg()
local DAY_TTL = L.arg()
local WEEK_TTL = L.arg()
local MONTH_TTL = L.arg()
--!end

local TIME_SPAN = 4194304 -- 2^22
local REACH_MAX = 9999999999999

-- A member's window state for one board, kept in the member hash ('w:<board>') so that an award does not have to read
-- its scores back from the boards: 'dayStart:score;weekStart:score;monthStart:score' (score 0 = not on the board), for
-- the latest period of each window the member was written to. A write to that period updates it; a write to another
-- period (a backdated activity, a moderation of an older one, a changed time zone) reads the board instead (ZSCORE),
-- and replaces the state only for a later period. Boards are only ever written here (and restored exactly by
-- reinstatement), so the state of a period equals the board's score for it.
local function readWindowState(state)
  local w = {}
  if state then
    local d, ds, k, ks, m, ms = string.match(state, '^(%d+):(%d+);(%d+):(%d+);(%d+):(%d+)$')
    if d then w = {{d, tonumber(ds)}, {k, tonumber(ks)}, {m, tonumber(ms)}} end
  end
  return w
end

local function writeWindowState(w)
  local d, k, m = w[1] or {'0', 0}, w[2] or {'0', 0}, w[3] or {'0', 0}
  return string.format('%s:%.0f;%s:%.0f;%s:%.0f', d[1], d[2], k[1], k[2], m[1], m[2])
end

-- Adds delta points to a member in one window period; removes the member when nothing is left.
-- ttl: seconds the period's board is still kept (relative, so Redis's own clock applies it); a period past its
-- retention (ttl <= 0, only reachable by a backdated activity) is not written.
-- state, i: the member's window state for this board (readWindowState) and this window's place in it (1 day, 2 week,
-- 3 month); used instead of ZSCORE when it is of this period, and updated in place.
local function addToWindow(key, memberId, delta, startSec, nowMs, ttl, state, i)
  ttl = tonumber(ttl)
  if ttl <= 0 then return end
  local known = state[i]
  local old
  if known and known[1] == startSec then
    if known[2] > 0 then old = known[2] end
  else
    old = tonumber(redis.call('ZSCORE', key, memberId))
  end
  local points = delta
  if old then points = math.floor(old / TIME_SPAN) + delta end
  local score = 0
  if points <= 0 then
    if old then redis.call('ZREM', key, memberId) end
  else
    local s = math.floor(nowMs / 1000) - tonumber(startSec)
    if s < 0 then s = 0 elseif s >= TIME_SPAN then s = TIME_SPAN - 1 end
    score = points * TIME_SPAN + (TIME_SPAN - 1 - s)
    if redis.call('ZADD', key, score, memberId) == 1 then redis.call('EXPIRE', key, ttl, 'NX') end
  end
  if not known or known[1] == startSec or tonumber(startSec) > tonumber(known[1]) then state[i] = {startSec, score} end
end

-- Replaces a member's all-time entry; returns the new entry ('' when the member has no points left).
local function setAllTime(key, oldEntry, memberId, points, nowMs)
  if oldEntry and oldEntry ~= '' then redis.call('ZREM', key, oldEntry) end
  if points <= 0 then return '' end
  local entry = string.format('%013d', REACH_MAX - nowMs) .. ':' .. memberId
  redis.call('ZADD', key, points, entry)
  return entry
end

-- Applies a change of delta points to the 'points' board and the activity type's board, in every window.
-- kAt, aAt: where the BoardWrites keys and arguments start in KEYS and ARGV.
-- pointsState, typeState: the member's 'w:points' and 'w:<type>' fields (nil when absent).
-- Returns the new all-time entries of the points board and the type board, and the new window states of both.
local function apply(kAt, aAt, memberId, delta, lifetime, typeTotal, oldPointsEntry, oldTypeEntry, nowMs, pointsState, typeState)
  local pw, tw = readWindowState(pointsState), readWindowState(typeState)
  local k, a = kAt - 1, aAt - 1
  for i = 0, 2 do
    local start, ttl = ARGV[a + DAY_START + i], ARGV[a + DAY_TTL + i]
    addToWindow(KEYS[k + POINTS_DAY + i], memberId, delta, start, nowMs, ttl, pw, i + 1)
    addToWindow(KEYS[k + TYPE_DAY + i], memberId, delta, start, nowMs, ttl, tw, i + 1)
  end
  return setAllTime(KEYS[k + POINTS_ALL], oldPointsEntry, memberId, lifetime, nowMs),
    setAllTime(KEYS[k + TYPE_ALL], oldTypeEntry, memberId, typeTotal, nowMs), writeWindowState(pw), writeWindowState(tw)
end

return {
  apply = apply, addToWindow = addToWindow, setAllTime = setAllTime,
  KEY_COUNT = L.keys, ARG_COUNT = L.args, TIME_SPAN = TIME_SPAN,
}
