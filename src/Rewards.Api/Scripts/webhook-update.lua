-- Changes a webhook endpoint: what a PATCH names ('' leaves a value as it is; types and description are given with a flag),
-- or a rotated secret (the current one stays valid until oldSecretUntil, both signatures are sent meanwhile). Enabling an
-- endpoint clears its failure state; disabling it keeps its queued deliveries from being sent (they become failed ones).
-- Returns {'ok'} | {'missing'}
--!keys
local enabledSet, endpoint = KEYS[1], KEYS[2]
--!args
local endpointId, url, typesGiven, types, descriptionGiven, description, enabled, newSecret, oldSecretUntil, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
--!end

if redis.call('EXISTS', endpoint) == 0 then return {'missing'} end
if url ~= '' then redis.call('HSET', endpoint, 'url', url) end
if typesGiven == '1' then redis.call('HSET', endpoint, 'types', types) end
if descriptionGiven == '1' then redis.call('HSET', endpoint, 'description', description) end
if enabled == '1' and redis.call('HGET', endpoint, 'enabled') ~= '1' then
  redis.call('HSET', endpoint, 'enabled', '1', 'failingSince', 0, 'disabledReason', '', 'disabledAt', 0)
  redis.call('SADD', enabledSet, endpointId)
elseif enabled == '0' and redis.call('HGET', endpoint, 'enabled') ~= '0' then
  redis.call('HSET', endpoint, 'enabled', '0', 'disabledReason', 'manual', 'disabledAt', now)
  redis.call('SREM', enabledSet, endpointId)
end
if newSecret ~= '' then
  redis.call('HSET', endpoint, 'oldSecret', redis.call('HGET', endpoint, 'secret'), 'oldSecretUntil', oldSecretUntil, 'secret', newSecret)
end
redis.call('HSET', endpoint, 'updatedAt', now)
return {'ok'}
