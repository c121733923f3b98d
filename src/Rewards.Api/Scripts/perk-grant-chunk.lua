-- Grants one chunk of a grant run's audience snapshot, and advances the run's cursor, in one run: a chunk is either
-- wholly applied with the cursor moved past it, or not at all. A member holds one grant per perk, tagged with the run
-- that made it, so re-running a chunk (a retry, a duplicate job execution, a restart) grants nobody twice.
-- Member keys are prefix .. memberId (.. ':grants' / ':inbox'): RedisKeys.MemberPrefix, MemberGrants, MemberInbox.
-- KEYS: 1 run hash, 2 audience snapshot list, 3 perk hash, 4 KPI hash of today
-- ARGV: 1 run id, 2 expected cursor, 3 chunk size, 4 perk id, 5 now (unix ms), 6 min lifetime points (-1 = none),
--       7 member key prefix, 8 KPI ttl s, 9 badge the member must hold ('' = none)
-- Returns {'ok', cursor, total, granted in this chunk} | {'moved', cursor} | {'status', status}
local run = redis.call('HMGET', KEYS[1], 'status', 'cursor', 'total')
if run[1] ~= 'granting' then return {'status', run[1] or ''} end
if redis.call('EXISTS', KEYS[3]) == 0 then return {'status', 'deleted'} end -- the perk was deleted: nobody more is granted
local cursor, total = tonumber(run[2]), tonumber(run[3])
if cursor ~= tonumber(ARGV[2]) then return {'moved', cursor} end

local runId, perkId, now, minLifetime, prefix = ARGV[1], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7]
local ids = redis.call('LRANGE', KEYS[2], cursor, cursor + tonumber(ARGV[3]) - 1)
local granted = 0
for _, id in ipairs(ids) do
  local m = redis.call('HMGET', prefix .. id, 'status', 'lifetime', 'badges')
  if m[1] == 'active' and (minLifetime < 0 or (tonumber(m[2]) or 0) >= minLifetime)
      and (ARGV[9] == '' or string.find(m[3] or '', ',' .. ARGV[9] .. ',', 1, true)) then
    local grants = prefix .. id .. ':grants'
    local current = redis.call('HGET', grants, perkId)
    if not current or string.sub(current, 1, #runId + 1) ~= runId .. '|' then
      redis.call('HSET', grants, perkId, runId .. '|new||' .. now)
      redis.call('ZADD', prefix .. id .. ':inbox', now, perkId)
      granted = granted + 1
    end
  end
end

cursor = cursor + #ids
redis.call('HSET', KEYS[1], 'cursor', cursor)
redis.call('HINCRBY', KEYS[1], 'granted', granted)
redis.call('HINCRBY', KEYS[3], 'granted', granted)
stat(KEYS[4], 'perksGranted', granted, ARGV[8])
if cursor >= total then
  redis.call('HSET', KEYS[1], 'status', 'done', 'finishedAt', now)
  redis.call('EXPIRE', KEYS[2], 604800)
end
return {'ok', cursor, total, granted}
