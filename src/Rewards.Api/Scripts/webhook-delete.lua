-- Deletes a webhook endpoint with its delivery log and failed deliveries. Its queued deliveries are dropped when claimed
-- (webhook-poll.lua finds no endpoint).
-- Returns {'ok', endpoints left} | {'missing'}
--!keys
local index, enabledSet, endpoint, log, failed = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--!args
local endpointId = ARGV[1]
--!end

if redis.call('ZREM', index, endpointId) == 0 then return {'missing'} end
redis.call('SREM', enabledSet, endpointId)
redis.call('DEL', endpoint, log, failed)
return {'ok', redis.call('ZCARD', index)}
