-- Tiers, badges, streaks, KPIs and ambassadors, shared by the award and moderation scripts (prepended when loaded).
-- tiers: "min1,min2,..." ascending lifetime thresholds; a member's tier is the number of thresholds reached (0 = none).
-- badges: "id:c:type:count;id:l::points;id:s::days" (awarded activities of a type, lifetime points, streak days).
-- A member hash keeps: 'c:<type>' awarded activities per type, 'streakDay' (local day number), 'streak', 'bestStreak',
-- 'badges' (",id,id,") and 'tier'.

local function tierOf(tiers, lifetime)
  local tier = 0
  for min in string.gmatch(tiers, '[^,]+') do
    if lifetime >= tonumber(min) then tier = tier + 1 end
  end
  return tier
end

-- Streak: consecutive local days with at least one awarded activity. Returns streakDay, streak, best.
local function nextStreak(day, streakDay, streak, best)
  if streakDay == nil or day > streakDay + 1 then
    streakDay, streak = day, 1
  elseif day == streakDay + 1 then
    streakDay, streak = day, streak + 1
  end
  if streak > best then best = streak end
  return streakDay, streak, best
end

-- Badges newly earned given the member's state; returns the updated ',id,' string and a list of new ids.
local function earnBadges(rules, earned, activityType, typeCount, lifetime, streak)
  local new = {}
  for id, kind, kindType, threshold in string.gmatch(rules, '([^:;]+):(%a):([^:;]*):([^:;]+)') do
    if not string.find(earned, ',' .. id .. ',', 1, true) then
      local value = (kind == 'c' and kindType == activityType and typeCount) or (kind == 'l' and lifetime) or (kind == 's' and streak) or -1
      if value >= tonumber(threshold) then
        earned = earned .. id .. ','
        new[#new + 1] = id
      end
    end
  end
  return earned, new
end

-- KPI writes: per-day counters (a hash), active members (a HyperLogLog) and ambassadors' daily points (a sorted set), each
-- key getting its expiry when first written. They are gathered and written by flushKpis: a script run that decides many
-- awards (group commit) sums the increments of one key and field and writes each key once when the run ends; the run is
-- atomic, so nobody can observe the difference from writing them award by award. stat and ambassadorPoints write at once.
local kpis = {order = {}, byKey = {}}

local function kpiEntry(kind, key, ttl)
  local e = kpis.byKey[key]
  if not e then
    e = {kind = kind, key = key, ttl = ttl, order = {}, sums = {}}
    kpis.byKey[key] = e
    kpis.order[#kpis.order + 1] = e
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

local function flushKpis()
  for _, e in ipairs(kpis.order) do
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
  kpis = {order = {}, byKey = {}}
end

local function stat(key, field, by, ttl)
  statLater(key, field, by, ttl)
  flushKpis()
end

local function ambassadorPoints(key, memberId, points, ttl)
  ambassadorPointsLater(key, memberId, points, ttl)
  flushKpis()
end
