-- Module ledger: appends to a member's ledger stream (RedisKeys.Ledger). Every entry has the same fields: kind, activity,
-- type, target, points (the change to the balance), pending, balance (after the entry), at (unix ms), reason; a tier
-- entry also has 'from', the tier it leaves, so that it reads as a rise or a drop on its own (MemberStore).
-- Exports:
--   record(key, kind, activityId, activityType, target, points, pending, balance, at, reason, newBadges, tier, fromTier, extra):
--     the entries of one decision, always in this order: the activity's own entry, then one per badge it earned
--     (newBadges: ids), then the tier change when tier ~= fromTier. The award and moderation scripts write through it only.
--     extra (optional, as for append): extra fields of the activity's own entry (a reversal's 'lots').
--   append(key, kind, ref, type, target, points, pending, balance, at, reason, extra): one entry of any other kind (expiry,
--     adjustment, redemption, ...): ref is stored as 'activity' (the id the entry is about: an activity, an adjustment, a
--     redemption); extra is nil or a flat list {name1, value1, name2, value2, ...} of short extra fields, e.g.
--     {'lots', '20261130:50,20261201:20', 'client', 'crm'} (MemberStore reads them).

--!include codes

local function append(key, kind, activityId, activityType, target, points, pending, balance, at, reason, extra)
  if extra and #extra > 0 then
    redis.call('XADD', key, '*', 'kind', kind, 'activity', activityId, 'type', activityType, 'target', target,
      'points', points, 'pending', pending, 'balance', balance, 'at', at, 'reason', reason, unpack(extra))
  else
    redis.call('XADD', key, '*', 'kind', kind, 'activity', activityId, 'type', activityType, 'target', target,
      'points', points, 'pending', pending, 'balance', balance, 'at', at, 'reason', reason)
  end
end

local function record(key, kind, activityId, activityType, target, points, pending, balance, at, reason, newBadges, tier, fromTier,
    extra)
  append(key, kind, activityId, activityType, target, points, pending, balance, at, reason, extra)
  for _, id in ipairs(newBadges) do
    append(key, codes.ledger.badge, activityId, activityType, id, 0, 0, balance, at, id)
  end
  if tier ~= fromTier then
    redis.call('XADD', key, '*', 'kind', codes.ledger.tier, 'activity', activityId, 'type', activityType, 'target', '',
      'points', 0, 'pending', 0, 'balance', balance, 'at', at, 'reason', tostring(tier), 'from', tostring(fromTier))
  end
end

return {record = record, append = append}
