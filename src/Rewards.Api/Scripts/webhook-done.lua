-- Settles a batch of delivery attempts of one program in one run (the dispatcher gathers what its deliveries finished). For
-- each attempt: an entry in its endpoint's delivery log (bounded to logMax entries), then its task: delivered (gone from
-- the queue), retry (due again at nextDue, lease released), failed (no retry left: kept in the endpoint's failed set for
-- replays) or gone (410: the endpoint is disabled). kind: n (new event), r (replay), t (test send: logged only); only n
-- counts toward disabling: an endpoint whose deliveries of new events have failed for disableAfterMs without one success
-- is disabled, and so is one answering 410; the program is told by a 'webhook.disabled' event. A dispatcher whose lease was
-- taken over (it outlived it) only logs: the task is another's now (token: the lease end webhook-poll.lua gave the claim; a
-- later claim, a replay or a settlement moves the task's score away from it). The log is trimmed to about logMax entries
-- (MAXLEN ~: whole nodes at a time; an exact trim costs about as much as the rest of a settlement). A first attempt that
-- succeeds (the common case) costs four commands: the endpoint's HMGET, the log's XADD, the task's ZSCORE and ZREM.
-- Per attempt, 13 arguments: endpointId, task, token, kind, outcome, nextDue, attempt, status, latencyMs, response, err,
-- eventId, eventType.
-- Returns one result per attempt: 'delivered' | 'retry' | 'failed' | 'disabled' | 'logged' | 'stale' | 'missing'
--!include events
--!include codes
--!keys
local tasks, state, enabledSet, eventStream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--!args
local prefix, now, logMax, disableAfterMs, eventsMaxLength = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local attempts = {unpack(ARGV, 6)}
--!end

local writes = events.writesOf(eventStream, eventsMaxLength)

local function settle(endpointId, task, token, kind, outcome, nextDue, attempt, status, latencyMs, response, err, eventId, eventType)
  local endpoint = prefix .. endpointId
  local log, failed = endpoint .. ':log', endpoint .. ':failed'
  -- Every endpoint hash has 'enabled' (webhook-create.lua): nil means the endpoint is gone.
  local ep = redis.call('HMGET', endpoint, 'enabled', 'failingSince')
  if not ep[1] then
    if kind ~= 't' then
      redis.call('ZREM', tasks, task)
      redis.call('HDEL', state, task)
    end
    return 'missing'
  end

  redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'event', eventId, 'type', eventType, 'kind', kind, 'attempt', attempt,
    'at', now, 'latency', latencyMs, 'status', status, 'outcome', outcome, 'next', nextDue, 'error', err, 'response', response)
  if kind == 't' then return 'logged' end

  local lease = redis.call('ZSCORE', tasks, task)
  if not lease or tonumber(lease) ~= tonumber(token) then return 'stale' end
  -- Attempts so far are in the state hash only once a retry wrote them (webhook-poll.lua).
  local hasState = tonumber(attempt) > 1

  local function disable(reason)
    if ep[1] ~= '1' then return false end
    redis.call('HSET', endpoint, 'enabled', '0', 'disabledReason', reason, 'disabledAt', now)
    redis.call('SREM', enabledSet, endpointId)
    events.emit(writes, codes.event.webhookDisabled, '', nil, now,
      {endpointId = endpointId, url = redis.call('HGET', endpoint, 'url'), reason = reason})
    return true
  end

  local function finish(failedForGood)
    redis.call('ZREM', tasks, task)
    if hasState then redis.call('HDEL', state, task) end
    if failedForGood then
      redis.call('ZADD', failed, now, eventId)
    elseif kind ~= 'n' or hasState then
      -- only a replay or a retried delivery can have its event among the failed ones (a new event's first attempt cannot)
      redis.call('ZREM', failed, eventId)
    end
  end

  local failingSince = tonumber(ep[2] or '0')
  if outcome == 'delivered' then
    finish(false)
    if kind == 'n' and failingSince ~= 0 then redis.call('HSET', endpoint, 'failingSince', 0) end
    return 'delivered'
  end
  if outcome == 'gone' then
    disable('gone')
    finish(true)
    return 'disabled'
  end

  local result = outcome
  if kind == 'n' then
    if failingSince == 0 then
      redis.call('HSET', endpoint, 'failingSince', now)
      failingSince = now
    elseif now - failingSince >= disableAfterMs and disable('failing') then
      result = 'disabled'
    end
  end
  if outcome == 'retry' and result ~= 'disabled' then
    redis.call('ZADD', tasks, nextDue, task)
    redis.call('HSET', state, task, attempt)
  else
    finish(true)
  end
  return result
end

local results = {}
for i = 1, #attempts, 13 do
  results[#results + 1] = settle(attempts[i], attempts[i + 1], attempts[i + 2], attempts[i + 3], attempts[i + 4],
    tonumber(attempts[i + 5]), attempts[i + 6], attempts[i + 7], attempts[i + 8], attempts[i + 9], attempts[i + 10],
    attempts[i + 11], attempts[i + 12])
end
return results
