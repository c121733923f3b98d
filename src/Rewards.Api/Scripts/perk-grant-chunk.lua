-- Grants one chunk of a grant run's audience snapshot, and advances the run's cursor, in one run: a chunk is either
-- wholly applied with the cursor moved past it, or not at all. A member holds one grant per perk, tagged with the run
-- that made it, so re-running a chunk (a retry, a duplicate job execution, a restart) grants nobody twice.
-- Member keys are prefix .. memberId (.. ':grants' / ':inbox'): RedisKeys.MemberPrefix, MemberGrants, MemberInbox.
-- The run counts the members it examined (cursor), those who met the audience's condition and were active ('qualified':
-- the run's answer calls it total) and those granted now (fewer when some already held this run's grant).
-- Returns {'ok', cursor, total, granted in this chunk} | {'moved', cursor} | {'status', status}

--!include codes
--!include member
--!include kpis
--!include events

--!keys
local runKey, audienceKey, perkKey, todayStats, eventStream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--!args
local runId, expectedCursor, chunkSize, perkId, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local minLifetime, prefix, kpiTtl, badge, eventsMaxLength = tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9], ARGV[10]
--!end
-- Events: perk.granted for each member granted now (events.lua), in the same run as the grant.
-- minLifetime: -1 = none; badge: the badge the member must hold, '' = none; now: unix ms.

-- A finished run's audience snapshot is kept a week (for audits), then expires.
local FINISHED_AUDIENCE_TTL = 7 * 24 * 3600

local run = redis.call('HMGET', runKey, 'status', 'cursor', 'total')
if run[1] ~= 'granting' then return {'status', run[1] or ''} end
if redis.call('EXISTS', perkKey) == 0 then return {'status', 'deleted'} end -- the perk was deleted: nobody more is granted
local cursor, total = tonumber(run[2]), tonumber(run[3])
if cursor ~= expectedCursor then return {'moved', cursor} end

local ids = redis.call('LRANGE', audienceKey, cursor, cursor + chunkSize - 1)
local granted, qualified = 0, 0
local w = events.writesOf(eventStream, eventsMaxLength)
for _, id in ipairs(ids) do
  local m = redis.call('HMGET', prefix .. id, member.STATUS, member.LIFETIME, member.BADGES)
  if m[1] == codes.status.active and (minLifetime < 0 or (tonumber(m[2]) or 0) >= minLifetime)
      and (badge == '' or string.find(m[3] or '', ',' .. badge .. ',', 1, true)) then
    qualified = qualified + 1
    local grants = prefix .. id .. ':grants'
    local current = redis.call('HGET', grants, perkId)
    if not current or string.sub(current, 1, #runId + 1) ~= runId .. '|' then
      redis.call('HSET', grants, perkId, runId .. '|new||' .. now)
      redis.call('ZADD', prefix .. id .. ':inbox', now, perkId)
      events.emit(w, codes.event.perkGranted, id, prefix .. id, now, {perkId = perkId, runId = runId})
      granted = granted + 1
    end
  end
end

cursor = cursor + #ids
redis.call('HSET', runKey, 'cursor', cursor)
redis.call('HINCRBY', runKey, 'granted', granted)
redis.call('HINCRBY', runKey, 'qualified', qualified)
redis.call('HINCRBY', perkKey, 'granted', granted)
kpis.stat(todayStats, 'perksGranted', granted, kpiTtl)
if cursor >= total then
  redis.call('HSET', runKey, 'status', 'done', 'finishedAt', now)
  redis.call('EXPIRE', audienceKey, FINISHED_AUDIENCE_TTL)
end
return {'ok', cursor, total, granted}
