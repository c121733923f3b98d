-- Creates or updates a program's settings. Every update bumps 'version': the award script refuses to run
-- with settings of another version, so an instance holding stale cached rules reloads them first. An update names the
-- version its change was computed from and answers 'conflict' when another update saved since (the caller re-applies it).
-- A new program starts with the current ledger layout (ledger.lua): it has no former ledger stream to migrate.

--!include ledger

--!keys
local programKey = KEYS[1]
--!args
local mode, json, now, expectedVersion = ARGV[1], ARGV[2], ARGV[3], ARGV[4] -- mode: 'create' | 'update'; now: unix ms
--!end

local exists = redis.call('EXISTS', programKey) == 1
if mode == 'create' then
  if exists then return {'exists'} end
  -- legacyIdempotencyUntil 0: a new program has no idempotency records of the old layout to look up (award.lua).
  redis.call('HSET', programKey, 'json', json, 'version', 1, 'createdAt', now, 'updatedAt', now, 'legacyIdempotencyUntil', 0,
    ledger.LAYOUT_FIELD, ledger.LAYOUT)
  return {'saved', 1, now}
end
if not exists then return {'missing'} end
if redis.call('HGET', programKey, 'version') ~= expectedVersion then return {'conflict'} end
local version = redis.call('HINCRBY', programKey, 'version', 1)
redis.call('HSET', programKey, 'json', json, 'updatedAt', now)
return {'saved', version, redis.call('HGET', programKey, 'createdAt')}
