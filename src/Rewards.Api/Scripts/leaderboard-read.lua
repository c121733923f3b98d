-- Reads a page of a leaderboard, or the entries around one member, with display names, in one run.
-- Member hashes are read by prefix + id: they carry the same hash tag as the board, so they live on its cluster slot.
-- Returns {total, first rank (0-based), member rank (0-based, -1 for top), entry id, score, display name, ...};
--         {total, -1, -1} when the member has no entry.

--!include member

--!keys
local key = KEYS[1] -- the board
--!args
local mode, prefix, allTime, offsetOrNeighbours = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])
local limit, memberId, board, periodId = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
--!end
-- mode: 'top' | 'around'; prefix: member hash prefix; allTime: an all-time board; offsetOrNeighbours: the offset (top) or the
-- neighbours each side (around); limit: the page size (top); memberId: the member (around); board: the board's name;
-- periodId: the window period ('' for all-time).
-- Entries are '<sequence>:<memberId>' (boards.lua); entries of the former encoding are '<13 digits>:<memberId>' (all-time)
-- or the bare member id (day/week/month): the id is what follows the first ':' (ids never contain one), if any.

local total = redis.call('ZCARD', key)
local start, stop, memberRank
if mode == 'top' then
  start = offsetOrNeighbours; stop = start + limit - 1; memberRank = -1
else
  local entry
  if allTime then
    entry = member.allTimeEntry(redis.call('HGET', prefix .. memberId, member.BOARD_ENTRY .. board), memberId)
  else
    -- the member's period field names the entry; none: the former encoding's entry, the member id
    local stored = redis.call('HGET', prefix .. memberId, member.periodField(board, periodId))
    entry = memberId
    if stored then
      local points, seq = member.parsePeriod(stored)
      entry = points > 0 and member.entryOf(seq, memberId)
    end
  end
  local rank = entry and entry ~= '' and redis.call('ZREVRANK', key, entry)
  if not rank then return {total, -1, -1} end
  memberRank = rank
  start = rank - offsetOrNeighbours
  if start < 0 then start = 0 end
  stop = rank + offsetOrNeighbours
end
local rows = redis.call('ZREVRANGE', key, start, stop, 'WITHSCORES')
local reply = {total, start, memberRank}
for i = 1, #rows, 2 do
  local id = rows[i]
  local colon = string.find(id, ':', 1, true)
  if colon then id = string.sub(id, colon + 1) end
  reply[#reply + 1] = id
  reply[#reply + 1] = rows[i + 1]
  reply[#reply + 1] = redis.call('HGET', prefix .. id, member.DISPLAY_NAME) or ''
end
return reply
