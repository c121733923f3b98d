-- Ends one session (sign-out), or every session of the person (all = 1: sign-out everywhere).
-- Returns the number of sessions ended.
--!keys
local sessions, session = KEYS[1], KEYS[2]
--!args
local sessionHash, sessionPrefix, all = ARGV[1], ARGV[2], ARGV[3]
--!end

if all == '1' then
  local ended = 0
  for _, hash in ipairs(redis.call('ZRANGE', sessions, 0, -1)) do
    ended = ended + redis.call('DEL', sessionPrefix .. hash)
  end
  redis.call('DEL', sessions)
  return ended
end
redis.call('ZREM', sessions, sessionHash)
return redis.call('DEL', session)
