-- Creates a perk in one run: the perks-per-program quota is checked here, so concurrent creations never pass it
-- together; the code pool, the definition, the program's index and the news index are written together or not at all.
-- KEYS: 1 perk index (sorted set), 2 perk hash, 3 code list, 4 code set, 5 news by publicAt, 6 news by earlyAt
-- ARGV: 1 perk id, 2 definition JSON, 3 createdAt (unix ms), 4 max perks, 5 max codes per pool,
--       6 publicAt (unix ms, '' unless news), 7 earlyAt (unix ms, '' unless news), 8.. codes
-- Returns {'ok'} | {'quota', perks held} | {'quota-codes', codes held} | add_codes' {'duplicates', ...}
local perkIndex, perkKey, codeList, codeSet, newsByPublicAt, newsByEarlyAt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local perkId, json, createdAt, maxPerks, maxPool, publicAt, earlyAt =
  ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7]
local codes = {}
for i = 8, #ARGV do codes[#codes + 1] = ARGV[i] end

local held = redis.call('ZCARD', perkIndex)
if held >= maxPerks then return {'quota', held} end
if #codes > 0 then
  local added = add_codes(codeList, codeSet, codes, maxPool)
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
