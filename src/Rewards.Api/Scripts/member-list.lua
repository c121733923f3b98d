-- One page of a program's members (read only): by first-seen time, or by a prefix of their id or of their display name
-- (lexicographic indexes, MemberIdIndex and MemberNameIndex), optionally filtered by status, tier, flag and the start of the
-- display name (when searching by id prefix too).
-- Without filters a page costs O(log N + limit). With filters the script reads the source in order from `offset`, at
-- most maxScan candidates (one HMGET each), and stops when the page is full: a page may come back short (even empty) with
-- a next offset, and the caller continues from there. `total` counts the source (members, or members matching the
-- prefix), before the filters.
-- Returns {total, nextOffset (-1 = done), memberId...}

--!include member

--!keys
local source = KEYS[1]
--!args
local mode, prefix, memberPrefix, status, tier, flagged = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local offset, limit, maxScan, nameFilter = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10]
--!end
-- mode: 'seen' (source: the member index), 'id' or 'name' (source: the lexicographic index, prefix: '' = all)
-- status: '' | a member status; tier: '' | a tier number (0 = none); flagged: '' | '1' | '0'; nameFilter: '' | the start of
-- the display name, ASCII letters lowercased (member.nameEntry folds names the same way)

local from, to = '-', '+'
if mode ~= 'seen' and prefix ~= '' then from, to = '[' .. prefix, '(' .. prefix .. '\255' end

local total
if mode == 'seen' then total = redis.call('ZCARD', source) else total = redis.call('ZLEXCOUNT', source, from, to) end

local function fetch(at, count)
  if mode == 'seen' then return redis.call('ZRANGE', source, at, at + count - 1) end
  local entries = redis.call('ZRANGEBYLEX', source, from, to, 'LIMIT', at, count)
  if mode == 'name' then
    for i, entry in ipairs(entries) do entries[i] = string.sub(entry, string.find(entry, '\0', 1, true) + 1) end
  end
  return entries
end

local answer = {total, -1}
if status == '' and tier == '' and flagged == '' and nameFilter == '' then
  local ids = fetch(offset, limit)
  for _, id in ipairs(ids) do answer[#answer + 1] = id end
  if offset + #ids < total then answer[2] = offset + #ids end
  return answer
end

local at, found, scanned = offset, 0, 0
while found < limit and scanned < maxScan and at < total do
  local ids = fetch(at, math.min(100, maxScan - scanned))
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    at, scanned = at + 1, scanned + 1
    local m = redis.call('HMGET', memberPrefix .. id, member.STATUS, member.TIER, member.FLAGGED, member.DISPLAY_NAME)
    if (status == '' or m[1] == status) and (tier == '' or tostring(tonumber(m[2]) or 0) == tier)
      and (flagged == '' or (flagged == '1') == (m[3] ~= false))
      and (nameFilter == '' or (m[4] and string.sub(member.nameEntry(m[4], ''), 1, #nameFilter) == nameFilter)) then
      answer[#answer + 1] = id
      found = found + 1
      if found == limit then break end
    end
  end
end
if at < total then answer[2] = at end
return answer
