-- Module codepool: an offer's code pool. The list holds the unclaimed codes (claims RPOP it); the set holds the SHA-1 of
-- every code the pool ever held, claimed ones included, so that a code is never in a pool twice nor handed out again once
-- claimed, while a claimed code itself is kept nowhere but in its member's grant (which erasure scrubs).
-- Exports: add(list key, set key, codes, max codes per pool)
--   -> {'ok', codes left} | {'duplicates', count, code...} (at most 100 listed) | {'quota', codes held}

local function eachChunk(items, size, fn)
  for i = 1, #items, size do
    fn(unpack(items, i, math.min(i + size - 1, #items)))
  end
end

local function add(list, set, codes, maxPool)
  -- A pool written before the set existed: its unclaimed codes seed the set.
  if redis.call('EXISTS', set) == 0 and redis.call('EXISTS', list) == 1 then
    local digests = {}
    for _, code in ipairs(redis.call('LRANGE', list, 0, -1)) do digests[#digests + 1] = redis.sha1hex(code) end
    eachChunk(digests, 5000, function(...) redis.call('SADD', set, ...) end)
  end
  local duplicates, seen, digests = {}, {}, {}
  for i, code in ipairs(codes) do
    digests[i] = redis.sha1hex(code)
    if seen[code] or redis.call('SISMEMBER', set, digests[i]) == 1 then
      duplicates[#duplicates + 1] = code
    end
    seen[code] = true
  end
  if #duplicates > 0 then
    local answer = {'duplicates', #duplicates}
    for i = 1, math.min(#duplicates, 100) do answer[#answer + 1] = duplicates[i] end
    return answer
  end
  local held = redis.call('SCARD', set)
  if held + #codes > maxPool then return {'quota', held} end
  if #codes > 0 then
    eachChunk(digests, 5000, function(...) redis.call('SADD', set, ...) end)
    eachChunk(codes, 5000, function(...) redis.call('LPUSH', list, ...) end)
  end
  return {'ok', redis.call('LLEN', list)}
end

return { add = add }
