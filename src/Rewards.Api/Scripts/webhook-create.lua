-- Creates a webhook endpoint of a program, within the program's endpoint limit, in one run. The endpoint receives the events
-- appended after this run: 'sinceId' is the stream's last id now. The program's consumer group (the dispatchers' read
-- position in the event stream) is created on the first endpoint, at the stream's end.
-- Returns {'ok', endpoints} | {'limit', endpoints}
--!keys
local index, enabledSet, endpoint, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--!args
local endpointId, url, types, description, enabled, secret, now, maxEndpoints, group = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]
--!end

local count = redis.call('ZCARD', index)
if count >= maxEndpoints then return {'limit', count} end

local last = redis.call('XREVRANGE', events, '+', '-', 'COUNT', 1)
local sinceId = '0-0'
if #last > 0 then sinceId = last[1][1] end
local created = redis.pcall('XGROUP', 'CREATE', events, group, '$', 'MKSTREAM')
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP', 1, true) then
  return redis.error_reply(created.err)
end

redis.call('HSET', endpoint, 'url', url, 'types', types, 'description', description, 'enabled', enabled, 'secret', secret,
  'oldSecret', '', 'oldSecretUntil', 0, 'createdAt', now, 'updatedAt', now, 'sinceId', sinceId, 'failingSince', 0,
  'disabledReason', '', 'disabledAt', 0)
redis.call('ZADD', index, now, endpointId)
if enabled == '1' then redis.call('SADD', enabledSet, endpointId) end
return {'ok', count + 1}
