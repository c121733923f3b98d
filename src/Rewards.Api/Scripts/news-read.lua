-- Reads one page of a program's news through the news index, newest publicAt first: the cost follows the items on the
-- page (and, for a member, the news not public yet), never the program's other perks.
-- A member also sees, before the public and first, news not public yet whose earlyAt has passed and that they were granted.
-- Perk hashes are prefix .. perkId (RedisKeys.PerkPrefix, Perk).
-- KEYS: 1 news by publicAt, 2 news by earlyAt, 3 the member's grants hash (member reads only)
-- ARGV: 1 now (unix ms), 2 offset, 3 limit, 4 perk key prefix
-- Returns {total, perkId, early (1/0), definition JSON, ...}
local newsByPublicAt, newsByEarlyAt, memberGrants = KEYS[1], KEYS[2], KEYS[3]
local now, offset, limit, prefix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]

local early = {}
if memberGrants then
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', newsByPublicAt, '+inf', '(' .. now)) do
    local earlyAt = redis.call('ZSCORE', newsByEarlyAt, id)
    if earlyAt and tonumber(earlyAt) <= tonumber(now) and redis.call('HEXISTS', memberGrants, id) == 1 then
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
