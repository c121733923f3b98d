-- Announces the points about to expire ('points.expiring', docs/points-expiry.md "Expiring soon") to up to CHUNK members of
-- one program; LotStore.NoticeAsync runs it once per local day (when the horizon moves), chunk after chunk, until a run
-- visits fewer than CHUNK members.
-- Members visited: the due set's members whose earliest lot is dated on or before HORIZON (the program's local today + N - 1
-- days), in score order, from the cursor (FROM_SCORE, SKIP: members already visited with that score). A member whose earliest
-- lot is after the horizon has nothing to announce, so it is never read.
-- For each member (not erased): the lots dated after the member's mark (member.EXPIRING_NOTICED, the latest date already
-- announced; none: every lot) and within [today, HORIZON] that still hold points, with what they hold now (a lot spent
-- meanwhile is gone, a lot partly spent announces what is left). When there are any: one 'points.expiring' event and the
-- mark moves to the latest of them, both in this run. So a lot is announced once whatever re-runs, crashes between chunks or
-- two instances at once do: a second run finds the mark. Points added to a lot already announced, and a lot dated on or
-- before the mark made later (a shortened pointsExpiry policy, a refund to an announced lot), are not announced again.
-- DAYS: every date from the program's local today to HORIZON with the instant its lots expire ('yyyymmdd=ISO 8601 UTC',
-- comma-separated; C# computes them in the program's zone, DST included), so dates outside it are not announced.
-- Returns {members visited, members told, lots announced, points announced, cursor score, cursor skip}.

--!include codes
--!include member
--!include lots
--!include events

--!keys
local dueKey, eventStream = KEYS[1], KEYS[2]
--!args
local fromScore, skip, horizon, now, memberPrefix, chunk = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local days, eventsMaxLength = ARGV[7], ARGV[8]
--!end
local w = events.writesOf(eventStream, eventsMaxLength)

local expiresAt = {}
for date, at in string.gmatch(days, '(%d+)=([^,]+)') do expiresAt[date] = at end

local page = redis.call('ZRANGEBYSCORE', dueKey, fromScore, horizon, 'WITHSCORES', 'LIMIT', skip, chunk)
local told, lotCount, points = 0, 0, 0
local cursor, atCursor = fromScore, skip
for i = 1, #page, 2 do
  local memberId, score = page[i], page[i + 1]
  if score == cursor then atCursor = atCursor + 1 else cursor, atCursor = score, 1 end
  local memberKey = memberPrefix .. memberId
  local m = redis.call('HMGET', memberKey, member.STATUS, member.BALANCE, member.EXPIRING_NOTICED)
  if m[1] and m[1] ~= codes.status.erased then
    local list, sum, last = {}, 0, nil
    for _, lot in ipairs(lots.within(memberKey .. ':lots', m[3] or '', horizon)) do
      local at = expiresAt[lot[1]]
      if at then
        list[#list + 1] = {expiresOn = string.sub(lot[1], 1, 4) .. '-' .. string.sub(lot[1], 5, 6) .. '-' .. string.sub(lot[1], 7, 8),
          expiresAt = at, points = lot[2]}
        sum, last = sum + lot[2], lot[1]
      end
    end
    if last then
      redis.call('HSET', memberKey, member.EXPIRING_NOTICED, last)
      events.emit(w, codes.event.pointsExpiring, memberId, memberKey, now,
        {points = sum, balance = tonumber(m[2]) or 0, lots = list})
      told, lotCount, points = told + 1, lotCount + #list, points + sum
    end
  end
end
return {#page / 2, told, lotCount, points, cursor, atCursor}
