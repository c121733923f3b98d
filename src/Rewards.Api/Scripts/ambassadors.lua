-- The members who contributed most over a rolling window of local days: the sum of their daily awarded points,
-- skipping flagged, suspended and erased members. The union is built in a short-lived key of the program's slot.
-- KEYS: 1 scratch key, 2.. ambassador points of each day in the window
-- ARGV: 1 how many, 2 member key prefix
-- Returns {memberId, points, displayName, ...}
local scratch, want, prefix = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local days = {}
for i = 2, #KEYS do days[#days + 1] = KEYS[i] end
redis.call('ZUNIONSTORE', scratch, #days, unpack(days))
redis.call('EXPIRE', scratch, 10)
local reply, start = {}, 0
while #reply < want * 3 do
  local rows = redis.call('ZREVRANGE', scratch, start, start + want * 2 - 1, 'WITHSCORES')
  if #rows == 0 then break end
  for i = 1, #rows, 2 do
    local m = redis.call('HMGET', prefix .. rows[i], 'status', 'flagged', 'displayName')
    if m[1] == 'active' and not m[2] and #reply < want * 3 then
      reply[#reply + 1] = rows[i]; reply[#reply + 1] = rows[i + 1]; reply[#reply + 1] = m[3] or ''
    end
  end
  start = start + want * 2
end
redis.call('DEL', scratch)
return reply
