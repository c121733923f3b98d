-- Checks a console session on a request: it must exist (not idle past its TTL), be within its absolute lifetime, and belong
-- to an active person; then its inactivity TTL starts again. Read with it: the person and their roles.
-- Returns nil (no valid session) | {expiresAt, email, name, operator ('1' or ''), {programId, role, ...}}
--!keys
local session, person, roles = KEYS[1], KEYS[2], KEYS[3]
--!args
local now, idleMs = tonumber(ARGV[1]), tonumber(ARGV[2])
--!end

local expiresAt = tonumber(redis.call('HGET', session, 'expiresAt'))
if not expiresAt then return false end
if expiresAt <= now then
  redis.call('DEL', session)
  return false
end
local p = redis.call('HMGET', person, 'status', 'email', 'name', 'operator')
if p[1] ~= 'active' then return false end
redis.call('PEXPIRE', session, math.min(idleMs, expiresAt - now))
return {expiresAt, p[2], p[3] or '', p[4] or '', redis.call('HGETALL', roles)}
