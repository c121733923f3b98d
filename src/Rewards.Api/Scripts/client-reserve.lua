-- Reserves a place for a new API client in its program's index, within the active-clients quota, in one run: concurrent
-- creations never pass the quota together. The client's record (not in the program's slot) is written afterwards.
-- Returns {'ok'} | {'quota', active clients}
--!keys
local clients, revoked = KEYS[1], KEYS[2] -- revoked: a subset of clients
--!args
local clientId, maxActive = ARGV[1], tonumber(ARGV[2])
--!end

local active = redis.call('SCARD', clients) - redis.call('SCARD', revoked)
if active >= maxActive then return {'quota', active} end
redis.call('SADD', clients, clientId)
return {'ok'}
