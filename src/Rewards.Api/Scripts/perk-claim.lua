-- Claims an offer: reveals one code from the pool for the member's grant, the same one on every later call.
-- RPOP is atomic, so concurrent claims never hand out one code twice.
-- KEYS: 1 member grants hash, 2 code pool list, 3 perk hash, 4 KPI hash of today
-- ARGV: 1 perk id, 2 offer expired (1/0): an expired offer still shows a code claimed before, but hands out no more,
--       3 KPI ttl s
-- Returns {'code', code} | {'none'} (no grant) | {'expired'} | {'empty'} (pool exhausted)
local grant = redis.call('HGET', KEYS[1], ARGV[1])
if not grant then return {'none'} end
local runId, state, code, grantedAt = string.match(grant, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
if state == 'claimed' then return {'code', code} end
if ARGV[2] == '1' then return {'expired'} end
code = redis.call('RPOP', KEYS[2])
if not code then return {'empty'} end
redis.call('HSET', KEYS[1], ARGV[1], runId .. '|claimed|' .. code .. '|' .. grantedAt)
redis.call('HINCRBY', KEYS[3], 'claimed', 1)
stat(KEYS[4], 'perksClaimed', 1, ARGV[3])
return {'code', code}
