-- Deletes a perk and everything it owns, in one run: definition and figures, code pool (unclaimed codes and the set of
-- all codes), an event's accepted, waitlisted and declined members, its grant runs and their audience snapshots, and its
-- entries in the program's perk index and news index. Members' grants are removed afterwards, in chunks (perk-ungrant-chunk).
-- KEYS: 1 perk hash, 2 perk index, 3 news by publicAt, 4 news by earlyAt, 5 code list, 6 code set, 7 accepted,
--       8 waitlist, 9 declined, 10 run ids (set)
-- ARGV: 1 perk id, 2 run key prefix (RedisKeys.PerkRun without the run id)
-- Returns 1 when the perk existed, else 0
local perkId, runPrefix = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local runs = redis.call('SMEMBERS', KEYS[10])
local last = redis.call('HGET', KEYS[1], 'lastRunId')
if last then runs[#runs + 1] = last end
for _, runId in ipairs(runs) do
  redis.call('DEL', runPrefix .. runId, runPrefix .. runId .. ':audience')
end
redis.call('DEL', KEYS[1], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10])
redis.call('ZREM', KEYS[2], perkId)
redis.call('ZREM', KEYS[3], perkId)
redis.call('ZREM', KEYS[4], perkId)
return 1
