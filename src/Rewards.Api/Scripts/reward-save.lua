-- Creates or updates a catalogue reward: its definition (JSON, as the API shows it) and the fields redeem.lua decides by,
-- in one run with the code pool of a code reward (codepool: unique codes, within the codes-per-pool quota).
-- An update keeps the figures and, unless it sets one, the stock left; it cannot change the kind.
-- Mode delete: a soft delete (the reward leaves the index and refuses redemptions; its redemptions keep their history).
-- Returns {'ok', codes in the pool} | {'missing'} | {'exists'} | codepool.add's refusal ({'duplicates', ...} | {'quota', held})

--!include layout
--!include codepool

local L = layout.new()
--!keys
local REWARD = L.key()
local INDEX = L.key()
local CODES = L.key()
local CODE_SET = L.key()
--!args
local MODE = L.arg()                  -- create | update
local REWARD_ID = L.arg()
local NOW = L.arg()                   -- unix ms
local JSON = L.arg()
local KIND = L.arg()
local COST = L.arg()
local STOCK = L.arg()                 -- the stock left, '' = unlimited
local STOCK_MODE = L.arg()            -- set | keep (update)
local LIMIT_COUNT = L.arg()           -- 0 = none
local LIMIT_PERIOD = L.arg()          -- day | week | month | ever
local FROM = L.arg()                  -- unix ms, '' = none
local UNTIL = L.arg()
local MIN_TIER = L.arg()              -- tier number, 0 = none
local BADGE = L.arg()
local ACTIVE = L.arg()                -- 1/0
local PERK_ID = L.arg()
local MAX_POOL = L.arg()
local NEW_CODES = L.arg()             -- comma-separated codes to add (kind code), '' = none
--!end

local key = KEYS[REWARD]
local exists = redis.call('HGET', key, 'kind')
local deleted = redis.call('HGET', key, 'deleted') == '1'
if ARGV[MODE] == 'delete' then
  if not exists or deleted then return {'missing'} end
  redis.call('HSET', key, 'deleted', '1', 'active', '0')
  redis.call('ZREM', KEYS[INDEX], ARGV[REWARD_ID])
  return {'ok', 0}
end
if ARGV[MODE] == 'create' and exists then return {'exists'} end
if ARGV[MODE] == 'update' and (not exists or deleted) then return {'missing'} end

local added = {}
for code in string.gmatch(ARGV[NEW_CODES], '[^,]+') do added[#added + 1] = code end
local pooled = 0
if ARGV[KIND] == 'code' then
  local answer = codepool.add(KEYS[CODES], KEYS[CODE_SET], added, tonumber(ARGV[MAX_POOL]))
  if answer[1] ~= 'ok' then return answer end
  pooled = answer[2]
end

redis.call('HSET', key, 'json', ARGV[JSON], 'kind', ARGV[KIND], 'cost', ARGV[COST], 'limitCount', ARGV[LIMIT_COUNT],
  'limitPeriod', ARGV[LIMIT_PERIOD], 'from', ARGV[FROM], 'until', ARGV[UNTIL], 'minTier', ARGV[MIN_TIER], 'badge', ARGV[BADGE],
  'active', ARGV[ACTIVE], 'perkId', ARGV[PERK_ID], 'updatedAt', ARGV[NOW])
if ARGV[MODE] == 'create' or ARGV[STOCK_MODE] == 'set' then
  if ARGV[STOCK] == '' then redis.call('HDEL', key, 'stock') else redis.call('HSET', key, 'stock', ARGV[STOCK]) end
end
if ARGV[MODE] == 'create' then
  redis.call('HSET', key, 'createdAt', ARGV[NOW], 'reserved', 0, 'confirmed', 0, 'cancelled', 0, 'expired', 0, 'quantity', 0,
    'points', 0)
  redis.call('ZADD', KEYS[INDEX], ARGV[NOW], ARGV[REWARD_ID])
end
return {'ok', pooled}
