-- Claims an offer: reveals one code from the pool for the member's grant, the same one on every later call.
-- RPOP is atomic, so concurrent claims never hand out one code twice.
-- Returns {'code', code} | {'none'} (no grant) | {'expired'} | {'empty'} (pool exhausted)

--!include kpis
--!include codes
--!include events

--!keys
local grantsKey, codePool, perkKey, todayStats, claims = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local memberKey, eventStream = KEYS[6], KEYS[7]
--!args
local perkId, expired, kpiTtl = ARGV[1], ARGV[2], ARGV[3] -- expired (1/0): an expired offer still shows a code claimed before, but hands out no more
local now, memberId = ARGV[4], ARGV[5] -- now (unix ms): when the code is claimed, in the offer's claims index (RedisKeys.PerkClaims)
local eventsMaxLength = ARGV[6]
--!end
-- Events: perk.claimed when a code is handed out (not when a claimed one is shown again); the code is not in the event.

local grant = redis.call('HGET', grantsKey, perkId)
if not grant then return {'none'} end
local runId, state, code, grantedAt = string.match(grant, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
if state == 'claimed' then return {'code', code} end
if expired == '1' then return {'expired'} end
code = redis.call('RPOP', codePool)
if not code then return {'empty'} end
redis.call('HSET', grantsKey, perkId, runId .. '|claimed|' .. code .. '|' .. grantedAt)
redis.call('HINCRBY', perkKey, 'claimed', 1)
redis.call('ZADD', claims, now, memberId)
kpis.stat(todayStats, 'perksClaimed', 1, kpiTtl)
events.emit(events.writesOf(eventStream, eventsMaxLength), codes.event.perkClaimed, memberId, memberKey, now, {perkId = perkId})
return {'code', code}
