-- The members who contributed most over a rolling window of local days: the sum of their daily awarded points,
-- skipping flagged, suspended and erased members. The union is built in a short-lived key of the program's slot.
-- Returns {memberId, points, displayName, ...}

--!include codes
--!include member

--!keys
local scratch, days = KEYS[1], {unpack(KEYS, 2)} -- days: ambassador points of each day in the window
--!args
local want, prefix = tonumber(ARGV[1]), ARGV[2] -- want: how many; prefix: member key prefix
--!end

redis.call('ZUNIONSTORE', scratch, #days, unpack(days))
redis.call('EXPIRE', scratch, 10)
local reply, start = {}, 0
while #reply < want * 3 do
  local rows = redis.call('ZREVRANGE', scratch, start, start + want * 2 - 1, 'WITHSCORES')
  if #rows == 0 then break end
  for i = 1, #rows, 2 do
    local m = redis.call('HMGET', prefix .. rows[i], member.STATUS, member.FLAGGED, member.DISPLAY_NAME)
    if m[1] == codes.status.active and not m[2] and #reply < want * 3 then
      reply[#reply + 1] = rows[i]; reply[#reply + 1] = rows[i + 1]; reply[#reply + 1] = m[3] or ''
    end
  end
  start = start + want * 2
end
redis.call('DEL', scratch)
return reply
