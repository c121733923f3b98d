-- Leaderboard writes, shared by the award and moderation scripts (prepended to them when they are loaded).
-- Windowed boards (day, week, month): score = points * 2^22 + (2^22 - 1 - s), s = whole seconds from the window's start
--   to the moment the member reached that score (clamped to 0 .. 2^22 - 1). Exact in a double for points < 2^31;
--   higher score first, and for equal points the smaller s (reached first) first.
-- All-time boards: score = points (exact up to 2^53); the entry is '<9999999999999 - reachedAt ms, 13 digits>:<memberId>', so
--   that for equal points Redis's reverse lexicographic order puts whoever reached them first on top, to the millisecond.
-- See docs/leaderboards.md.
local TIME_SPAN = 4194304
local REACH_MAX = 9999999999999

-- Adds delta points to a member in one window period; removes the member when nothing is left.
-- ttl: seconds the period's board is still kept (relative, so Redis's own clock applies it); a period past its
-- retention (ttl <= 0, only reachable by a backdated activity) is not written.
local function addToWindow(key, memberId, delta, startSec, nowMs, ttl)
  ttl = tonumber(ttl)
  if ttl <= 0 then return end
  local old = redis.call('ZSCORE', key, memberId)
  local points = delta
  if old then points = math.floor(tonumber(old) / TIME_SPAN) + delta end
  if points <= 0 then
    if old then redis.call('ZREM', key, memberId) end
    return
  end
  local s = math.floor(nowMs / 1000) - startSec
  if s < 0 then s = 0 elseif s >= TIME_SPAN then s = TIME_SPAN - 1 end
  redis.call('ZADD', key, points * TIME_SPAN + (TIME_SPAN - 1 - s), memberId)
  if not old then redis.call('EXPIRE', key, ttl, 'NX') end
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
-- B: keys {points all, points day, points week, points month, type all, type day, type week, type month}
-- W: {day start s, week start s, month start s, day ttl s, week ttl s, month ttl s}
-- Returns the new all-time entries of the points board and the type board.
local function applyToBoards(B, W, memberId, delta, lifetime, typeTotal, oldPointsEntry, oldTypeEntry, nowMs)
  for i = 1, 3 do
    addToWindow(B[1 + i], memberId, delta, tonumber(W[i]), nowMs, W[3 + i])
    addToWindow(B[5 + i], memberId, delta, tonumber(W[i]), nowMs, W[3 + i])
  end
  return setAllTime(B[1], oldPointsEntry, memberId, lifetime, nowMs), setAllTime(B[5], oldTypeEntry, memberId, typeTotal, nowMs)
end

