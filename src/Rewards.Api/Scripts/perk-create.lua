-- Creates a perk in one run: the perks-per-program quota is checked here, so concurrent creations never pass it
-- together; the code pool, the definition, the program's index and the news index are written together or not at all.
-- KEYS: 1 perk index (sorted set), 2 perk hash, 3 code list, 4 code set, 5 news by publicAt, 6 news by earlyAt
-- ARGV: 1 perk id, 2 definition JSON, 3 createdAt (unix ms), 4 max perks, 5 max codes per pool,
--       6 publicAt (unix ms, '' unless news), 7 earlyAt (unix ms, '' unless news), 8.. codes
-- Returns {'ok'} | {'quota', perks held} | add_codes' {'duplicates', ...} / {'quota-codes', held}
local perkId = ARGV[1]
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[4]) then return {'quota', held} end
local codes = {}
for i = 8, #ARGV do codes[#codes + 1] = ARGV[i] end
if #codes > 0 then
  local added = add_codes(KEYS[3], KEYS[4], codes, tonumber(ARGV[5]))
  if added[1] == 'quota' then return {'quota-codes', added[2]} end
  if added[1] ~= 'ok' then return added end
end
redis.call('HSET', KEYS[2], 'json', ARGV[2], 'status', 'active', 'granted', 0, 'claimed', 0)
redis.call('ZADD', KEYS[1], ARGV[3], perkId)
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[5], ARGV[6], perkId)
  redis.call('ZADD', KEYS[6], ARGV[7], perkId)
end
return {'ok'}
