-- Module idempotency: the stored answers of idempotency keys (docs/storage.md, "Idempotency records").
-- Exports:
--   find(kAt, aAt, legacyOpen) -> nil | false | record
--     the record stored for this key: nil when none, false when it was stored for another request (a conflict), else the
--     whole stored value (the caller's parser reads it: AwardRecord.Parse for awards). legacyOpen: whether records of the
--     old layout (one string per key) may still exist for this program (award.lua: the program's legacyIdempotencyUntil).
--   store(kAt, aAt, payload) -> record: stores check .. payload (payload: the caller's answer, any bytes) and returns it
--   legacyHex(aAt) -> the request hash as the old layout's records begin with it (32 hex characters)
--   hex16(s, at) -> 16 bytes of s from position at (default 1) as 32 hex characters (an id a payload holds as bytes)
--   KEY_COUNT, ARG_COUNT: how many keys and arguments the block below takes (C#: IdempotencySlot)
-- Layout: a record is one field of a hash per (generation, shard): rw:{p}:idem:<generation>:<shard>. A generation is a fixed
-- window as long as the retention (48 h); a record lives in the generation it was written in, lookups read the current and
-- the previous one, and a generation's hash expires as a whole at the end of the next generation, so every record is
-- answered for at least the retention (at most twice it). The shard (10 bits of the key hash) keeps each hash small, in
-- Redis's compact listpack encoding. Field: 12 bytes of the key's SHA-256; value: 8 bytes of the request's SHA-256 (the
-- check) then the payload. A value longer than a listpack value (64 bytes by default) would turn its whole hash into a
-- hash table: it goes to the key's own string (the old layout's key, same expiry) and its field holds '' (an overflow mark).
-- Expiry: a generation's hash gets its expiry once, with its first record: that record also writes the field '~' (empty
-- value; no key hash is 1 byte long), which find reads with the record's field, so later records know the expiry is set
-- and send no EXPIRE. A hash of the former code (no mark) gets the mark and its expiry again with its next record.
--!include layout

local L = layout.new()
--!keys
local CURRENT = L.key()             -- the hash of the current generation and the key's shard
local PREVIOUS = L.key()            -- the same shard of the previous generation
local OWN = L.key()                 -- the key's own string: the old layout's record, or an overflowing one
--!args
local FIELD = L.arg()               -- 12 bytes of SHA-256(idempotency key)
local REQUEST_HASH = L.arg()        -- 16 bytes of SHA-256(request): the first 8 are the record's check
local TTL = L.arg()                 -- s: from now to the end of the generation after the current one (relative: Redis's clock applies it)
--!end

local CHECK_LENGTH, LISTPACK_VALUE_MAX, EXPIRY_MARK = 8, 64, '~'

-- Per current-generation hash, whether this run saw its expiry mark (find reads it; store sets it).
local marked = {}

-- 16 bytes of s from position at (default 1) as 32 lowercase hex characters (the ids and hashes records hold as bytes).
local function hex16(s, at)
  at = at or 1
  return string.format(string.rep('%02x', 16), string.byte(s, at, at + 15))
end

local function legacyHex(aAt)
  return hex16(ARGV[aAt + REQUEST_HASH])
end

-- A record of either layout, checked against this request: the old layout's begin with the hex request hash and '|'.
local function checked(kAt, aAt, value)
  local check = string.sub(ARGV[aAt + REQUEST_HASH], 1, CHECK_LENGTH)
  if string.sub(value, 1, CHECK_LENGTH) == check then return value end
  if string.sub(value, 1, 33) == legacyHex(aAt) .. '|' then return value end
  return false
end

local function find(kAt, aAt, legacyOpen)
  local field, current = ARGV[aAt + FIELD], KEYS[kAt + CURRENT]
  local found = redis.call('HMGET', current, field, EXPIRY_MARK)
  marked[current] = found[2] ~= false
  local value = found[1] or redis.call('HGET', KEYS[kAt + PREVIOUS], field)
  if value == '' or (not value and legacyOpen) then
    value = redis.call('GET', KEYS[kAt + OWN])
  end
  if not value then return nil end
  return checked(kAt, aAt, value)
end

local function store(kAt, aAt, payload)
  local record, current = string.sub(ARGV[aAt + REQUEST_HASH], 1, CHECK_LENGTH) .. payload, KEYS[kAt + CURRENT]
  local ttl = ARGV[aAt + TTL]
  local stored = record
  if #record > LISTPACK_VALUE_MAX then
    redis.call('SET', KEYS[kAt + OWN], record, 'EX', ttl)
    stored = ''
  end
  if marked[current] then
    redis.call('HSET', current, ARGV[aAt + FIELD], stored)
  else
    redis.call('HSET', current, ARGV[aAt + FIELD], stored, EXPIRY_MARK, '')
    redis.call('EXPIRE', current, ttl)
    marked[current] = true
  end
  return record
end

return {find = find, store = store, legacyHex = legacyHex, hex16 = hex16, KEY_COUNT = L.keys, ARG_COUNT = L.args}
