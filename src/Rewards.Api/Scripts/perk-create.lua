-- Creates a perk in one run: the perks-per-program quota is checked here, so concurrent creations never pass it
-- together; the code pool, the definition, the program's index and the news index are written together or not at all.
-- Returns {'ok'} | {'quota', perks held} | {'quota-codes', codes held} | codepool.add's {'duplicates', ...}

--!include codepool

--!keys
local perkIndex, perkKey, codeList, codeSet, newsByPublicAt, newsByEarlyAt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
--!args
local perkId, json, createdAt, maxPerks, maxPool = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local publicAt, earlyAt, codes = ARGV[6], ARGV[7], 8 -- unix ms, '' unless news; the codes are ARGV[8..]
--!end

local held = redis.call('ZCARD', perkIndex)
if held >= maxPerks then return {'quota', held} end
local list = {}
for i = codes, #ARGV do list[#list + 1] = ARGV[i] end
if #list > 0 then
  local added = codepool.add(codeList, codeSet, list, maxPool)
  if added[1] == 'quota' then return {'quota-codes', added[2]} end
  if added[1] ~= 'ok' then return added end
end
redis.call('HSET', perkKey, 'json', json, 'status', 'active', 'granted', 0, 'claimed', 0)
redis.call('ZADD', perkIndex, createdAt, perkId)
if publicAt ~= '' then
  redis.call('ZADD', newsByPublicAt, publicAt, perkId)
  redis.call('ZADD', newsByEarlyAt, earlyAt, perkId)
end
return {'ok'}
