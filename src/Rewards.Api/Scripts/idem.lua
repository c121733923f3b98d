-- Module idem: the idempotency records of write paths other than awards (award.lua keeps its own format). A record is
-- '<requestHash>|<answer>' under the path's idempotency key; the one place that reads or writes them, so that they can move
-- to another store at once.
-- Exports:
--   check(key, requestHash) -> nil (key not used yet) | 'conflict' (used with another request) | answer (a replay)
--   store(key, requestHash, answer, ttl)

local function check(key, requestHash)
  local seen = redis.call('GET', key)
  if not seen then return nil end
  if string.sub(seen, 1, #requestHash + 1) ~= requestHash .. '|' then return 'conflict' end
  return string.sub(seen, #requestHash + 2)
end

local function store(key, requestHash, answer, ttl)
  redis.call('SET', key, requestHash .. '|' .. answer, 'EX', ttl)
end

return {check = check, store = store}
