-- Module erasure: erasure's scrubbing (right to be forgotten). member-status.lua calls it in the same run that takes the
-- member off every board: the whole erasure is one atomic script run.
-- Exports:
--   eraseMemberData(memberKey, memberId, memberPrefix, activityPrefix, referralPrefix, flaggedKey, pendingKey, perkPrefix,
--     redemptionPrefix, programRedemptions, lotsDue)
--     memberPrefix: RedisKeys.MemberPrefix (+ id, + id .. ':l' (the ledger) / ':targets:<type>' / ':grants'); activityPrefix,
--     referralPrefix: RedisKeys.Activity and RedisKeys.Referral with an empty id; flaggedKey: RedisKeys.FlaggedMembers;
--     pendingKey: RedisKeys.PendingActivities (the member's pending activities leave the moderation queue); perkPrefix:
--     RedisKeys.PerkPrefix (+ perk id + ':claims', RedisKeys.PerkClaims: the member leaves the claims of their offers);
--     redemptionPrefix: RedisKeys.RedemptionPrefix (+ redemption id); programRedemptions: RedisKeys.ProgramRedemptions
--     (the member's redemptions, found through memberPrefix .. id .. ':redemptions', leave it); lotsDue: RedisKeys.LotsDue
--     (the member's lots hash, memberPrefix .. id .. ':lots', is deleted and the member leaves the due set: an erased member's
--     balance stays as a figure and nothing of it expires or is announced any more)
--   isKeptReason(kind, reason) -> whether a ledger entry's reason survives erasure (a code, not someone's text)
-- Keys built from the prefixes carry the program's hash tag, so they live on the slot of the declared keys (as in
-- perk-grant-chunk.lua and leaderboard-read.lua).
-- What stays is what accounting needs: kinds, amounts, balances, times, activity ids, activity types, badge ids,
-- the decision codes of the award script and tier numbers. Scrubbed: every target (the member's own, and the referral
-- target naming this member in the referrer's ledger), moderators' free-text reasons, the member's per-type target sets,
-- perk codes of their grants, their flag, the codes and vouchers of their redemptions (but an open hold's, never revealed:
-- it goes back to the reward's pool when the hold expires) and the redemption indexes naming them. Cost: O(N) in the
-- member's ledger entries, plus O(M) in the referrer's ledger when someone referred them (one referral per referred
-- member), plus O(R) in their redemptions.

--!include codes
--!include member
--!include activity
--!include ledger

-- Reasons the scripts themselves write (codes, not text someone typed): kept. Anything else in 'reason' was a moderator's
-- text. Built from the codes module, so a new reason code is kept without touching this file.
local KEPT_REASONS = {}
for name, code in pairs(codes.reason) do
  if name ~= 'memberPrefix' then KEPT_REASONS[code] = true end
end
for _, status in pairs(codes.status) do KEPT_REASONS[codes.reason.memberPrefix .. status] = true end

local function isKeptReason(kind, reason)
  return kind == codes.ledger.tier or kind == codes.ledger.badge or KEPT_REASONS[reason] == true
end

local function scrubbedReason(kind, reason)
  if isKeptReason(kind, reason) then return reason end
  return ''
end

-- Rewrites a ledger list in place (LSET), scrubbing targets and free-text reasons: entries keep their position, so their
-- ordinals (the ledger's ids and cursors) and their extras (a migrated entry's former stream id) stay. A ledger still kept
-- as a stream is migrated first. Read in chunks of 1,000 entries, so the script never holds more than one chunk; all in
-- this one run, so nobody sees it half-written. onlyActivity: when given, only that activity's entries are scrubbed
-- (another member's ledger). Returns activity id -> activity type of every entry.
local LEDGER_CHUNK = 1000

local function rewriteLedger(key, onlyActivity)
  local activities = {}
  ledger.migrate(key)
  local from = 0
  repeat
    local entries = redis.call('LRANGE', key, from, from + LEDGER_CHUNK - 1)
    for i, entry in ipairs(entries) do
      local f = ledger.decode(entry)
      local kind, activityId = f[1], ledger.unescape(f[2])
      if activityId ~= '' then activities[activityId] = ledger.unescape(f[3]) end
      if onlyActivity == nil or activityId == onlyActivity then
        if kind ~= codes.ledger.badge then f[4] = '' end
        f[10] = scrubbedReason(kind, f[10])
        local scrubbed = ledger.join(f)
        if scrubbed ~= entry then redis.call('LSET', key, from + i - 1, scrubbed) end
      end
    end
    from = from + LEDGER_CHUNK
  until #entries < LEDGER_CHUNK
  return activities
end

-- The member's redemptions: revealed codes and vouchers emptied (a redemption has no other text: reward, kind, quantity,
-- points, state, lots and times stay, for the reward's figures and accounting), out of the program's redemption list;
-- their own index goes. A hold still open (reserved) keeps its unrevealed codes so its release puts them back in the
-- pool; its release emits no event for an erased member (module redemption).
local REDEMPTION_CHUNK = 1000

local function eraseRedemptions(base, redemptionPrefix, programRedemptions)
  local index = base .. ':redemptions'
  local from = 0
  repeat
    local ids = redis.call('ZRANGE', index, from, from + REDEMPTION_CHUNK - 1)
    for _, id in ipairs(ids) do
      local key = redemptionPrefix .. id
      local f = redis.call('HMGET', key, 'state', 'codes')
      if f[1] and f[1] ~= codes.redemption.reserved and f[2] and f[2] ~= '' then redis.call('HSET', key, 'codes', '') end
      redis.call('ZREM', programRedemptions, id)
    end
    from = from + REDEMPTION_CHUNK
  until #ids < REDEMPTION_CHUNK
  redis.call('DEL', index)
end

local function eraseMemberData(memberKey, memberId, memberPrefix, activityPrefix, referralPrefix, flaggedKey, pendingKey, perkPrefix,
  redemptionPrefix, programRedemptions, lotsDue)
  local base = memberPrefix .. memberId

  -- The member's ledger, then their activities (found through it) and their per-type target sets.
  local activities = rewriteLedger(base .. ':l', nil)
  local types = {}
  for activityId, activityType in pairs(activities) do
    local key = activityPrefix .. activityId
    if redis.call('HGET', key, activity.MEMBER) == memberId then
      redis.call('HSET', key, activity.TARGET, '', activity.MODERATION_REASON, '')
      redis.call('ZREM', pendingKey, activityId)
    end
    types[activityType] = true
  end
  for activityType in pairs(types) do redis.call('DEL', base .. ':targets:' .. activityType) end

  -- A referral naming this member: the referrer's activity, ledger entries and referral target set lose the name.
  -- The marker itself stays (its key is this member's id, like their own keys), emptied: it keeps anyone from being
  -- rewarded again for referring this id.
  local marker = referralPrefix .. memberId
  local referral = redis.call('GET', marker)
  if referral and referral ~= '' then
    local key = activityPrefix .. referral
    local a = redis.call('HMGET', key, activity.MEMBER, activity.TYPE, activity.TARGET)
    if a[1] and a[3] == memberId then
      redis.call('HSET', key, activity.TARGET, '')
      rewriteLedger(memberPrefix .. a[1] .. ':l', referral)
      redis.call('SREM', memberPrefix .. a[1] .. ':targets:' .. a[2], memberId)
    end
    redis.call('SET', marker, '', 'KEEPTTL')
  end

  -- Perk grants keep run, state and time; the code handed out goes.
  local grantsKey = base .. ':grants'
  local grants = redis.call('HGETALL', grantsKey)
  for i = 1, #grants, 2 do
    local runId, state, _, grantedAt = string.match(grants[i + 1], '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
    if runId then redis.call('HSET', grantsKey, grants[i], runId .. '|' .. state .. '||' .. grantedAt) end
    redis.call('ZREM', perkPrefix .. grants[i] .. ':claims', memberId)
  end

  eraseRedemptions(base, redemptionPrefix, programRedemptions)

  -- Lots (dates and amounts by member): gone, with the member's due entry and the mark of what 'points.expiring' announced.
  redis.call('DEL', base .. ':lots')
  redis.call('ZREM', lotsDue, memberId)
  redis.call('HDEL', memberKey, member.EXPIRING_NOTICED)

  redis.call('SREM', flaggedKey, memberId)
  redis.call('HDEL', memberKey, member.FLAGGED)
end

return {eraseMemberData = eraseMemberData, isKeptReason = isKeptReason}
