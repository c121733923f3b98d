-- Expires the due lots of up to CHUNK members of one program (the expiry job runs it until it reports fewer than CHUNK):
-- for each member whose earliest lot date (the due set's score) is before TODAY, every lot dated before TODAY goes, the
-- balance drops by their points, and one 'expiry' ledger entry names the lots ('lots' extra), all in this run. The member is
-- then re-indexed at their next lot date, or leaves the due set. So a re-run, a crash between runs or two instances running
-- at once expire nothing twice: what one run removed is gone for the next. Lifetime points, tiers and boards are untouched.
-- Member keys are built from MEMBER_PREFIX (+ id, + id .. ':lots', + id .. ':l', the ledger list), which carries the program's hash tag.
-- Returns {members visited, lots expired, points expired}.

--!include codes
--!include member
--!include ledger
--!include kpis
--!include lots

--!keys
local dueKey, statsKey = KEYS[1], KEYS[2]
--!args
local today, now, memberPrefix, chunk, kpiTtl, ref = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
--!end

local due = redis.call('ZRANGEBYSCORE', dueKey, '-inf', '(' .. today, 'LIMIT', 0, chunk)
local lotCount, points = 0, 0
for _, memberId in ipairs(due) do
  local memberKey = memberPrefix .. memberId
  local taken, sum, count, nextDate = lots.expire(memberKey .. ':lots', today)
  if sum > 0 then
    local balance = redis.call('HINCRBY', memberKey, member.BALANCE, -sum)
    ledger.append(memberKey .. ':l', codes.ledger.expiry, ref, '', '', -sum, 0, balance, now, '', {'lots', taken})
    lotCount, points = lotCount + count, points + sum
  end
  if nextDate then redis.call('ZADD', dueKey, 'XX', nextDate, memberId) else redis.call('ZREM', dueKey, memberId) end
end
kpis.stat(statsKey, 'pointsExpired', points, kpiTtl)
return {#due, lotCount, points}
