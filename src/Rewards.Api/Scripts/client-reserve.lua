-- Reserves a place for a new API client in its program's index, within the active-clients quota, in one run: concurrent
-- creations never pass the quota together. The client's record (not in the program's slot) is written afterwards.
-- KEYS: 1 program's clients (set), 2 program's revoked clients (set, a subset of 1)
-- ARGV: 1 client id, 2 max active clients
-- Returns {'ok'} | {'quota', active clients}
local clients, revoked = KEYS[1], KEYS[2]
local clientId, maxActive = ARGV[1], tonumber(ARGV[2])

local active = redis.call('SCARD', clients) - redis.call('SCARD', revoked)
if active >= maxActive then return {'quota', active} end
redis.call('SADD', clients, clientId)
return {'ok'}
