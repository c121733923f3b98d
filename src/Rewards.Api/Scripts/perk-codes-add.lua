-- Adds codes to an offer's pool: unique in the pool (claimed codes included) and within the codes-per-pool quota,
-- checked and written in one run so that concurrent additions cannot pass either check together.
-- KEYS: 1 perk hash, 2 code list, 3 code set
-- ARGV: 1 max codes per pool, 2.. codes
-- Returns {'none'} (no such perk) | add_codes' answer
local perkKey, codeList, codeSet = KEYS[1], KEYS[2], KEYS[3]
local maxPool = tonumber(ARGV[1])
local codes = {}
for i = 2, #ARGV do codes[#codes + 1] = ARGV[i] end

local status = redis.call('HGET', perkKey, 'status')
if not status or status == 'deleted' then return {'none'} end
return add_codes(codeList, codeSet, codes, maxPool)
