-- Loads idempotency records shaped as Scripts/idempotency.lua stores an award's (a measuring device for scripts/bench
-- storage, not a script of the product): ARGV[1] records from record number ARGV[2] on, into the hashes
-- rw:{ARGV[3]}:idem:<generation>:<shard> of one generation, 1,024 shards (IdempotencySlot.ShardBits = 10), each record a
-- 12-byte field and a value of 8 check bytes + 16 activity id bytes + 'a|5|<balance>' (a typical award's answer; the
-- balance has 4 to 6 digits), every hash given its expiry as the module does. Returns the number of records written.
-- Field and shard come from SHA-1 of the record number, as uniform as the key hash the API uses.
local count, from, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), 'rw:{' .. ARGV[3] .. '}:idem:10218:'
local function bytes(hex, n)
  return (string.gsub(string.sub(hex, 1, 2 * n), '%x%x', function(h) return string.char(tonumber(h, 16)) end))
end
for i = from, from + count - 1 do
  local h = redis.sha1hex(tostring(i))
  local shard = tonumber(string.sub(h, 25, 28), 16) % 1024
  local key = prefix .. string.format('%03x', shard)
  redis.call('HSET', key, bytes(h, 12), bytes(string.sub(h, 17), 8) .. bytes(h .. h, 16) .. 'a|5|' .. (1000 + i % 200000))
  redis.call('EXPIRE', key, 345600)
end
return count
