-- Creates or updates a member's profile; points and status are never touched here. A member created here counts in the
-- newMembers KPI of the program's local day (award.lua counts those created by their first activity).
-- Runs after gamification.lua (stat).
-- KEYS: 1 member, 2 member index, 3 KPI hash of today
-- ARGV: 1 member id, 2 now (unix ms), 3 display name ('' = none), 4 locale ('' = none), 5 KPI ttl s
-- Returns {created (1/0), status, balance, lifetime, createdAt} | {-1} for an erased member (ids are not reused)
local created = 0
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'erased' then return {-1} end
if not status then
  created = 1
  redis.call('HSET', KEYS[1], 'status', 'active', 'balance', 0, 'lifetime', 0, 'createdAt', ARGV[2])
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
  stat(KEYS[3], 'newMembers', 1, ARGV[5])
end
for i, field in ipairs({'displayName', 'locale'}) do
  local value = ARGV[2 + i]
  if value == '' then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
end
local m = redis.call('HMGET', KEYS[1], 'status', 'balance', 'lifetime', 'createdAt')
return {created, m[1], m[2], m[3], m[4]}
