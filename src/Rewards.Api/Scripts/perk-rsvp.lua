-- Answers an event invitation. Seats go in order of acceptance up to the capacity, then to a waitlist; a decline
-- frees a seat and promotes the first waitlisted member, in the same run. The day's 'perksAccepted' KPI counts seats
-- taken net (+1 per seat taken, a promotion included; -1 per seat given back), so that summed over the days it equals the
-- perks' own 'accepted' (seats taken now).
-- Returns {'none'} (no invitation) | {state, promoted member id or ''}

--!include kpis
--!include codes
--!include events

--!keys
local grantsKey, acceptedKey, waitlistKey, declinedKey, todayStats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local memberKey, eventStream = KEYS[6], KEYS[7]
--!args
local perkId, memberId, answer, capacity, now, kpiTtl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local memberPrefix, eventsMaxLength = ARGV[7], ARGV[8]
--!end
-- Events (events.lua), only when the answer changes something: invitation.accepted, invitation.waitlisted,
-- invitation.declined, and invitation.promoted for the waitlisted member who gets the seat (memberPrefix .. id: their hash).
local w = events.writesOf(eventStream, eventsMaxLength)
local data = {perkId = perkId}
-- accepted and waitlist are sorted sets by time, declined a set; answer is 'accept' | 'decline'.

if not redis.call('HGET', grantsKey, perkId) then return {'none'} end
if answer == 'accept' then
  if redis.call('ZSCORE', acceptedKey, memberId) then return {'accepted', ''} end
  if redis.call('ZSCORE', waitlistKey, memberId) then return {'waitlisted', ''} end
  redis.call('SREM', declinedKey, memberId)
  if redis.call('ZCARD', acceptedKey) < capacity then
    redis.call('ZADD', acceptedKey, now, memberId)
    kpis.stat(todayStats, 'perksAccepted', 1, kpiTtl)
    events.emit(w, codes.event.accepted, memberId, memberKey, now, data)
    return {'accepted', ''}
  end
  redis.call('ZADD', waitlistKey, now, memberId)
  events.emit(w, codes.event.waitlisted, memberId, memberKey, now, data)
  return {'waitlisted', ''}
end
local promoted = ''
local gaveSeat = redis.call('ZREM', acceptedKey, memberId) == 1
if not gaveSeat then redis.call('ZREM', waitlistKey, memberId) end
if redis.call('SADD', declinedKey, memberId) == 1 then events.emit(w, codes.event.declined, memberId, memberKey, now, data) end
if gaveSeat then
  local first = redis.call('ZPOPMIN', waitlistKey)
  if first[1] then
    -- the seat passes to the first waitlisted member: seats taken are unchanged
    redis.call('ZADD', acceptedKey, now, first[1])
    promoted = first[1]
    events.emit(w, codes.event.promoted, promoted, memberPrefix .. promoted, now, data)
  else
    kpis.stat(todayStats, 'perksAccepted', -1, kpiTtl)
  end
end
return {'declined', promoted}
