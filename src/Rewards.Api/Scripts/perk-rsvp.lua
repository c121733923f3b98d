-- Answers an event invitation. Seats go in order of acceptance up to the capacity, then to a waitlist; a decline
-- frees a seat and promotes the first waitlisted member, in the same run.
-- KEYS: 1 member grants hash, 2 accepted (sorted set, by time), 3 waitlist (sorted set, by time), 4 declined (set),
--       5 KPI hash of today
-- ARGV: 1 perk id, 2 member id, 3 answer ('accept' | 'decline'), 4 capacity, 5 now (unix ms), 6 KPI ttl s
-- Returns {'none'} (no invitation) | {state, promoted member id or ''}
if not redis.call('HGET', KEYS[1], ARGV[1]) then return {'none'} end
local member, now = ARGV[2], ARGV[5]
if ARGV[3] == 'accept' then
  if redis.call('ZSCORE', KEYS[2], member) then return {'accepted', ''} end
  if redis.call('ZSCORE', KEYS[3], member) then return {'waitlisted', ''} end
  redis.call('SREM', KEYS[4], member)
  if redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[4]) then
    redis.call('ZADD', KEYS[2], now, member)
    stat(KEYS[5], 'perksAccepted', 1, ARGV[6])
    return {'accepted', ''}
  end
  redis.call('ZADD', KEYS[3], now, member)
  return {'waitlisted', ''}
end
local promoted = ''
if redis.call('ZREM', KEYS[2], member) == 1 then
  local first = redis.call('ZPOPMIN', KEYS[3])
  if first[1] then
    redis.call('ZADD', KEYS[2], now, first[1])
    stat(KEYS[5], 'perksAccepted', 1, ARGV[6])
    promoted = first[1]
  end
else
  redis.call('ZREM', KEYS[3], member)
end
redis.call('SADD', KEYS[4], member)
return {'declined', promoted}
