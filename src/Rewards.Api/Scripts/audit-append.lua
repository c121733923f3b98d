-- Appends an entry (JSON) to an audit log, newest first, keeping the newest maxEntries.
--!keys
local log = KEYS[1]
--!args
local entry, maxEntries = ARGV[1], tonumber(ARGV[2])
--!end

redis.call('LPUSH', log, entry)
redis.call('LTRIM', log, 0, maxEntries - 1)
return 1
