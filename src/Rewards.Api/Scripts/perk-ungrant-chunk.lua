-- Removes a deleted perk from one chunk of the program's members: their grant of it and its inbox entry.
-- Member keys are prefix .. memberId .. ':grants' / ':inbox' (RedisKeys.MemberPrefix, MemberGrants, MemberInbox).
-- Returns the number of members looked at (fewer than the chunk size: the last chunk)
--!keys
local memberIndex = KEYS[1]
--!args
local perkId, start, count, prefix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] -- start: first rank; prefix: member keys
--!end

local ids = redis.call('ZRANGE', memberIndex, start, start + count - 1)
for _, id in ipairs(ids) do
  if redis.call('HDEL', prefix .. id .. ':grants', perkId) == 1 then
    redis.call('ZREM', prefix .. id .. ':inbox', perkId)
  end
end
return #ids
