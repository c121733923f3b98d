-- Records one delivery attempt in the endpoint's delivery log (bounded to logMax entries) and settles its task, in one run.
-- outcome: 'delivered' (2xx) | 'retry' (failed, due again at nextDue) | 'failed' (failed, no retry left) | 'gone' (410: the
-- endpoint is disabled) | 'test' (a test send: logged only). kind: n (new event), r (replay), t (test); only n counts toward
-- disabling: an endpoint whose deliveries of new events have failed for disableAfterMs without one success is disabled, and
-- so is one answering 410; the program is told by a 'webhook.disabled' event. A dispatcher whose lease was taken over (it
-- outlived it) only logs: the task is another's now.
-- Returns 'delivered' | 'retry' | 'failed' | 'disabled' | 'logged' | 'stale' | 'missing'
--!include events
--!include codes
--!keys
local tasks, state, endpoint, log, failed, enabledSet, eventStream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
--!args
local task, token, kind, outcome, nextDue, now, attempt, status, latencyMs, response, err, logMax, disableAfterMs, endpointId, eventId, eventType, eventsMaxLength = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13]), ARGV[14], ARGV[15], ARGV[16], ARGV[17]
--!end

if redis.call('EXISTS', endpoint) == 0 then
  if kind ~= 't' then
    redis.call('ZREM', tasks, task)
    redis.call('HDEL', state, task)
  end
  return 'missing'
end

redis.call('XADD', log, 'MAXLEN', logMax, '*', 'event', eventId, 'type', eventType, 'kind', kind, 'attempt', attempt,
  'at', now, 'latency', latencyMs, 'status', status, 'outcome', outcome, 'next', nextDue, 'error', err, 'response', response)
if kind == 't' then return 'logged' end

local st = redis.call('HGET', state, task)
if not st or string.match(st, '|(.*)$') ~= token then return 'stale' end

local function disable(reason)
  if redis.call('HGET', endpoint, 'enabled') ~= '1' then return false end
  redis.call('HSET', endpoint, 'enabled', '0', 'disabledReason', reason, 'disabledAt', now)
  redis.call('SREM', enabledSet, endpointId)
  events.emit(events.writesOf(eventStream, eventsMaxLength), codes.event.webhookDisabled, '', nil, now,
    {endpointId = endpointId, url = redis.call('HGET', endpoint, 'url'), reason = reason})
  return true
end

local function finish(failedForGood)
  redis.call('ZREM', tasks, task)
  redis.call('HDEL', state, task)
  if failedForGood then redis.call('ZADD', failed, now, eventId) else redis.call('ZREM', failed, eventId) end
end

if outcome == 'delivered' then
  finish(false)
  if kind == 'n' then redis.call('HSET', endpoint, 'failingSince', 0) end
  return 'delivered'
end
if outcome == 'gone' then
  disable('gone')
  finish(true)
  return 'disabled'
end

local result = outcome
if kind == 'n' then
  local since = tonumber(redis.call('HGET', endpoint, 'failingSince') or '0')
  if since == 0 then
    redis.call('HSET', endpoint, 'failingSince', now)
  elseif now - since >= disableAfterMs and disable('failing') then
    result = 'disabled'
  end
end
if outcome == 'retry' and result ~= 'disabled' then
  redis.call('ZADD', tasks, nextDue, task)
  redis.call('HSET', state, task, attempt .. '|')
else
  finish(true)
end
return result
