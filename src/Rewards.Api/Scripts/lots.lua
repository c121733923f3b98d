-- Module lots: a member's spendable points by expiry date ("lots"), for programs with a pointsExpiry policy
-- (docs/points-expiry.md). With the policy 'none' (the default) nothing here is called on the award path: no lot is written.
-- Storage (bytes matter: one small listpack hash per member, one sorted set per program):
--   lots hash, RedisKeys.Lots 'rw:{p}:m:<id>:lots': field = the lot's expiry date 'yyyymmdd' (the last local day its points
--     can be spent: they expire at the next local midnight of the program's zone), value = the points left in it. One lot per
--     expiry date: every award of a member whose points expire on the same date grows the same lot (so at most one lot per
--     member per local day and expiry date). A lot with nothing left is deleted.
--   due set, RedisKeys.LotsDue 'rw:{p}:lots:due': member id -> the member's earliest expiry date as a number (yyyymmdd). It may
--     be lower than the real earliest (take does not raise it); the expiry job corrects it (expire + nextDue).
-- Invariant: the points in lots never exceed max(balance, 0); points without a lot (earned under 'none') never expire.
-- A 'taken' description lists what a debit took, lot by lot, in the order taken: 'yyyymmdd:n,yyyymmdd:n' ('' = nothing).
-- Exports:
--   earn(lotsKey, dueKey, memberId, expiry, points, balanceBefore) -> lotted
--     An award, an approval or a positive adjustment of `points` makes or grows the lot `expiry` ('yyyymmdd'; '' = policy
--     none: nothing is written). Points that pay back a debt (balanceBefore < 0) get no lot. Commands: HINCRBY + ZADD LT.
--   take(lotsKey, amount, ownLot) -> taken, sum
--     Consumes up to `amount` points from the lots, earliest expiry first; ownLot ('yyyymmdd' or '' / nil): a lot to take from
--     first (a reversal takes its points from the lot its activity earned into). sum = points the lots gave (<= amount); the
--     rest of the debit is points without expiry, or a debt: the caller moves the balance (and decides whether it may go
--     below zero). Commands: HGETALL + at most one HINCRBY and one HDEL.
--   giveBack(lotsKey, dueKey, memberId, taken)
--     Refunds what take took to the same lots, with their original expiry dates (a date already past is expired again by the
--     next expiry run, with its own ledger entry).
--   expire(lotsKey, today) -> taken, sum, count, nextDate
--     Removes every lot whose expiry date is before `today` ('yyyymmdd', the program's local date): what the expiry job takes;
--     count: how many lots; nextDate: the earliest lot left ('yyyymmdd'), nil when none is left.
--   nextDue(lotsKey) -> the earliest expiry date left ('yyyymmdd'), or nil when the member has no lot.
--   sumUntil(lotsKey, lastDay) -> points in lots expiring on or before lastDay ('yyyymmdd').
--   within(lotsKey, after, last) -> the lots dated after `after` ('' = any) and on or before `last` ('yyyymmdd') that still
--     hold points, earliest first: {{date, points}, ...} (the 'points.expiring' announcement, lots-notice.lua). Commands: HGETALL.

local function earn(lotsKey, dueKey, memberId, expiry, points, balanceBefore)
  if expiry == nil or expiry == '' or points <= 0 then return 0 end
  local lotted = points
  if balanceBefore < 0 then lotted = math.max(0, points + balanceBefore) end
  if lotted <= 0 then return 0 end
  redis.call('HINCRBY', lotsKey, expiry, lotted)
  redis.call('ZADD', dueKey, 'LT', expiry, memberId)
  return lotted
end

-- The member's lots, earliest expiry first: {{date, points}, ...}.
local function sorted(lotsKey)
  local flat = redis.call('HGETALL', lotsKey)
  local list = {}
  for i = 1, #flat, 2 do list[#list + 1] = {flat[i], tonumber(flat[i + 1])} end
  table.sort(list, function(x, y) return x[1] < y[1] end)
  return list
end

local function take(lotsKey, amount, ownLot)
  if amount <= 0 then return '', 0 end
  local list = sorted(lotsKey)
  if #list == 0 then return '', 0 end
  if ownLot and ownLot ~= '' then
    for i, lot in ipairs(list) do
      if lot[1] == ownLot then table.remove(list, i); table.insert(list, 1, lot); break end
    end
  end
  local parts, left, emptied, partial = {}, amount, {}, nil
  for _, lot in ipairs(list) do
    if left <= 0 then break end
    local n = math.min(left, lot[2])
    if n > 0 then
      parts[#parts + 1] = string.format('%s:%d', lot[1], n)
      left = left - n
      if n == lot[2] then emptied[#emptied + 1] = lot[1] else partial = {lot[1], n} end
    end
  end
  -- Every lot taken is emptied, except possibly the last one: one HDEL and at most one HINCRBY.
  if #emptied > 0 then redis.call('HDEL', lotsKey, unpack(emptied)) end
  if partial then redis.call('HINCRBY', lotsKey, partial[1], -partial[2]) end
  return table.concat(parts, ','), amount - left
end

local function giveBack(lotsKey, dueKey, memberId, taken)
  local earliest = nil
  for date, n in string.gmatch(taken or '', '(%d+):(%d+)') do
    redis.call('HINCRBY', lotsKey, date, n)
    if earliest == nil or date < earliest then earliest = date end
  end
  if earliest then redis.call('ZADD', dueKey, 'LT', earliest, memberId) end
end

local function expire(lotsKey, today)
  local parts, sum, gone, nextDate = {}, 0, {}, nil
  for _, lot in ipairs(sorted(lotsKey)) do
    if lot[1] >= today then nextDate = lot[1]; break end
    parts[#parts + 1] = string.format('%s:%d', lot[1], lot[2])
    sum = sum + lot[2]
    gone[#gone + 1] = lot[1]
  end
  if #gone > 0 then redis.call('HDEL', lotsKey, unpack(gone)) end
  return table.concat(parts, ','), sum, #gone, nextDate
end

local function nextDue(lotsKey)
  local earliest = nil
  for _, date in ipairs(redis.call('HKEYS', lotsKey)) do
    if earliest == nil or date < earliest then earliest = date end
  end
  return earliest
end

local function sumUntil(lotsKey, lastDay)
  local sum = 0
  for _, lot in ipairs(sorted(lotsKey)) do
    if lot[1] > lastDay then break end
    sum = sum + lot[2]
  end
  return sum
end

local function within(lotsKey, after, last)
  local list = {}
  for _, lot in ipairs(sorted(lotsKey)) do
    if lot[1] > last then break end
    if lot[1] > after and lot[2] > 0 then list[#list + 1] = lot end
  end
  return list
end

return {earn = earn, take = take, giveBack = giveBack, expire = expire, nextDue = nextDue, sumUntil = sumUntil, within = within}
