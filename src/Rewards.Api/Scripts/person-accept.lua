-- Accepts an invitation: the link's hash must be the person's pending one and unexpired; sets the password hash and display
-- name, activates the person and forgets the invitation, so a link works once.
-- Returns {'ok'} | {'gone'} (unknown, used or replaced link) | {'expired'}
--!keys
local person = KEYS[1]
--!args
local inviteHash, now, passwordHash, displayName = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
--!end

local f = redis.call('HMGET', person, 'status', 'inviteHash', 'inviteExpiresAt')
if f[1] ~= 'invited' or f[2] ~= inviteHash then return {'gone'} end
if tonumber(f[3]) <= now then return {'expired'} end
redis.call('HSET', person, 'status', 'active', 'passwordHash', passwordHash, 'name', displayName, 'activatedAt', now)
redis.call('HDEL', person, 'inviteHash', 'inviteExpiresAt')
return {'ok'}
