-- One dispatcher poll of a program's webhooks, in one run: (1) fan-out: reads the events appended since the last poll through
-- the program's consumer group (NOACK: the read and the tasks it makes are one atomic run, so nothing is lost between them)
-- and makes one delivery task per enabled endpoint whose event types match: claimed at once while claimCount allows (the
-- event's fields are at hand: no second read), else queued due now; (2) claim: takes due tasks up to claimCount, each under
-- a lease (its score moves to now + leaseMs: a dispatcher that dies holding it loses it then, and another takes the task
-- over) and returns what a delivery needs. The lease's end is the claim's token: webhook-done.lua settles a task only while
-- its score is still that lease (a later claim moves it). Tasks of a deleted endpoint or of an event past the stream's
-- retention are dropped; those of a disabled endpoint become failed deliveries (replayable once it is enabled).
-- Task: "endpointId|eventId|kind", kind n (new event) or r (replay). The state hash holds a task's attempts so far, only
-- once it has some (webhook-done.lua writes it for a retry): a task without one has had none.
-- Returns {events read, tasks queued, {{task, attempts so far, url, secret, oldSecret, oldSecretUntil, event fields, lease end}, ...}}
--!keys
local events, enabledSet, tasks, state = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--!args
local prefix, group, consumer, readCount, now, leaseMs, claimCount = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
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

local read, queued, claimed = 0, 0, {}
local leaseEnd = now + leaseMs
-- %d: a lease end in ms is below 2^53, exact, and written without an exponent (the token webhook-done.lua compares)
local token = string.format('%d', leaseEnd)
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
      local cfg = redis.call('HMGET', prefix .. id, 'types', 'sinceId', 'url', 'enabled', 'secret', 'oldSecret', 'oldSecretUntil')
      endpoints[i] = {id = id, matches = matcher(cfg[1] or ''), since = cfg[2] or '0-0', url = cfg[3], enabled = cfg[4] == '1',
        secret = cfg[5], oldSecret = cfg[6] or '', oldSecretUntil = cfg[7] or '0'}
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
          local task = ep.id .. '|' .. eventId .. '|n'
          if ep.enabled and ep.url and #claimed < claimCount then
            if redis.call('ZADD', tasks, 'NX', leaseEnd, task) == 1 then
              queued = queued + 1
              claimed[#claimed + 1] = {task, 0, ep.url, ep.secret, ep.oldSecret, ep.oldSecretUntil, fields, token}
            end
          else
            queued = queued + redis.call('ZADD', tasks, 'NX', now, task)
          end
        end
      end
    end
  end
end

if claimCount > #claimed then
  local due = redis.call('ZRANGEBYSCORE', tasks, '-inf', now, 'LIMIT', 0, claimCount - #claimed)
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
      -- A state of no attempts ('0|<token>', written for every claim before the lease end became the token) would
      -- outlive its task: the settlement deletes the state only after a retry wrote one.
      if st and attempts == 0 then redis.call('HDEL', state, task) end
      redis.call('ZADD', tasks, leaseEnd, task)
      claimed[#claimed + 1] = {task, attempts, ep[1], ep[3], ep[4] or '', ep[5] or '0', entry[1][2], token}
    end
  end
end
return {read, queued, claimed}
