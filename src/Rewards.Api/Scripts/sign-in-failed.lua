-- Counts a failed sign-in of a person; the count lives for the lockout window from the first failure.
-- Returns {failures in the window, ms until the window ends}
--!keys
local failures = KEYS[1]
--!args
local windowMs = ARGV[1]
--!end

local count = redis.call('INCR', failures)
if count == 1 then redis.call('PEXPIRE', failures, windowMs) end
return {count, redis.call('PTTL', failures)}
