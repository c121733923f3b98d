-- Queues replays to an enabled endpoint, due now: one event (eventId given; any event still in the stream), or every event
-- whose delivery failed for good at or after 'since' (unix ms), at most maxCount per call. Replays are delivered and
-- retried like new events but never count toward disabling the endpoint.
-- Returns {'ok', queued, failed since then in all} | {'missing'} | {'disabled'} | {'no-event'}
--!keys
local tasks, state, endpoint, failed, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--!args
local endpointId, eventId, since, now, maxCount = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
--!end

if redis.call('EXISTS', endpoint) == 0 then return {'missing'} end
if redis.call('HGET', endpoint, 'enabled') ~= '1' then return {'disabled'} end

local ids
if eventId ~= '' then
  if #redis.call('XRANGE', events, eventId, eventId) == 0 then return {'no-event'} end
  ids = {eventId}
else
  ids = redis.call('ZRANGEBYSCORE', failed, since, '+inf', 'LIMIT', 0, maxCount)
end
for _, id in ipairs(ids) do
  local task = endpointId .. '|' .. id .. '|r'
  redis.call('ZADD', tasks, now, task)
  redis.call('HDEL', state, task)
end
local total = #ids
if eventId == '' then total = redis.call('ZCOUNT', failed, since, '+inf') end
return {'ok', #ids, total}
