-- Module kpis: KPI writes, per program and local day.
-- Exports:
--   statLater(key, field, by, ttl): adds to a counter of the day's KPI hash
--   countActiveLater(key, memberId, ttl): counts the member in the day's active members (a HyperLogLog)
--   ambassadorPointsLater(key, memberId, points, ttl): adds to the member's awarded points of the day (ambassadors)
--   flush(): writes what the *Later calls gathered
--   stat(key, field, by, ttl), ambassadorPoints(key, memberId, points, ttl): write at once
-- KPI writes: per-day counters (a hash), active members (a HyperLogLog) and ambassadors' daily points (a sorted set), each
-- key getting its expiry when first written. They are gathered and written by flush: a script run that decides many
-- awards (group commit) sums the increments of one key and field and writes each key once when the run ends; the run is
-- atomic, so nobody can observe the difference from writing them award by award. stat and ambassadorPoints write at once.
local pending = {order = {}, byKey = {}}

local function kpiEntry(kind, key, ttl)
  local e = pending.byKey[key]
  if not e then
    e = {kind = kind, key = key, ttl = ttl, order = {}, sums = {}}
    pending.byKey[key] = e
    pending.order[#pending.order + 1] = e
  end
  return e
end

local function add(e, field, by)
  if e.sums[field] == nil then
    e.order[#e.order + 1] = field
    e.sums[field] = 0
  end
  e.sums[field] = e.sums[field] + by
end

local function statLater(key, field, by, ttl)
  if by ~= 0 then add(kpiEntry('stat', key, ttl), field, by) end
end

local function countActiveLater(key, memberId, ttl)
  add(kpiEntry('active', key, ttl), memberId, 1)
end

-- Ambassadors: plain awarded points per member and local day (summed over a rolling window on read).
local function ambassadorPointsLater(key, memberId, points, ttl)
  if points ~= 0 then add(kpiEntry('ambassador', key, ttl), memberId, points) end
end

local function flush()
  for _, e in ipairs(pending.order) do
    if e.kind == 'active' then
      redis.call('PFADD', e.key, unpack(e.order))
    else
      for _, field in ipairs(e.order) do
        local by = e.sums[field]
        if by ~= 0 then
          if e.kind == 'stat' then redis.call('HINCRBY', e.key, field, by) else redis.call('ZINCRBY', e.key, by, field) end
        end
      end
    end
    redis.call('EXPIRE', e.key, e.ttl, 'NX')
  end
  pending = {order = {}, byKey = {}}
end

local function stat(key, field, by, ttl)
  statLater(key, field, by, ttl)
  flush()
end

local function ambassadorPoints(key, memberId, points, ttl)
  ambassadorPointsLater(key, memberId, points, ttl)
  flush()
end

return {
  statLater = statLater, countActiveLater = countActiveLater, ambassadorPointsLater = ambassadorPointsLater, flush = flush,
  stat = stat, ambassadorPoints = ambassadorPoints,
}
