-- Module codes: the strings scripts store in Redis and answer with, named once on the Lua side.
-- Exports:
--   status  member statuses (the member hash's 'status'): active, suspended, erased
--   outcome activity statuses (the activity hash's 'status', the award reply): awarded, pending, rejected, reversed
--   reason  why an activity earned nothing now (the award reply, the ledger): member_<status>, duplicate_target, cooldown,
--           already_referred, daily_cap_reached, weekly_cap_reached; velocity (held for moderation)
--   ledger  ledger entry kinds: award, pending, rejection, approval, reversal, badge, tier, expiry, adjustment, redemption, refund
--   adjustment  an adjustment's reasons: goodwill, correction, migration, other
--   redemption  a redemption's states: reserved, confirmed, fulfilled, cancelled, expired
--   refusal why a redemption is refused: insufficient_points, out_of_stock, limit_reached, not_eligible, not_available,
--           member_suspended
--   fulfilment  a physical reward's delivery: pending, shipped, delivered, failed
--   event   event types of the program's event stream (events.lua; C#: Features/Events/EventTypes.cs, tested to agree)
-- The C# side reads the same strings. Erasure keeps every reason code here (ErasureTests); scripts write no reason literally.

return {
  status = {active = 'active', suspended = 'suspended', erased = 'erased'},
  outcome = {awarded = 'awarded', pending = 'pending', rejected = 'rejected', reversed = 'reversed'},
  reason = {
    memberPrefix = 'member_', duplicateTarget = 'duplicate_target', cooldown = 'cooldown', alreadyReferred = 'already_referred',
    dailyCap = 'daily_cap_reached', weeklyCap = 'weekly_cap_reached', velocity = 'velocity',
  },
  ledger = {
    award = 'award', pending = 'pending', rejection = 'rejection', approval = 'approval', reversal = 'reversal',
    badge = 'badge', tier = 'tier', expiry = 'expiry', adjustment = 'adjustment', redemption = 'redemption', refund = 'refund',
  },
  adjustment = {goodwill = 'goodwill', correction = 'correction', migration = 'migration', other = 'other'},
  redemption = {
    reserved = 'reserved', confirmed = 'confirmed', fulfilled = 'fulfilled', cancelled = 'cancelled', expired = 'expired',
  },
  refusal = {
    insufficientPoints = 'insufficient_points', outOfStock = 'out_of_stock', limitReached = 'limit_reached',
    notEligible = 'not_eligible', notAvailable = 'not_available', memberSuspended = 'member_suspended',
  },
  fulfilment = {pending = 'pending', shipped = 'shipped', delivered = 'delivered', failed = 'failed'},
  event = {
    awarded = 'activity.awarded', pending = 'activity.pending', approved = 'activity.approved', rejected = 'activity.rejected',
    reversed = 'activity.reversed', tierChanged = 'member.tier_changed', badgeEarned = 'member.badge_earned',
    flagged = 'member.flagged', suspended = 'member.suspended', reinstated = 'member.reinstated', erased = 'member.erased',
    perkGranted = 'perk.granted', perkClaimed = 'perk.claimed', accepted = 'invitation.accepted',
    waitlisted = 'invitation.waitlisted', promoted = 'invitation.promoted', declined = 'invitation.declined',
    periodClosed = 'leaderboard.period_closed', overtaken = 'leaderboard.overtaken',
    webhookDisabled = 'webhook.disabled',
    redemptionCreated = 'redemption.created', redemptionConfirmed = 'redemption.confirmed',
    redemptionCancelled = 'redemption.cancelled', redemptionExpired = 'redemption.expired',
    redemptionFulfilled = 'redemption.fulfilled', pointsAdjusted = 'points.adjusted', pointsExpired = 'points.expired',
    pointsExpiring = 'points.expiring',
  },
}
