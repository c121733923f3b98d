-- Module ledger: a member's ledger (RedisKeys.Ledger), a Redis LIST of compact entries, newest first (LPUSH). The list is
-- never trimmed, so an entry's ordinal (1 = the oldest = the list's tail) never changes; erasure rewrites entries in place.
-- One entry is one string, fields separated by '|':
--   kind|ref|type|target|points|pending|balance|at|extras|reason
-- kind: a codes.ledger kind; ref: the activity id (or what the entry refers to); type: the activity type; target; points:
-- the change to the balance; pending: points awaiting moderation; balance: after the entry; at: unix ms; extras: ''
-- or 'name=value,name=value' (a tier entry's 'from', a migrated entry's 'id' = its former stream id, always first);
-- reason: free text, LAST, stored as given (it may hold anything). ref, type, target and extra values are escaped
-- (ESCAPED below: '%' '|' ',' '=' as %25 %7C %2C %3D), so splitting on the first nine '|' is always right.
-- The C# side parses it in MemberStore (LedgerEncoding).
-- Before lists, a ledger was a stream (RedisKeys.LegacyLedger, the list key's name with ':ledger' for ':l'). A member's
-- stream is migrated, in one run, the first time a script appends to or reads their ledger (its entries go to the old end
-- of the list with their stream ids; the stream is deleted), unless the program's hash says every ledger of it is a list
-- (field LAYOUT_FIELD = LAYOUT, set at creation and by LedgerMigrationJob): then no EXISTS is paid.
-- Exports:
--   record(key, kind, activityId, activityType, target, points, pending, balance, at, reason, newBadges, tier, fromTier):
--     the entries of one decision, always in this order: the activity's own entry, then one per badge it earned
--     (newBadges: ids), then the tier change when tier ~= fromTier. The award and moderation scripts write through it only.
--   append(key, kind, ref, type, target, points, pending, balance, at, reason, extra): one entry; extra: nil or a flat list
--     {name1, value1, name2, value2, ...} of short extra fields (names: letters only). Everything else writes through it.
--   encode(...same as append without key...) -> the entry string; decode(entry) -> {10 fields, still escaped, reason last};
--   join(fields) -> the entry string of decoded fields; unescape(text)
--   migrate(key) -> how many stream entries were moved (0: nothing to migrate); legacyKey(key)
--   programMigrated(): every ledger this run touches is a list already (the caller read LAYOUT_FIELD = LAYOUT)
--   LAYOUT_FIELD, LAYOUT

--!include codes

local LAYOUT_FIELD, LAYOUT = 'layout', '2'
local ESCAPED = {['%'] = '%25', ['|'] = '%7C', [','] = '%2C', ['='] = '%3D'}

local function escape(text)
  text = tostring(text or '')
  if string.find(text, '[%%|,=]') then return (string.gsub(text, '[%%|,=]', ESCAPED)) end
  return text
end

local function unescape(text)
  if string.find(text, '%', 1, true) then
    return (string.gsub(text, '%%(%x%x)', function(hex) return string.char(tonumber(hex, 16)) end))
  end
  return text
end

local function extras(extra)
  if extra == nil or #extra == 0 then return '' end
  local parts = {}
  for i = 1, #extra, 2 do parts[#parts + 1] = extra[i] .. '=' .. escape(extra[i + 1]) end
  return table.concat(parts, ',')
end

-- %d keeps large numbers exact (tostring would switch to exponent notation past 14 digits).
local function encode(kind, ref, activityType, target, points, pending, balance, at, reason, extra)
  return string.format('%s|%s|%s|%s|%d|%d|%d|%d|%s|%s', kind, escape(ref), escape(activityType), escape(target), points,
    pending, balance, at, extras(extra), reason or '')
end

local function decode(entry)
  local fields, from = {}, 1
  for i = 1, 9 do
    local bar = string.find(entry, '|', from, true)
    fields[i] = string.sub(entry, from, bar - 1)
    from = bar + 1
  end
  fields[10] = string.sub(entry, from)
  return fields
end

local function join(fields) return table.concat(fields, '|') end

local function legacyKey(key) return string.sub(key, 1, -2) .. 'ledger' end

-- Stream entries, newest first, go to the list's tail (the old end): after them the list reads newest first, whole.
local MIGRATE_CHUNK = 500
local FIXED = {kind = 1, activity = 2, type = 3, target = 4, points = 5, pending = 6, balance = 7, at = 8, reason = 10}

local function migrate(key)
  local stream = legacyKey(key)
  if redis.call('EXISTS', stream) == 0 then return 0 end
  local moved, last = 0, '+'
  repeat
    local entries = redis.call('XREVRANGE', stream, last, '-', 'COUNT', MIGRATE_CHUNK)
    local encoded = {}
    for _, e in ipairs(entries) do
      local f, extra = {'', '', '', '', 0, 0, 0, 0, '', ''}, {'id', e[1]}
      local raw = e[2]
      for i = 1, #raw, 2 do
        local at = FIXED[raw[i]]
        if at then f[at] = raw[i + 1] else extra[#extra + 1] = raw[i]; extra[#extra + 1] = raw[i + 1] end
      end
      encoded[#encoded + 1] = encode(f[1], f[2], f[3], f[4], tonumber(f[5]) or 0, tonumber(f[6]) or 0, tonumber(f[7]) or 0,
        tonumber(f[8]) or 0, f[10], extra)
    end
    if #encoded > 0 then
      redis.call('RPUSH', key, unpack(encoded))
      moved = moved + #encoded
      last = '(' .. entries[#entries][1]
    end
  until #entries < MIGRATE_CHUNK
  redis.call('DEL', stream)
  return moved
end

local allMigrated, ready = false, {}

local function programMigrated() allMigrated = true end

local function ensureList(key)
  if not allMigrated and not ready[key] then
    migrate(key)
    ready[key] = true
  end
end

local function append(key, kind, ref, activityType, target, points, pending, balance, at, reason, extra)
  ensureList(key)
  redis.call('LPUSH', key, encode(kind, ref, activityType, target, points, pending, balance, at, reason, extra))
end

-- One LPUSH for the whole decision: its entries in order, the last pushed is the newest.
local function record(key, kind, activityId, activityType, target, points, pending, balance, at, reason, newBadges, tier, fromTier)
  ensureList(key)
  local entries = {encode(kind, activityId, activityType, target, points, pending, balance, at, reason)}
  for _, id in ipairs(newBadges) do
    entries[#entries + 1] = encode(codes.ledger.badge, activityId, activityType, id, 0, 0, balance, at, id)
  end
  if tier ~= fromTier then
    entries[#entries + 1] = encode(codes.ledger.tier, activityId, activityType, '', 0, 0, balance, at, tostring(tier),
      {'from', tostring(fromTier)})
  end
  redis.call('LPUSH', key, unpack(entries))
end

return {
  record = record, append = append, encode = encode, decode = decode, join = join, unescape = unescape, migrate = migrate,
  legacyKey = legacyKey, programMigrated = programMigrated, LAYOUT_FIELD = LAYOUT_FIELD, LAYOUT = LAYOUT,
}
