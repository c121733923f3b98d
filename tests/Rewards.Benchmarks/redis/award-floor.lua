-- The floor of an award in Redis: only the commands an award of the awards benchmark has to run, with no rule logic,
-- no KPIs and nothing computed: the idempotency record (read, write), the member (read, write), the day and week cap
-- counters, the 6 window boards (ZADD), the 2 all-time boards (ZREM + ZADD), the activity record, the ledger entry.
-- 16 awards per run, as the group commit batches them under load. scripts/bench awards runs it with redis-benchmark
-- (ARGV[1] = a random number) and reports Redis's CPU per award. Keys are built here: it is a measuring device, not
-- a script of the product, and it is loaded as it is (no --!include): the names below are the product's, copied from
-- Scripts/boards.lua (TIME_SPAN, REACH_MAX) and Scripts/member.lua (the fields, in member.read's order);
-- AwardFloorTests checks that they still are.
local TIME_SPAN, REACH_MAX = 4194304, 9999999999999
local READ = {'status', 'balance', 'lifetime', 'streakDay', 'streak', 'bestStreak', 'badges', 'tier', 'lb:points', 'w:points',
  't:comment', 'c:comment', 'lb:comment', 'w:comment', 'lastAt:comment'}

local base = tonumber(ARGV[1])
for i = 0, 15 do
  local n = (base * 16 + i)
  local m = 'm-' .. (n % 10000)
  local p = 'rw:{floor}:'
  redis.call('GET', p .. 'idem:' .. n)
  local h = redis.call('HMGET', p .. 'm:' .. m, unpack(READ))
  local bal = (tonumber(h[2]) or 0) + 5
  redis.call('INCR', p .. 'cap:d:' .. m)
  redis.call('INCR', p .. 'cap:w:' .. m)
  for _, w in ipairs({'day', 'week', 'month'}) do
    redis.call('ZADD', p .. 'lb:points:' .. w, bal * TIME_SPAN + TIME_SPAN - 1 - n % 100000, m)
    redis.call('ZADD', p .. 'lb:comment:' .. w, bal * TIME_SPAN + TIME_SPAN - 1 - n % 100000, m)
  end
  local e = string.format('%013d', REACH_MAX - n) .. ':' .. m
  if h[9] then redis.call('ZREM', p .. 'lb:points:all', h[9]) end
  redis.call('ZADD', p .. 'lb:points:all', bal, e)
  if h[13] then redis.call('ZREM', p .. 'lb:comment:all', h[13]) end
  redis.call('ZADD', p .. 'lb:comment:all', bal, e)
  redis.call('HSET', p .. 'm:' .. m, 'status', 'active', 'balance', bal, 'lifetime', bal, 't:comment', bal, 'c:comment', 1,
    'lb:points', e, 'lb:comment', e, 'streakDay', 1, 'streak', 1, 'bestStreak', 1, 'badges', ',', 'tier', 0,
    'w:points', '1:1;2:2;3:3', 'w:comment', '1:1;2:2;3:3')
  redis.call('HSET', p .. 'a:' .. n, 'member', m, 'type', 'comment', 'target', 't', 'occurredAt', n, 'recordedAt', n,
    'status', 'awarded', 'reason', '', 'points', 5, 'day', '2026-11-23', 'week', '2026-W48', 'month', '2026-11', 'holds', '110')
  redis.call('XADD', p .. 'm:' .. m .. ':ledger', '*', 'kind', 'award', 'activity', n, 'type', 'comment', 'target', 't',
    'points', 5, 'pending', 0, 'balance', bal, 'at', n, 'reason', '')
  redis.call('SET', p .. 'idem:' .. n, 'hash|id|awarded||5|0|' .. bal .. '|' .. bal .. '|0|0|', 'EX', 172800)
end
return 16
