-- One page of an offer's codes (read only): the claimed ones first, oldest claim first (the claims index names the member,
-- their grant holds the code), then the free ones, the next to be handed out first (claims RPOP the pool's list).
-- O(log N + limit) for the claimed part, O(offset + limit) for the free part (a list).
-- Returns {claimed count, free count, code, memberId ('' when free), claimedAt (unix ms, '' when free), ...}

--!keys
local claims, codeList = KEYS[1], KEYS[2]
--!args
local memberPrefix, perkId, state, offset, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
--!end
-- state: '' (all) | 'claimed' | 'free'; memberPrefix: RedisKeys.MemberPrefix (+ id + ':grants', RedisKeys.MemberGrants)

local claimed = state == 'free' and 0 or redis.call('ZCARD', claims)
local free = state == 'claimed' and 0 or redis.call('LLEN', codeList)
local answer = {claimed, free}

if offset < claimed then
  local entries = redis.call('ZRANGE', claims, offset, offset + limit - 1, 'WITHSCORES')
  for i = 1, #entries, 2 do
    local memberId = entries[i]
    local grant = redis.call('HGET', memberPrefix .. memberId .. ':grants', perkId) or ''
    local code = string.match(grant, '^[^|]*|[^|]*|([^|]*)|') or ''
    answer[#answer + 1] = code
    answer[#answer + 1] = memberId
    answer[#answer + 1] = entries[i + 1]
  end
end
local taken = (#answer - 2) / 3
local from = math.max(0, offset - claimed)
if taken < limit and from < free then
  -- The list's right end is handed out next: index -1 - from, going left.
  local codes = redis.call('LRANGE', codeList, -(from + limit - taken), -(from + 1))
  for i = #codes, 1, -1 do
    answer[#answer + 1] = codes[i]
    answer[#answer + 1] = ''
    answer[#answer + 1] = ''
  end
end
return answer
