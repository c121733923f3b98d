-- One bounded step of a program's migration to the storage layout of ledger lists (LedgerMigrationJob runs it until
-- done): phase 'ledgers' moves the member ledger streams one SCAN step finds into their lists (ledger.migrate: each
-- atomic, as a lazy migration by an award or a read would be); phase 'activities' gives the decided activity hashes one
-- SCAN step finds their expiry (decided at = moderatedAt, else recordedAt; + the detail retention; already past: expired
-- now), pending ones keep none. When the activities' SCAN completes, the program's hash says so (ledger.LAYOUT_FIELD):
-- from then on awards pay no EXISTS for a former stream. SCAN runs on the node of the program's slot (the program key is
-- declared), over keys of the program's tag only (the pattern carries it). Safe beside concurrent awards: every write is in
-- one script run, and a member migrated twice finds no stream the second time.
-- Returns {nextCursor, done (how many keys this step changed), finished 1/0}; {'0', 0, 1} when the program is done already.

--!include codes
--!include activity
--!include ledger

--!keys
local programKey = KEYS[1]
--!args
local phase, cursor, count = ARGV[1], ARGV[2], ARGV[3]         -- phase: 'ledgers' | 'activities'
local memberPrefix, activityPrefix = ARGV[4], ARGV[5]          -- RedisKeys.MemberPrefix, RedisKeys.Activity(p, '')
local retentionMs, now = tonumber(ARGV[6]), tonumber(ARGV[7])  -- the detail retention; real time, unix ms (Redis TTLs are)
--!end

if redis.call('HGET', programKey, ledger.LAYOUT_FIELD) == ledger.LAYOUT then return {'0', 0, 1} end

local changed = 0
if phase == 'ledgers' then
  local step = redis.call('SCAN', cursor, 'MATCH', memberPrefix .. '*:ledger', 'COUNT', count, 'TYPE', 'stream')
  for _, stream in ipairs(step[2]) do
    -- the list's name: ':l' for ':ledger' (RedisKeys.Ledger, RedisKeys.LegacyLedger)
    if ledger.migrate(string.sub(stream, 1, -7) .. 'l') > 0 then changed = changed + 1 end
  end
  return {step[1], changed, 0}
end

local step = redis.call('SCAN', cursor, 'MATCH', activityPrefix .. '*', 'COUNT', count, 'TYPE', 'hash')
for _, key in ipairs(step[2]) do
  if redis.call('PTTL', key) == -1 then
    local a = redis.call('HMGET', key, activity.STATUS, activity.RECORDED_AT, activity.MODERATED_AT)
    if a[1] and a[1] ~= codes.outcome.pending then
      local decidedAt = tonumber(a[3]) or tonumber(a[2]) or now
      redis.call('PEXPIREAT', key, decidedAt + retentionMs)
      changed = changed + 1
    end
  end
end
if step[1] == '0' then
  redis.call('HSET', programKey, ledger.LAYOUT_FIELD, ledger.LAYOUT)
  return {'0', changed, 1}
end
return {step[1], changed, 0}
