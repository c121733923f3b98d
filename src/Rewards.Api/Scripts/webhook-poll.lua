-- One dispatcher poll of a program's webhooks, in one run: (1) fan-out: reads the events appended since the last poll through
-- the program's consumer group (NOACK: the read and the tasks it makes are one atomic run, so nothing is lost between them)
-- and queues one delivery task per enabled endpoint whose event types match, due now; (2) claim: takes up to claimCount
-- due tasks, each under a lease (its score moves to now + leaseMs: a dispatcher that dies holding it loses it then, and
-- another takes the task over) and returns what a delivery needs. Tasks of a deleted endpoint or of an event past the
-- stream's retention are dropped; those of a disabled endpoint become failed deliveries (replayable once it is enabled).
-- Task: "endpointId|eventId|kind", kind n (new event) or r (replay).
-- Returns {events read, tasks queued, {{task, attempts so far, url, secret, oldSecret, oldSecretUntil, event fields}, ...}}
--!keys
local events, enabledSet, tasks, state = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--!args
local prefix, group, consumer, readCount, now, leaseMs, claimCount, token = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
--!end

-- a > b for stream ids "ms-seq" (ms stays below 2^53: exact as a Lua number)
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, bm = tonumber(am), tonumber(bm)
  if am ~= bm then return am > bm end
  return tonumber(as) > tonumber(bs)
end

-- types: '' (every type) or space-separated names, 'member.*' matching every type that starts with 'member.'
local function matcher(types)
  if types == '' then return function() return true end end
  local exact, prefixes = {}, {}
  for t in string.gmatch(types, '%S+') do
    if string.sub(t, -2) == '.*' then prefixes[#prefixes + 1] = string.sub(t, 1, -2) else exact[t] = true end
  end
  return function(eventType)
    if exact[eventType] then return true end
    for _, p in ipairs(prefixes) do
      if string.sub(eventType, 1, #p) == p then return true end
    end
    return false
  end
end

local read, queued = 0, 0
local ids = redis.call('SMEMBERS', enabledSet)
if #ids > 0 and readCount > 0 then
  local reply = redis.pcall('XREADGROUP', 'GROUP', group, consumer, 'COUNT', readCount, 'NOACK', 'STREAMS', events, '>')
  if type(reply) == 'table' and reply.err then
    if not string.find(reply.err, 'NOGROUP', 1, true) then return redis.error_reply(reply.err) end
    -- the stream was deleted since the first endpoint made the group: start over (sinceId keeps older events out)
    redis.call('XGROUP', 'CREATE', events, group, '0', 'MKSTREAM')
    reply = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', readCount, 'NOACK', 'STREAMS', events, '>')
  end
  if reply then
    local endpoints = {}
    for i, id in ipairs(ids) do
      local cfg = redis.call('HMGET', prefix .. id, 'types', 'sinceId')
      endpoints[i] = {id = id, matches = matcher(cfg[1] or ''), since = cfg[2] or '0-0'}
    end
    for _, entry in ipairs(reply[1][2]) do
      read = read + 1
      local eventId, fields = entry[1], entry[2]
      local eventType = ''
      for f = 1, #fields, 2 do
        if fields[f] == 'type' then eventType = fields[f + 1] break end
      end
      for _, ep in ipairs(endpoints) do
        if after(eventId, ep.since) and ep.matches(eventType) then
          queued = queued + redis.call('ZADD', tasks, 'NX', now, ep.id .. '|' .. eventId .. '|n')
        end
      end
    end
  end
end

local claimed = {}
if claimCount > 0 then
  local due = redis.call('ZRANGEBYSCORE', tasks, '-inf', now, 'LIMIT', 0, claimCount)
  local cache = {}
  for _, task in ipairs(due) do
    local endpointId, eventId = string.match(task, '^([^|]+)|([^|]+)|%a$')
    local ep = false
    if endpointId then
      ep = cache[endpointId]
      if ep == nil then
        local v = redis.call('HMGET', prefix .. endpointId, 'url', 'enabled', 'secret', 'oldSecret', 'oldSecretUntil')
        ep = v[1] and v or false
        cache[endpointId] = ep
      end
    end
    local entry = ep and redis.call('XRANGE', events, eventId, eventId) or {}
    if not ep or #entry == 0 then
      redis.call('ZREM', tasks, task)
      redis.call('HDEL', state, task)
    elseif ep[2] ~= '1' then
      redis.call('ZREM', tasks, task)
      redis.call('HDEL', state, task)
      redis.call('ZADD', prefix .. endpointId .. ':failed', now, eventId)
    else
      local st = redis.call('HGET', state, task)
      local attempts = tonumber(st and string.match(st, '^(%d+)') or '0')
      redis.call('ZADD', tasks, now + leaseMs, task)
      redis.call('HSET', state, task, attempts .. '|' .. token)
      claimed[#claimed + 1] = {task, attempts, ep[1], ep[3], ep[4] or '', ep[5] or '0', entry[1][2]}
    end
  end
end
return {read, queued, claimed}
