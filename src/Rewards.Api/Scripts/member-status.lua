-- Suspends, reinstates or erases a member, moving them off or back onto every leaderboard in one run.
-- Suspension parks the member's window entries (score, the key's remaining time to live and when it was parked) to
-- restore them exactly on reinstatement;
-- all-time entries are rebuilt from the member's totals. Erasure removes personal data and every board entry for good;
-- balance, lifetime and the ledger stay, for accounting.
-- KEYS: 1 member, 2 parked entries, 3 member index, 4.. boards
-- ARGV: 1 action ('suspend' | 'reinstate' | 'erase'), 2 member id, 3 now (unix ms),
--       then one per board key: 'all:<board>' for an all-time board, 'window' for a window period,
--       then (erase) the arguments of eraseMemberData (member-erase.lua, prepended)
-- Returns {'missing'} | {'conflict', status} | {'done', status}
local member, parked, index, memberId, now = KEYS[1], KEYS[2], KEYS[3], ARGV[2], tonumber(ARGV[3])
local status = redis.call('HGET', member, 'status')
if not status or status == 'erased' then return {'missing'} end
local action = ARGV[1]
if (action == 'suspend' and status ~= 'active') or (action == 'reinstate' and status ~= 'suspended') then
  return {'conflict', status}
end


if action == 'reinstate' then
  for i = 4, #KEYS do
    if string.sub(ARGV[i], 1, 4) == 'all:' then
      local board = string.sub(ARGV[i], 5)
      local points = tonumber(redis.call('HGET', member, board == 'points' and 'lifetime' or 't:' .. board) or '0')
      local entry = redis.call('HGET', member, 'lb:' .. board)
      if points > 0 and entry and entry ~= '' then redis.call('ZADD', KEYS[i], points, entry) end
    end
  end
  local saved = redis.call('HGETALL', parked)
  for i = 1, #saved, 2 do
    local score, ttl, parkedAt = string.match(saved[i + 1], '^([^|]+)|(-?%d+)|(%d+)$')
    local left = tonumber(ttl) - (now - tonumber(parkedAt))
    if tonumber(ttl) < 0 or left > 0 then
      redis.call('ZADD', saved[i], score, memberId)
      if tonumber(ttl) >= 0 then redis.call('PEXPIRE', saved[i], left, 'NX') end
    end
  end
  redis.call('DEL', parked)
  redis.call('HSET', member, 'status', 'active')
  return {'done', 'active'}
end

-- suspend or erase: off every board
for i = 4, #KEYS do
  local kind = ARGV[i]
  if string.sub(kind, 1, 4) == 'all:' then
    local entry = redis.call('HGET', member, 'lb:' .. string.sub(kind, 5))
    if entry and entry ~= '' then redis.call('ZREM', KEYS[i], entry) end
  else
    local score = redis.call('ZSCORE', KEYS[i], memberId)
    if score then
      if action == 'suspend' then
        redis.call('HSET', parked, KEYS[i], score .. '|' .. redis.call('PTTL', KEYS[i]) .. '|' .. now)
      end
      redis.call('ZREM', KEYS[i], memberId)
    end
  end
end

if action == 'suspend' then
  redis.call('HSET', member, 'status', 'suspended')
  return {'done', 'suspended'}
end

redis.call('DEL', parked)
eraseMemberData(member, memberId, {unpack(ARGV, #KEYS + 1)}) -- member-erase.lua; its arguments follow the boards'
redis.call('ZREM', index, memberId)
redis.call('HDEL', member, 'displayName', 'locale')
redis.call('HSET', member, 'status', 'erased', 'erasedAt', now)
return {'done', 'erased'}
