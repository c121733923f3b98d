-- Starts a session for an active person after a correct password: records the session (its id's hash) with the absolute
-- expiry, the inactivity timeout as its TTL, drops the oldest session beyond the per-person maximum, and clears the failed
-- sign-in counter.
-- Returns {'ok'} | {'inactive'} (disabled meanwhile)
--!keys
local person, sessions, session, failures = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--!args
local sessionHash, sessionPrefix, now, idleMs, lifetimeMs, maxSessions = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
--!end

if redis.call('HGET', person, 'status') ~= 'active' then return {'inactive'} end
redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
while redis.call('ZCARD', sessions) >= maxSessions do
  local oldest = redis.call('ZRANGE', sessions, 0, 0)[1]
  redis.call('DEL', sessionPrefix .. oldest)
  redis.call('ZREM', sessions, oldest)
end
local expiresAt = now + lifetimeMs
redis.call('HSET', session, 'createdAt', now, 'expiresAt', expiresAt)
redis.call('PEXPIRE', session, math.min(idleMs, lifetimeMs))
redis.call('ZADD', sessions, expiresAt, sessionHash)
redis.call('PEXPIRE', sessions, lifetimeMs)
redis.call('DEL', failures)
redis.call('HSET', person, 'lastSignInAt', now)
return {'ok'}
