-- Module events: the program's event stream (RedisKeys.Events, 'rw:{<p>}:events'), a transactional outbox: a script that
-- changes something worth telling appends its events here in the same run, so an event exists exactly when its change
-- does. Entry fields: type (codes.event), member ('' when none), seq (the member's event sequence, '' when none: the
-- member hash's 'evseq', incremented here), at (unix ms, the change's time), data (a JSON object, camelCase; its schema is
-- the C# record named for the type in Features/Events/EventTypes.cs). The stream id is the event id.
-- Exports:
--   writes(kAt, aAt) -> w: the EventWrites block (Features/Events/EventWrites.cs) found in KEYS from kAt and in ARGV from aAt
--   writesOf(key, maxLength) -> w: the same, for scripts that name their keys by position (eventStream, eventsMaxLength)
--   emit(w, type, memberId, memberKey, at, data) -> the event's id ('' when events are off): one XADD, trimmed to about
--     w's maximum length (MAXLEN ~), and one HINCRBY of memberKey's 'evseq' when the event has a member (memberKey ~= nil).
--     Nothing is emitted when the maximum length is 0 (Rewards:Events:Enabled = false).
--   emitNumbered(w, type, memberId, seq, at, data) -> the same with the member's sequence number given, for a script that
--     read 'evseq' already and writes it back itself with its own HSET of the member (award.lua): no HINCRBY.
--   on(w) -> whether events are emitted (false when the maximum length is 0)
--   sequenceOf(memberKey) -> nextSeq(): the member's next event sequence number, one HINCRBY of memberKey's 'evseq' a call
--   progress(w, memberId, nextSeq, at, refField, refId, newBadges, tier, fromTier): the events of a points change's badges
--     and tier, in the ledger's order: member.badge_earned per badge, then member.tier_changed when the tier moved; their data
--     names the change (refField = refId: 'activityId' for an award or a moderation, 'adjustmentId' for an adjustment).
--     nextSeq() numbers each (sequenceOf, or the award's own numbering: award.lua writes 'evseq' with its member HSET).
--   overtaken(w, boardKey, memberPrefix, memberId, oldPoints, oldEntry, newPoints, newEntry, at, activityId): after memberId moved
--     from oldPoints (entry oldEntry, '' or nil when none) to newPoints (entry newEntry) on boardKey (an all-time board, plain scores), one
--     'leaderboard.overtaken' event per member they passed, when they are now in the top 100 (only members ranked
--     within the top 100 now, so at most 99 events). A member whose points are below the 99th score read earlier in this
--     run cannot be in the top 100: nothing is read for them. (Awards only add points, so within one run the 99th score
--     only rises: the one read first is a lower bound.) Otherwise one ZREVRANK, and one ZREVRANGEBYSCORE for a member now
--     ranked above the 99th.
--   KEY_COUNT, ARG_COUNT: how many keys and arguments EventWrites takes
--!include layout
--!include codes
--!include member

local L = layout.new()
--!keys
local STREAM = L.key()
--!args
local MAX_LENGTH = L.arg()      -- entries kept, about (MAXLEN ~); 0 = no events
--!end

local TOP = 100

local function writesOf(key, maxLength)
  return {key = key, maxLength = tonumber(maxLength)}
end

local function writes(kAt, aAt)
  return writesOf(KEYS[kAt - 1 + STREAM], ARGV[aAt - 1 + MAX_LENGTH])
end

local function on(w)
  return w.maxLength > 0
end

local function emitNumbered(w, eventType, memberId, seq, at, data)
  if w.maxLength <= 0 then return '' end
  return redis.call('XADD', w.key, 'MAXLEN', '~', w.maxLength, '*', 'type', eventType, 'member', memberId or '', 'seq', seq,
    'at', at, 'data', cjson.encode(data))
end

local function emit(w, eventType, memberId, memberKey, at, data)
  if w.maxLength <= 0 then return '' end
  local seq = ''
  if memberKey then seq = redis.call('HINCRBY', memberKey, member.EVENT_SEQ, 1) end
  return emitNumbered(w, eventType, memberId, seq, at, data)
end

local function sequenceOf(memberKey)
  return function() return redis.call('HINCRBY', memberKey, member.EVENT_SEQ, 1) end
end

local function progress(w, memberId, nextSeq, at, refField, refId, newBadges, tier, fromTier)
  if w.maxLength <= 0 then return end
  for _, badgeId in ipairs(newBadges) do
    emitNumbered(w, codes.event.badgeEarned, memberId, nextSeq(), at, {[refField] = refId, badgeId = badgeId})
  end
  if tier ~= fromTier then
    emitNumbered(w, codes.event.tierChanged, memberId, nextSeq(), at, {[refField] = refId, tier = tier, previousTier = fromTier})
  end
end

-- Entries are '<16 digits>:<memberId>' (member.entryOf) or, from before the commit sequence, the bare member id.
local function memberOf(entry)
  local colon = string.find(entry, ':', 1, true)
  return colon and string.sub(entry, colon + 1) or entry
end

-- The board's score at rank TOP - 2 (the 99th) when this run first needed it, per board; false: fewer entries then.
local floors = {}

local function overtaken(w, boardKey, memberPrefix, memberId, oldPoints, oldEntry, newPoints, newEntry, at, activityId)
  if w.maxLength <= 0 or newPoints <= oldPoints or newEntry == '' then return end
  local floor = floors[boardKey]
  if floor == nil then
    local at99 = redis.call('ZREVRANGE', boardKey, TOP - 2, TOP - 2, 'WITHSCORES')
    floor = at99[2] and tonumber(at99[2]) or false
    floors[boardKey] = floor
  end
  if floor and newPoints < floor then return end
  local rank = redis.call('ZREVRANK', boardKey, newEntry)
  if not rank or rank >= TOP - 1 then return end
  -- Passed: now below the member with fewer points than they have, and before ahead of them: more than their old points,
  -- or as many and an entry read before theirs (greater bytes: committed earlier, see boards).
  local below = redis.call('ZREVRANGEBYSCORE', boardKey, '(' .. newPoints, oldPoints, 'WITHSCORES', 'LIMIT', 0, TOP - 1 - rank)
  for i = 1, #below, 2 do
    local entry, score = below[i], tonumber(below[i + 1])
    if score > oldPoints or (oldEntry and oldEntry ~= '' and entry > oldEntry) then
      local id = memberOf(entry)
      emit(w, codes.event.overtaken, id, memberPrefix .. id, at, {board = member.POINTS_BOARD, byMemberId = memberId,
        activityId = activityId, rank = rank + 2 + (i - 1) / 2, points = score})
    end
  end
end

return {writes = writes, writesOf = writesOf, on = on, emit = emit, emitNumbered = emitNumbered, sequenceOf = sequenceOf,
  progress = progress, overtaken = overtaken, KEY_COUNT = L.keys, ARG_COUNT = L.args}
