-- Reads the newest entries of several members' ledgers, down to a moment: for each ledger (KEYS), its length and its
-- entries with at >= since, newest first, read in chunks and stopped at the first older entry (entries are appended in
-- time order). Ledgers still kept as streams are migrated first (ledger.migrate). One round trip for a page of members
-- (the ambassadors' contribution mix).
-- Returns one {length, entries...} per key, in order.

--!include ledger

--!keys
local ledgers = {unpack(KEYS, 1)} -- ledger lists
--!args
local since, chunk = tonumber(ARGV[1]), tonumber(ARGV[2]) -- since: unix ms
--!end

local replies = {}
for _, key in ipairs(ledgers) do
  ledger.migrate(key)
  local reply, from, done = {redis.call('LLEN', key)}, 0, false
  repeat
    local entries = redis.call('LRANGE', key, from, from + chunk - 1)
    for _, entry in ipairs(entries) do
      if tonumber(ledger.decode(entry)[8]) < since then done = true; break end
      reply[#reply + 1] = entry
    end
    from = from + chunk
  until done or #entries < chunk
  replies[#replies + 1] = reply
end
return replies
