-- Creates or updates a program's settings. Every update bumps 'version': the award script refuses to run
-- with settings of another version, so an instance holding stale cached rules reloads them first.
-- KEYS: 1 program hash
-- ARGV: 1 mode ('create' | 'update'), 2 settings JSON, 3 now (unix ms)
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'create' then
  if exists then return {'exists'} end
  redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', 1, 'createdAt', ARGV[3], 'updatedAt', ARGV[3])
  return {'saved', 1, ARGV[3]}
end
if not exists then return {'missing'} end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'updatedAt', ARGV[3])
return {'saved', version, redis.call('HGET', KEYS[1], 'createdAt')}
