-- Reads a page of a leaderboard, or the entries around one member, with display names, in one run.
-- Member hashes are read by prefix + id: they carry the same hash tag as the board, so they live on its cluster slot.
-- Returns {total, first rank (0-based), member rank (0-based, -1 for top), entry id, score, display name, ...};
--         {total, -1, -1} when the member has no entry.

--!include member

--!keys
local key = KEYS[1] -- the board
--!args
local mode, prefix, allTime, offsetOrNeighbours = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])
local limit, memberId, board = tonumber(ARGV[5]), ARGV[6], ARGV[7]
--!end
-- mode: 'top' | 'around'; prefix: member hash prefix; allTime: an all-time board; offsetOrNeighbours: the offset (top) or the
-- neighbours each side (around); limit: the page size (top); memberId: the member (around); board: the board's name.

local total = redis.call('ZCARD', key)
local start, stop, memberRank
if mode == 'top' then
  start = offsetOrNeighbours; stop = start + limit - 1; memberRank = -1
else
  local entry = memberId
  if allTime then entry = redis.call('HGET', prefix .. memberId, member.BOARD_ENTRY .. board) end
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
  if allTime then id = string.sub(id, 15) end
  reply[#reply + 1] = id
  reply[#reply + 1] = rows[i + 1]
  reply[#reply + 1] = redis.call('HGET', prefix .. id, member.DISPLAY_NAME) or ''
end
return reply
