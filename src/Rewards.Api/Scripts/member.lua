-- Module member: the fields of a member hash (RedisKeys.Member), named once on the Lua side; the C# side names them in
-- Infrastructure/Redis/MemberFields.cs (MemberFieldsTests checks that both agree).
-- Exports:
--   the field names: STATUS, BALANCE, LIFETIME, CREATED_AT, DISPLAY_NAME, LOCALE, FLAGGED, ERASED_AT, STREAK_DAY, STREAK,
--     BEST_STREAK, BADGES, TIER, HELD (points held by redemption holds, out of the balance), EVENT_SEQ (the member's event
--     sequence, events.lua), EXPIRING_NOTICED (the latest lot date 'yyyymmdd' a 'points.expiring' event announced, lots-notice.lua;
--     removed with the member's last lot and by erasure); and the prefixes of per-type / per-board
--     fields: TYPE_POINTS ('t:<type>'), TYPE_COUNT
--     ('c:<type>'), LAST_AT ('lastAt:<type>'), BOARD_ENTRY ('lb:<board>', the commit sequence of the all-time board
--     entry: allTimeEntry), BOARD_WINDOWS ('w:<board>', a registry of the former layout: boards drops it), BOARD_PERIOD
--     ('e:<board>:<periodId>', the member's points and commit sequence on a window period's board: 'points:seq')
--   POINTS_BOARD: the board of all points ('points'; its all-time score is LIFETIME)
--   typeFields(type) -> the TYPE_POINTS, TYPE_COUNT, BOARD_ENTRY and LAST_AT fields of an activity type
--   read(key, typePoints, typeCount, typeEntry, lastAt, periods) -> what an award or a moderation needs of
--     the member (the type's fields as typeFields gives them, periods: boards.periodFields), an HMGET reply whose positions
--     are named by R (R.STATUS, ...; the period fields from R.PERIODS on)
--   allTimeEntry(stored, memberId) -> the all-time entry an 'lb:<board>' value names (nil: none)
--   periodField(board, periodId), parsePeriod(value) -> points, seq; entryOf(seq, memberId): a board entry,
--     '<16 digits: 6999999999999999 - seq>:<memberId>' (ties follow the commit sequence, see boards)
--   create(key, indexKey, idIndexKey, memberId, now): a new active member with no points, listed in the program's member index
--     (by first-seen time) and in its id index (lexicographic, score 0: prefix search on ids)
--   nameEntry(displayName, memberId) -> the member's entry in the program's display-name index (lexicographic, score 0):
--     the name with ASCII letters lowercased, a NUL byte, the id

--!include codes

local M = {
  STATUS = 'status', BALANCE = 'balance', LIFETIME = 'lifetime', CREATED_AT = 'createdAt', DISPLAY_NAME = 'displayName',
  LOCALE = 'locale', FLAGGED = 'flagged', ERASED_AT = 'erasedAt', STREAK_DAY = 'streakDay', STREAK = 'streak',
  BEST_STREAK = 'bestStreak', BADGES = 'badges', TIER = 'tier', HELD = 'held', EVENT_SEQ = 'evseq', EXPIRING_NOTICED = 'noticed',
  TYPE_POINTS = 't:', TYPE_COUNT = 'c:', LAST_AT = 'lastAt:', BOARD_ENTRY = 'lb:', BOARD_WINDOWS = 'w:',
  BOARD_PERIOD = 'e:', POINTS_BOARD = 'points',
}

function M.typeFields(activityType)
  return M.TYPE_POINTS .. activityType, M.TYPE_COUNT .. activityType, M.BOARD_ENTRY .. activityType, M.LAST_AT .. activityType
end

local POINTS_ENTRY = M.BOARD_ENTRY .. M.POINTS_BOARD
M.POINTS_ENTRY = POINTS_ENTRY

-- Positions in read's reply; the HMGET below lists the fields in this order.
M.R = {
  STATUS = 1, BALANCE = 2, LIFETIME = 3, STREAK_DAY = 4, STREAK = 5, BEST_STREAK = 6, BADGES = 7, TIER = 8,
  POINTS_ENTRY = 9, TYPE_POINTS = 10, TYPE_COUNT = 11, TYPE_ENTRY = 12, LAST_AT = 13, EVENT_SEQ = 14, PERIODS = 15,
}

function M.read(key, typePoints, typeCount, typeEntry, lastAt, periods)
  return redis.call('HMGET', key, M.STATUS, M.BALANCE, M.LIFETIME, M.STREAK_DAY, M.STREAK, M.BEST_STREAK, M.BADGES, M.TIER,
    POINTS_ENTRY, typePoints, typeCount, typeEntry, lastAt, M.EVENT_SEQ, unpack(periods))
end

function M.periodField(board, periodId)
  return M.BOARD_PERIOD .. board .. ':' .. periodId
end

function M.parsePeriod(value)
  local p, s = string.match(value, '^(%d+):(%d+)$')
  return tonumber(p) or 0, tonumber(s) or 0
end

local SEQ_TOP = 6999999999999999 -- below 2^53; first digit below the former all-time entries' ('8...', 9999999999999 - ms)

function M.entryOf(seq, memberId)
  return string.format('%016d', SEQ_TOP - seq) .. ':' .. memberId
end

-- The member's all-time entry on a board from its 'lb:<board>' field: the field holds the commit sequence of the entry
-- (member.entryOf), or, written before it held only that, the entry itself; nil when the member has no entry there.
function M.allTimeEntry(stored, memberId)
  if not stored or stored == '' then return nil end
  if string.find(stored, ':', 1, true) then return stored end
  return M.entryOf(tonumber(stored), memberId)
end

function M.create(key, indexKey, idIndexKey, memberId, now)
  redis.call('HSET', key, M.STATUS, codes.status.active, M.BALANCE, 0, M.LIFETIME, 0, M.CREATED_AT, now)
  redis.call('ZADD', indexKey, 'NX', now, memberId)
  redis.call('ZADD', idIndexKey, 0, memberId)
end

-- string.lower folds ASCII letters only (Redis' Lua has no locale): the C# side folds search prefixes the same way.
function M.nameEntry(displayName, memberId)
  return string.lower(displayName) .. '\0' .. memberId
end

return M
