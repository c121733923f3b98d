-- Redeems a reward for a member, deciding and writing everything in one run: idempotency, due holds released first (so
-- stock is never stuck behind an expired hold), the member's status, the reward's availability (active flag, window),
-- audience (minTier, badge), per-member limit (per local day/week/month, or ever), stock (or the code pool), balance; then
-- the debit (lots earliest-expiry first: lots.take, named in the ledger entry and the redemption), the codes (popped from the pool, or the vouchers the API
-- generated), the limit slot, the redemption and its indexes, the hold, the ledger entry and the figures. With hold = 1 the
-- redemption stays reserved until holdUntil (points held in the member's 'held'); without, it is confirmed at once.
-- Returns {'created', view...} | {'replayed', view...} | {'conflict'} | {'refused', reason, detail...} | {'missing', 'member'|'reward'}
--   | {'one_perk'} (a perk reward is redeemed one at a time) | {'voucher_taken'} (a generated voucher exists already: the API generates others and runs again)
-- The idempotency record (module idempotency, the store of every write path; the key hash is the redemption key's, apart
-- from activities') holds the redemption id, or '!' .. reason for a refusal (a replay refuses the same way).
-- Events (module redemption): redemption.created, then redemption.confirmed without a hold; redemption.expired for each due
-- hold released first. A refusal, a replay or a conflict emits nothing of its own.

--!include layout
--!include codes
--!include member
--!include ledger
--!include kpis
--!include idempotency
--!include lots
--!include redemption
--!include events

local L = layout.new()
--!keys
local IDEMPOTENCY = L.key(idempotency.KEY_COUNT) -- the idempotency record's keys (IdempotencySlot)
local MEMBER = L.key()
local LEDGER = L.key()
local LOTS = L.key()                  -- the member's lots
local LOTS_DUE = L.key()              -- the program's members by earliest lot expiry
local REWARD = L.key()
local REWARD_CODES = L.key()          -- the reward's code pool (kind code)
local REWARD_CODE_SET = L.key()       -- SHA-1 of every code or voucher the reward ever held or issued
local REDEMPTION = L.key()
local MEMBER_REDEMPTIONS = L.key()
local PROGRAM_REDEMPTIONS = L.key()
local HOLDS = L.key()
local STATS = L.key()                 -- KPI hash of the local day
local EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites)
--!args
local IDEMPOTENCY_ARGS = L.arg(idempotency.ARG_COUNT) -- the idempotency record's arguments (IdempotencySlot)
local REDEMPTION_ID = L.arg()
local MEMBER_ID = L.arg()
local REWARD_ID = L.arg()
local QUANTITY = L.arg()
local HOLD = L.arg()                  -- 1/0
local HOLD_UNTIL = L.arg()            -- unix ms (hold = 1)
local NOW = L.arg()                   -- unix ms
local DAY = L.arg()                   -- local day, week and month ids of now (limit periods)
local WEEK = L.arg()
local MONTH = L.arg()
local LIMIT_TTL = L.arg()             -- s, for a periodic limit counter
local VOUCHERS = L.arg()              -- comma-separated generated voucher codes (kind voucher), else ''
local CLIENT = L.arg()                -- the client that asked (a member token: 'member')
local KPI_TTL = L.arg()               -- s
local MEMBER_PREFIX = L.arg()
local REWARD_PREFIX = L.arg()
local REDEMPTION_PREFIX = L.arg()
local PERK_PREFIX = L.arg()
local SWEEP_MAX = L.arg()             -- due holds released per run at most
local EVENT_ARGS = L.arg(events.ARG_COUNT)
--!end

local S, R = codes.redemption, codes.refusal
local idemK, idemA, now = IDEMPOTENCY - 1, IDEMPOTENCY_ARGS - 1, tonumber(ARGV[NOW])
local seen = idempotency.find(idemK, idemA, false)
if seen == false then return {'conflict'} end
if seen then seen = string.sub(seen, 9) end -- the record is the request's 8-byte check, then the answer
local rd = redemption.new({memberPrefix = ARGV[MEMBER_PREFIX], rewardPrefix = ARGV[REWARD_PREFIX],
  redemptionPrefix = ARGV[REDEMPTION_PREFIX], perkPrefix = ARGV[PERK_PREFIX], holds = KEYS[HOLDS], lotsDue = KEYS[LOTS_DUE],
  stats = KEYS[STATS], kpiTtl = ARGV[KPI_TTL], now = now, events = events.writes(EVENTS, EVENT_ARGS)})
if seen then
  if string.sub(seen, 1, 1) == '!' then return {'refused', string.sub(seen, 2)} end
  local view = rd.view(seen)
  table.insert(view, 1, 'replayed')
  return view
end

rd.sweep(tonumber(ARGV[SWEEP_MAX]))

local memberKey, rewardKey, memberId, rewardId = KEYS[MEMBER], KEYS[REWARD], ARGV[MEMBER_ID], ARGV[REWARD_ID]
local qty, hold = tonumber(ARGV[QUANTITY]), ARGV[HOLD] == '1'
local m = redis.call('HMGET', memberKey, member.STATUS, member.BALANCE, member.HELD, member.TIER, member.BADGES)
if not m[1] or m[1] == codes.status.erased then kpis.flush(); return {'missing', 'member'} end
local w = redis.call('HMGET', rewardKey, 'kind', 'cost', 'stock', 'limitCount', 'limitPeriod', 'from', 'until', 'minTier',
  'badge', 'active', 'perkId', 'deleted')
if not w[1] or w[12] == '1' then kpis.flush(); return {'missing', 'reward'} end
-- Optional fields are absent (HMGET answers false) or ''.
local function opt(i) if w[i] and w[i] ~= '' then return w[i] end return nil end
local kind, cost = w[1], tonumber(w[2]) * qty
if kind == 'perk' and qty ~= 1 then kpis.flush(); return {'one_perk'} end
local balance, held = tonumber(m[2]) or 0, tonumber(m[3]) or 0

local function refuse(reason, ...)
  idempotency.store(idemK, idemA, '!' .. reason)
  kpis.flush()
  return {'refused', reason, ...}
end

if m[1] ~= codes.status.active then return refuse(R.memberSuspended) end
if w[10] ~= '1' then return refuse(R.notAvailable, 'inactive') end
if opt(6) and now < tonumber(w[6]) then return refuse(R.notAvailable, 'before', w[6]) end
if opt(7) and now >= tonumber(w[7]) then return refuse(R.notAvailable, 'after', w[7]) end
local minTier = tonumber(opt(8)) or 0
if minTier > 0 and (tonumber(m[4]) or 0) < minTier then return refuse(R.notEligible, 'tier', tostring(minTier)) end
if opt(9) and not string.find(m[5] or '', ',' .. w[9] .. ',', 1, true) then return refuse(R.notEligible, 'badge', w[9]) end
if kind == 'perk' then
  local perkStatus = redis.call('HGET', ARGV[PERK_PREFIX] .. w[11], 'status')
  if perkStatus ~= 'active' then return refuse(R.notAvailable, 'perk') end
  if redis.call('HEXISTS', memberKey .. ':grants', w[11]) == 1 then return refuse(R.notEligible, 'holds_perk', w[11]) end
end
local limitCount, limitKey = tonumber(opt(4)) or 0, ''
if limitCount > 0 then
  local period = ({day = ARGV[DAY], week = ARGV[WEEK], month = ARGV[MONTH]})[w[5]] or 'ever'
  limitKey = memberKey .. ':rl:' .. rewardId .. ':' .. period
  local used = tonumber(redis.call('GET', limitKey)) or 0
  if used + qty > limitCount then return refuse(R.limitReached, tostring(used), tostring(limitCount)) end
end
if kind == 'code' then
  local left = redis.call('LLEN', KEYS[REWARD_CODES])
  if left < qty then return refuse(R.outOfStock, tostring(left)) end
elseif opt(3) and tonumber(w[3]) < qty then
  return refuse(R.outOfStock, w[3])
end
if balance < cost then return refuse(R.insufficientPoints, tostring(balance), tostring(cost)) end

-- Decided: write.
local issued = ''
if kind == 'code' then
  local popped = {}
  for i = 1, qty do popped[i] = redis.call('RPOP', KEYS[REWARD_CODES]) end
  issued = table.concat(popped, ',')
elseif kind == 'voucher' then
  for code in string.gmatch(ARGV[VOUCHERS], '[^,]+') do
    if redis.call('SISMEMBER', KEYS[REWARD_CODE_SET], redis.sha1hex(code)) == 1 then kpis.flush(); return {'voucher_taken'} end
  end
  for code in string.gmatch(ARGV[VOUCHERS], '[^,]+') do redis.call('SADD', KEYS[REWARD_CODE_SET], redis.sha1hex(code)) end
  issued = ARGV[VOUCHERS]
end
if opt(3) and kind ~= 'code' then redis.call('HINCRBY', rewardKey, 'stock', -qty) end
if limitKey ~= '' then
  redis.call('INCRBY', limitKey, qty)
  if (opt(5) or 'ever') ~= 'ever' then redis.call('EXPIRE', limitKey, ARGV[LIMIT_TTL]) end
end

-- Lots give what they hold, earliest expiry first; the rest of the cost is points without expiry (earned under 'none').
local taken = lots.take(KEYS[LOTS], cost, '')
balance = balance - cost
redis.call('HSET', memberKey, member.BALANCE, balance, member.HELD, held + cost)
local id = ARGV[REDEMPTION_ID]
redis.call('HSET', KEYS[REDEMPTION], 'id', id, 'member', memberId, 'reward', rewardId, 'kind', kind, 'quantity', qty,
  'points', cost, 'state', S.reserved, 'codes', issued, 'lots', taken, 'limitKey', limitKey, 'perkId', opt(11) or '',
  'createdAt', now, 'holdUntil', hold and ARGV[HOLD_UNTIL] or '', 'client', ARGV[CLIENT], 'balance', balance)
redis.call('ZADD', KEYS[MEMBER_REDEMPTIONS], now, id)
redis.call('ZADD', KEYS[PROGRAM_REDEMPTIONS], now, id)
redis.call('HINCRBY', rewardKey, 'reserved', 1)
redis.call('ZADD', KEYS[HOLDS], hold and tonumber(ARGV[HOLD_UNTIL]) or now, id)
ledger.append(KEYS[LEDGER], codes.ledger.redemption, id, 'reward', rewardId, -cost, 0, balance, now,
  hold and S.reserved or S.confirmed, {'reward', rewardId, 'quantity', tostring(qty), 'lots', taken})
rd.created(id)
if not hold then rd.confirm(id) end
idempotency.store(idemK, idemA, id)
kpis.flush()
local view = rd.view(id)
table.insert(view, 1, 'created')
return view
