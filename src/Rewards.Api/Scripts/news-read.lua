-- Reads one page of a program's news through the news index, newest publicAt first: the cost follows the items on the
-- page (and, for a member, the news not public yet), never the program's other perks.
-- A member also sees, before the public and first, news not public yet whose earlyAt has passed and that they were granted.
-- Perk hashes are prefix .. perkId (RedisKeys.PerkPrefix, Perk).
-- Returns {total, perkId, early (1/0), definition JSON, ...}
--!keys
local newsByPublicAt, newsByEarlyAt, memberGrants = KEYS[1], KEYS[2], 3 -- KEYS[3]: the member's grants hash (member reads only)
--!args
local now, offset, limit, prefix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] -- now: unix ms; prefix: perk keys
--!end
local grants = KEYS[memberGrants]

local early = {}
if grants then
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', newsByPublicAt, '+inf', '(' .. now)) do
    local earlyAt = redis.call('ZSCORE', newsByEarlyAt, id)
    if earlyAt and tonumber(earlyAt) <= tonumber(now) and redis.call('HEXISTS', grants, id) == 1 then
      early[#early + 1] = id
    end
  end
end
local page = {}
for i = offset + 1, math.min(#early, offset + limit) do page[#page + 1] = {early[i], 1} end
local rest = limit - #page
if rest > 0 then
  local public = redis.call('ZREVRANGEBYSCORE', newsByPublicAt, now, '-inf', 'LIMIT', math.max(0, offset - #early), rest)
  for _, id in ipairs(public) do page[#page + 1] = {id, 0} end
end
local answer = {#early + redis.call('ZCOUNT', newsByPublicAt, '-inf', now)}
for _, item in ipairs(page) do
  local json = redis.call('HGET', prefix .. item[1], 'json')
  if json then
    answer[#answer + 1] = item[1]
    answer[#answer + 1] = item[2]
    answer[#answer + 1] = json
  end
end
return answer
