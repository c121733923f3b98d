-- Suspends, reinstates or erases a member, moving them off or back onto every leaderboard in one run.
-- Suspension parks the member's window entries (entry, score, the key's remaining time to live and when it was parked) to
-- restore them exactly on reinstatement;
-- all-time entries are rebuilt from the member's totals. Erasure removes personal data and every board entry for good;
-- balance, lifetime and the ledger stay, for accounting.
-- Returns {'missing'} | {'conflict', status} | {'done', status}

--!include codes
--!include member
--!include erasure
--!include events

--!keys
local memberKey, parked, index, flaggedKey, revocations = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local pending, memberIds, memberNames, eventStream, eventScrubs = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local programRedemptions = KEYS[11] -- erasure: the member's redemptions leave it
local lotsDue = KEYS[12] -- erasure: the member's lots go, and their entry here
local boards = 13 -- boards: KEYS[13..]
--!args
local action, memberId, now, memberPrefix, activityPrefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local referralPrefix, revokedAt, perkPrefix, eventsMaxLength = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local redemptionPrefix, boardKinds = ARGV[10], 11 -- boardKinds: ARGV[11..]
--!end
-- Events: member.suspended, member.reinstated, member.erased (events.lua). Erasure records the member in eventScrubs
-- (RedisKeys.EventScrubs: member id -> the id of their member.erased event), from which EventMaintenanceJob.ScrubAsync deletes their
-- earlier events from the stream in chunks.
local w = events.writesOf(eventStream, eventsMaxLength)
-- action: 'suspend' | 'reinstate' | 'erase'; now: unix ms; revocations: the program's revocation log, where suspension and
-- erasure revoke the member's tokens at revokedAt (real time, unix ms; RevocationList); the prefixes (erasure): RedisKeys.MemberPrefix, Activity and
-- Referral with an empty id. Boards are many (every window period kept), so they are read in place: ARGV[i + shift] says
-- what KEYS[i] is, 'all:<board>' for an all-time board, the member's period field ('e:<board>:<periodId>') for a window
-- period. Entries are parked with their tie position (the entry itself: '<sequence>:<memberId>', see boards.lua).
local shift = boardKinds - boards

local status = redis.call('HGET', memberKey, member.STATUS)
if not status or status == codes.status.erased then return {'missing'} end
if (action == 'suspend' and status ~= codes.status.active) or (action == 'reinstate' and status ~= codes.status.suspended) then
  return {'conflict', status}
end

if action == 'reinstate' then
  for i = boards, #KEYS do
    if string.sub(ARGV[i + shift], 1, 4) == 'all:' then
      local board = string.sub(ARGV[i + shift], 5)
      local points = tonumber(redis.call('HGET', memberKey, board == member.POINTS_BOARD and member.LIFETIME
        or member.TYPE_POINTS .. board) or '0')
      local entry = member.allTimeEntry(redis.call('HGET', memberKey, member.BOARD_ENTRY .. board), memberId)
      if points > 0 and entry then redis.call('ZADD', KEYS[i], points, entry) end
    end
  end
  local saved = redis.call('HGETALL', parked)
  for i = 1, #saved, 2 do
    -- 'score|ttl|parkedAt|entry' (entries parked before the commit sequence have no entry: the member id)
    local score, ttl, parkedAt, entry = string.match(saved[i + 1], '^([^|]+)|(-?%d+)|(%d+)|?(.*)$')
    if entry == '' then entry = memberId end
    local left = tonumber(ttl) - (now - tonumber(parkedAt))
    if tonumber(ttl) < 0 or left > 0 then
      redis.call('ZADD', saved[i], score, entry)
      if tonumber(ttl) >= 0 then redis.call('PEXPIRE', saved[i], left, 'NX') end
    end
  end
  redis.call('DEL', parked)
  redis.call('HSET', memberKey, member.STATUS, codes.status.active)
  events.emit(w, codes.event.reinstated, memberId, memberKey, now, {})
  return {'done', codes.status.active}
end

-- suspend or erase: off every board
for i = boards, #KEYS do
  local kind, board = ARGV[i + shift], KEYS[i]
  if string.sub(kind, 1, 4) == 'all:' then
    local entry = member.allTimeEntry(redis.call('HGET', memberKey, member.BOARD_ENTRY .. string.sub(kind, 5)), memberId)
    if entry then redis.call('ZREM', board, entry) end
  else
    -- the entry the period field names; none: an entry of the former encoding, the member id (boards.lua)
    local stored, entry = redis.call('HGET', memberKey, kind), memberId
    if stored then
      local points, seq = member.parsePeriod(stored)
      entry = points > 0 and member.entryOf(seq, memberId) or nil
    end
    local score = entry and redis.call('ZSCORE', board, entry)
    if score then
      if action == 'suspend' then
        redis.call('HSET', parked, board, score .. '|' .. redis.call('PTTL', board) .. '|' .. now .. '|' .. entry)
      end
      redis.call('ZREM', board, entry)
    end
  end
end

redis.call('ZADD', revocations, revokedAt, 'member:' .. memberId)
if action == 'suspend' then
  redis.call('HSET', memberKey, member.STATUS, codes.status.suspended)
  events.emit(w, codes.event.suspended, memberId, memberKey, now, {})
  return {'done', codes.status.suspended}
end

redis.call('DEL', parked)
erasure.eraseMemberData(memberKey, memberId, memberPrefix, activityPrefix, referralPrefix, flaggedKey, pending, perkPrefix,
  redemptionPrefix, programRedemptions, lotsDue)
redis.call('ZREM', index, memberId)
redis.call('ZREM', memberIds, memberId)
local displayName = redis.call('HGET', memberKey, member.DISPLAY_NAME)
if displayName then redis.call('ZREM', memberNames, member.nameEntry(displayName, memberId)) end
redis.call('HDEL', memberKey, member.DISPLAY_NAME, member.LOCALE)
redis.call('HSET', memberKey, member.STATUS, codes.status.erased, member.ERASED_AT, now)
local erasedEvent = events.emit(w, codes.event.erased, memberId, memberKey, now, {})
redis.call('HSET', eventScrubs, memberId, erasedEvent ~= '' and erasedEvent or '+')
return {'done', codes.status.erased}
