-- The floor of an award in Redis: only the commands an award of the awards benchmark has to run, with no rule logic,
-- no KPIs and nothing computed: the idempotency record (read in the current and the previous generation, write; its hash's expiry is set once), the member (read, write), the day and week cap
-- counters, the commit sequence (one INCRBY per run), the 6 window boards and the 2 all-time boards (ZREM + ZADD),
-- the activity record and its expiry (the detail retention), the ledger entry (one compact string pushed on a list).
-- 16 awards per run, as the group commit batches them under load. scripts/bench awards runs it with redis-benchmark
-- (ARGV[1] = a random number) and reports Redis's CPU per award. Keys are built here: it is a measuring device, not
-- a script of the product, and it is loaded as it is (no --!include): the names below are the product's, copied from
-- Scripts/boards.lua (WINDOW_SCALE), Scripts/member.lua (SEQ_TOP; the fields, in member.read's order, with the period
-- fields boards.periodFields adds);
-- AwardFloorTests checks that they still are.
local WINDOW_SCALE, SEQ_TOP = 4194304, 6999999999999999
local READ = {'status', 'balance', 'lifetime', 'streakDay', 'streak', 'bestStreak', 'badges', 'tier', 'lb:points',
  't:comment', 'c:comment', 'lb:comment', 'lastAt:comment', 'evseq', 'e:points:2026-11-23', 'e:points:2026-W48',
  'e:points:2026-11', 'e:comment:2026-11-23', 'e:comment:2026-W48', 'e:comment:2026-11'}
local WINDOWS = {'2026-11-23', '2026-W48', '2026-11'}

local base = tonumber(ARGV[1])
local p = 'rw:{floor}:'
local seq = redis.call('INCRBY', p .. 'lb-seq', 16) - 16
for i = 0, 15 do
  local n = (base * 16 + i)
  local m = 'm-' .. (n % 10000)
  local s = seq + i + 1
  local idem, field = p .. 'idem:10218:' .. (n % 1024), 'f' .. n
  if not redis.call('HMGET', idem, field, '~')[1] then redis.call('HGET', p .. 'idem:10217:' .. (n % 1024), field) end
  local h = redis.call('HMGET', p .. 'm:' .. m, unpack(READ))
  local bal = (tonumber(h[2]) or 0) + 5
  redis.call('INCR', p .. 'cap:d:' .. m)
  redis.call('INCR', p .. 'cap:w:' .. m)
  local e = string.format('%016d', SEQ_TOP - s) .. ':' .. m
  local periods = {}
  for bi, b in ipairs({'points', 'comment'}) do
    for wi, w in ipairs(WINDOWS) do
      local old = h[14 + (bi - 1) * 3 + wi]
      local key = p .. 'lb:' .. b .. ':' .. w
      if old then redis.call('ZREM', key, string.format('%016d', SEQ_TOP - tonumber(string.match(old, ':(%d+)$'))) .. ':' .. m) end
      redis.call('ZADD', key, bal * WINDOW_SCALE, e)
      periods[#periods + 1] = 'e:' .. b .. ':' .. w
      periods[#periods + 1] = bal .. ':' .. s
    end
  end
  -- 'lb:<board>' holds the entry's commit sequence (member.allTimeEntry)
  if h[9] then redis.call('ZREM', p .. 'lb:points:all', string.format('%016d', SEQ_TOP - tonumber(h[9])) .. ':' .. m) end
  redis.call('ZADD', p .. 'lb:points:all', bal, e)
  if h[12] then redis.call('ZREM', p .. 'lb:comment:all', string.format('%016d', SEQ_TOP - tonumber(h[12])) .. ':' .. m) end
  redis.call('ZADD', p .. 'lb:comment:all', bal, e)
  redis.call('HSET', p .. 'm:' .. m, 'status', 'active', 'balance', bal, 'lifetime', bal, 't:comment', bal, 'c:comment', 1,
    'lb:points', s, 'lb:comment', s, 'streakDay', 1, 'streak', 1, 'bestStreak', 1, 'badges', ',', 'tier', 0, unpack(periods))
  redis.call('HSET', p .. 'a:' .. n, 'member', m, 'type', 'comment', 'target', 't', 'occurredAt', n, 'recordedAt', n,
    'status', 'awarded', 'reason', '', 'points', 5, 'day', '2026-11-23', 'week', '2026-W48', 'month', '2026-11', 'holds', '110')
  redis.call('EXPIRE', p .. 'a:' .. n, 7776000)
  redis.call('LPUSH', p .. 'm:' .. m .. ':l', string.format('award|%d|comment|t|5|0|%d|%d||', n, bal, n))
  -- The generation's expiry is set with its first record only (idempotency.lua's mark): not counted here.
  redis.call('HSET', idem, field, '01234567abcdefghijklmnopa|5|' .. bal)
end
return 16
