-- Announces the points about to expire ('points.expiring', docs/points-expiry.md "Expiring soon") to up to CHUNK members of
-- one program; LotStore.NoticeAsync runs it once per local day (when the horizon moves), chunk after chunk, until a run
-- says the pass is done.
-- Members visited: the due set's members whose earliest lot is dated on or before HORIZON (the program's local today + N - 1
-- days), in score order, CHUNK of them from rank START (ZRANGE by index: O(log N + CHUNK) however many members share a date,
-- where a score cursor with LIMIT offset would walk every member of the date before it). The first member dated after the
-- horizon ends the pass: a member whose earliest lot is after the horizon has nothing to announce, so it is never read.
-- For each member (not erased): the lots dated after the member's mark (member.EXPIRING_NOTICED, the latest date already
-- announced; none: every lot) and within [today, HORIZON] that still hold points, with what they hold now (a lot spent
-- meanwhile is gone, a lot partly spent announces what is left). When there are any: one 'points.expiring' event and the
-- mark moves to the latest of them, both in this run. So a lot is announced once whatever re-runs, crashes between chunks or
-- two instances at once do: a second run finds the mark. Points added to a lot already announced, and a lot dated on or
-- before the mark made later (a shortened pointsExpiry policy, a refund to an announced lot), are not announced again.
-- DAYS: every date from the program's local today to HORIZON with the instant its lots expire ('yyyymmdd=ISO 8601 UTC',
-- comma-separated; C# computes them in the program's zone, DST included), so dates outside it are not announced.
-- Returns {members visited, members told, lots announced, points announced, done (1: the pass is over, 0: run again from
-- START + CHUNK)}.

--!include codes
--!include member
--!include lots
--!include events

--!keys
local dueKey, eventStream = KEYS[1], KEYS[2]
--!args
local start, horizon, now, memberPrefix, chunk = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local days, eventsMaxLength = ARGV[6], ARGV[7]
--!end
local w = events.writesOf(eventStream, eventsMaxLength)

local expiresAt = {}
for date, at in string.gmatch(days, '(%d+)=([^,]+)') do expiresAt[date] = at end

local page = redis.call('ZRANGE', dueKey, start, start + chunk - 1, 'WITHSCORES')
local last = tonumber(horizon)
local visited, told, lotCount, points, done = 0, 0, 0, 0, #page < 2 * chunk
for i = 1, #page, 2 do
  if tonumber(page[i + 1]) > last then done = true; break end
  visited = visited + 1
  local memberId = page[i]
  local memberKey = memberPrefix .. memberId
  local m = redis.call('HMGET', memberKey, member.STATUS, member.BALANCE, member.EXPIRING_NOTICED)
  if m[1] and m[1] ~= codes.status.erased then
    local list, sum, latest = {}, 0, nil
    for _, lot in ipairs(lots.within(memberKey .. ':lots', m[3] or '', horizon)) do
      local at = expiresAt[lot[1]]
      if at then
        list[#list + 1] = {expiresOn = string.sub(lot[1], 1, 4) .. '-' .. string.sub(lot[1], 5, 6) .. '-' .. string.sub(lot[1], 7, 8),
          expiresAt = at, points = lot[2]}
        sum, latest = sum + lot[2], lot[1]
      end
    end
    if latest then
      redis.call('HSET', memberKey, member.EXPIRING_NOTICED, latest)
      events.emit(w, codes.event.pointsExpiring, memberId, memberKey, now,
        {points = sum, balance = tonumber(m[2]) or 0, lots = list})
      told, lotCount, points = told + 1, lotCount + #list, points + sum
    end
  end
end
return {visited, told, lotCount, points, done and 1 or 0}
