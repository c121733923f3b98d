-- Adds codes to an offer's pool: unique in the pool (claimed codes included) and within the codes-per-pool quota,
-- checked and written in one run so that concurrent additions cannot pass either check together.
-- Returns {'none'} (no such perk) | codepool.add's answer

--!include codepool

--!keys
local perkKey, codeList, codeSet = KEYS[1], KEYS[2], KEYS[3]
--!args
local maxPool, codes = tonumber(ARGV[1]), 2 -- the codes are ARGV[2..]
--!end

local status = redis.call('HGET', perkKey, 'status')
if not status or status == 'deleted' then return {'none'} end
local list = {}
for i = codes, #ARGV do list[#list + 1] = ARGV[i] end
return codepool.add(codeList, codeSet, list, maxPool)
