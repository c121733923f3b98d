-- Expires the due lots of up to CHUNK members of one program (the expiry job runs it until it reports fewer than CHUNK):
-- for each member whose earliest lot date (the due set's score) is before TODAY, every lot dated before TODAY goes, the
-- balance drops by their points, and one 'expiry' ledger entry names the lots ('lots' extra), all in this run. The member is
-- then re-indexed at their next lot date, or leaves the due set (and loses its 'points.expiring' mark, lots-notice.lua).
-- So a re-run, a crash between runs or two instances running
-- at once expire nothing twice: what one run removed is gone for the next. Lifetime points, tiers and boards are untouched.
-- Member keys are built from MEMBER_PREFIX (+ id, + id .. ':lots', + id .. ':l', the ledger list), which carries the program's hash tag.
-- Events: points.expired per member whose lots expired, in the same run (so once per lot, like the ledger entry); none for an
-- erased member.
-- Returns {members visited, lots expired, points expired}.

--!include codes
--!include member
--!include ledger
--!include kpis
--!include lots
--!include events

--!keys
local dueKey, statsKey, eventStream = KEYS[1], KEYS[2], KEYS[3] -- eventStream: points.expired per member
--!args
local today, now, memberPrefix, chunk, kpiTtl, ref = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local eventsMaxLength = ARGV[7]
--!end
local w = events.writesOf(eventStream, eventsMaxLength)

local due = redis.call('ZRANGEBYSCORE', dueKey, '-inf', '(' .. today, 'LIMIT', 0, chunk)
local lotCount, points = 0, 0
for _, memberId in ipairs(due) do
  local memberKey = memberPrefix .. memberId
  local taken, sum, count, nextDate = lots.expire(memberKey .. ':lots', today)
  if sum > 0 then
    local balance = redis.call('HINCRBY', memberKey, member.BALANCE, -sum)
    ledger.append(memberKey .. ':l', codes.ledger.expiry, ref, '', '', -sum, 0, balance, now, '', {'lots', taken})
    lotCount, points = lotCount + count, points + sum
    local expired = {}
    for date, n in string.gmatch(taken, '(%d+):(%d+)') do
      expired[#expired + 1] = {expiryDate = string.sub(date, 1, 4) .. '-' .. string.sub(date, 5, 6) .. '-' .. string.sub(date, 7, 8),
        points = tonumber(n)}
    end
    -- None for an erased member (lots refunded by a hold of theirs released after erasure): their events were scrubbed.
    if redis.call('HGET', memberKey, member.STATUS) ~= codes.status.erased then
      events.emit(w, codes.event.pointsExpired, memberId, memberKey, tonumber(now), {points = sum, balance = balance, lots = expired})
    end
  end
  if nextDate then
    redis.call('ZADD', dueKey, 'XX', nextDate, memberId)
  else
    -- No lot left: the member leaves the due set, and the mark of what 'points.expiring' announced goes with the lots.
    redis.call('ZREM', dueKey, memberId)
    redis.call('HDEL', memberKey, member.EXPIRING_NOTICED)
  end
end
kpis.stat(statsKey, 'pointsExpired', points, kpiTtl)
return {#due, lotCount, points}
