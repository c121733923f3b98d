-- Reserves a place for a new API client in its program's index, within the active-clients quota, in one run: concurrent
-- creations never pass the quota together. The client's record (not in the program's slot) is written afterwards.
-- KEYS: 1 program's clients (set), 2 program's revoked clients (set, a subset of 1)
-- ARGV: 1 client id, 2 max active clients
-- Returns {'ok'} | {'quota', active clients}
local active = redis.call('SCARD', KEYS[1]) - redis.call('SCARD', KEYS[2])
if active >= tonumber(ARGV[2]) then return {'quota', active} end
redis.call('SADD', KEYS[1], ARGV[1])
return {'ok'}
