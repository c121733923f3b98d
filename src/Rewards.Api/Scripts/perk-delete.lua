-- Deletes a perk and everything it owns, in one run: definition and figures, code pool (unclaimed codes and the set of
-- all codes, and the claims index), an event's accepted, waitlisted and declined members, its grant runs and their audience snapshots, and its
-- entries in the program's perk index and news index. Members' grants are removed afterwards, in chunks (perk-ungrant-chunk).
-- Run keys are runPrefix .. runId (.. ':audience'): RedisKeys.PerkRun, PerkRunAudience.
-- Returns 1 when the perk existed, else 0
--!keys
local perkKey, perkIndex, newsByPublicAt, newsByEarlyAt = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local codeList, codeSet, accepted, waitlist, declined, runIds = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local claims = KEYS[11]
--!args
local perkId, runPrefix = ARGV[1], ARGV[2] -- runPrefix: RedisKeys.PerkRun without the run id
--!end

if redis.call('EXISTS', perkKey) == 0 then return 0 end
local runs = redis.call('SMEMBERS', runIds)
local last = redis.call('HGET', perkKey, 'lastRunId')
if last then runs[#runs + 1] = last end
for _, runId in ipairs(runs) do
  redis.call('DEL', runPrefix .. runId, runPrefix .. runId .. ':audience')
end
redis.call('DEL', perkKey, codeList, codeSet, accepted, waitlist, declined, runIds, claims)
redis.call('ZREM', perkIndex, perkId)
redis.call('ZREM', newsByPublicAt, perkId)
redis.call('ZREM', newsByEarlyAt, perkId)
return 1
