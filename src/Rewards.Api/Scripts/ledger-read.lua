-- Reads one page of a member's ledger, newest first, with the member's status: one round trip, O(page) for the newest
-- page and for an ordinal cursor, O(log n) probes for a former stream id cursor. A member whose ledger is still a stream
-- (written before ledger lists) is migrated first, in this run (ledger.migrate).
-- Cursors (the id of the last entry of the previous page): 'o' + ordinal (1 = the oldest entry), or 's' + a former
-- stream id '<ms>-<seq>', which only migrated entries carry (extras 'id=', first): those are the list's oldest entries,
-- in id order, so the page's start is found by binary search over ordinals.
-- Returns {status or false} when the member is missing or erased, else {status, length, startOrdinal, entries...}:
-- up to limit + 1 entries from startOrdinal down (one more than a page: whether there is a next one).

--!include codes
--!include member
--!include ledger

--!keys
local memberKey, ledgerKey = KEYS[1], KEYS[2]
--!args
local mode, cursor, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]) -- mode: '' (newest) | 'o' (cursor: ordinal) | 's' (cursor: ms-seq)
--!end

local status = redis.call('HGET', memberKey, member.STATUS)
if not status or status == codes.status.erased then return {status} end
ledger.migrate(ledgerKey)
local n = redis.call('LLEN', ledgerKey)

-- Decimal numbers without leading zeros compare by length, then as text (stream ids are two unsigned 64-bit numbers,
-- beyond a Lua number's exact range).
local function less(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end

local function idLess(id, ms, seq)
  local idMs, idSeq = string.match(id, '^(%d+)-(%d+)$')
  if not idMs then return false end
  if idMs ~= ms then return less(idMs, ms) end
  return less(idSeq, seq)
end

local start = n
if mode == 'o' then
  start = math.min(tonumber(cursor) - 1, n)
elseif mode == 's' then
  local ms, seq = string.match(cursor, '^(%d+)-(%d+)$')
  -- The largest ordinal whose entry is a migrated one older than the cursor (0: none).
  local lo, hi = 0, n + 1
  while hi - lo > 1 do
    local mid = math.floor((lo + hi) / 2)
    local entry = redis.call('LINDEX', ledgerKey, n - mid)
    local extras = ledger.decode(entry)[9]
    local id = string.match(extras, '^id=([^,]*)')
    if id and idLess(id, ms, seq) then lo = mid else hi = mid end
  end
  start = lo
end
if start <= 0 then return {status, n, 0} end
local entries = redis.call('LRANGE', ledgerKey, n - start, n - start + limit)
return {status, n, start, unpack(entries)}
