-- Reads a page of a leaderboard, or the entries around one member, with display names, in one run.
-- Member hashes are read by prefix + id: they carry the same hash tag as the board, so they live on its cluster slot.
-- KEYS: 1 board
-- ARGV: 1 mode ('top' | 'around'), 2 member hash prefix, 3 all-time board (1/0), 4 offset (top) | neighbours (around),
--       5 limit (top), 6 member id (around), 7 board name
-- Returns {total, first rank (0-based), member rank (0-based, -1 for top), entry id, score, display name, ...};
--         {total, -1, -1} when the member has no entry.
local key, mode, prefix, allTime = KEYS[1], ARGV[1], ARGV[2], ARGV[3] == '1'
local total = redis.call('ZCARD', key)
local start, stop, memberRank
if mode == 'top' then
  start = tonumber(ARGV[4]); stop = start + tonumber(ARGV[5]) - 1; memberRank = -1
else
  local entry = ARGV[6]
  if allTime then entry = redis.call('HGET', prefix .. ARGV[6], 'lb:' .. ARGV[7]) end
  local rank = entry and entry ~= '' and redis.call('ZREVRANK', key, entry)
  if not rank then return {total, -1, -1} end
  local around = tonumber(ARGV[4])
  memberRank = rank
  start = rank - around
  if start < 0 then start = 0 end
  stop = rank + around
end
local rows = redis.call('ZREVRANGE', key, start, stop, 'WITHSCORES')
local reply = {total, start, memberRank}
for i = 1, #rows, 2 do
  local id = rows[i]
  if allTime then id = string.sub(id, 15) end
  reply[#reply + 1] = id
  reply[#reply + 1] = rows[i + 1]
  reply[#reply + 1] = redis.call('HGET', prefix .. id, 'displayName') or ''
end
return reply
