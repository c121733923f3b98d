-- Module redemption: a reward's and a redemption's hash fields, and the moves of a redemption shared by the redemption
-- scripts (redeem, redemption-change, redemption-sweep), so that a hold released by its expiry, by a cancel or by the
-- next redemption moves the member, the stock and the figures the same way.
-- Keys are built from prefixes (all carry the program's tag): memberPrefix .. memberId (':l' the ledger list, ':lots', ':grants',
-- ':inbox'), rewardPrefix .. rewardId (':codes'), redemptionPrefix .. redemptionId, perkPrefix .. perkId.
-- Exports:
--   new(ctx) -> r, ctx = {memberPrefix, rewardPrefix, redemptionPrefix, perkPrefix, holds, lotsDue, stats, kpiTtl, now, events}:
--     (events: the EventWrites block (events.writes); each move emits its event in the same run: redemption.created by
--     r.created, redemption.confirmed by r.confirm (then perk.granted when it granted a perk reward's perk, with the
--     redemption's id), redemption.cancelled / redemption.expired by r.release (perkWithdrawn: whether a cancel took back the
--     unused perk; no perk event of its own, as a deleted perk's withdrawal by perk-ungrant-chunk emits none),
--     redemption.fulfilled by r.fulfilled; never the codes)
--     r.created(id) -> emits redemption.created for a redemption just written (redeem.lua)
--     r.fulfilled(id) -> emits redemption.fulfilled (a physical reward delivered: redemption-change.lua)
--     r.confirm(id) -> true | false, state     a reserved redemption becomes confirmed: held points leave for good, a
--                                              physical reward waits for its delivery, a perk is granted
--     r.release(id, toState) -> true | false, state   a reserved or confirmed redemption is cancelled or expired: points
--                                              back to the balance (and their lots), stock back (a revealed code or voucher
--                                              is voided, never handed out again), the limit slot back, a ledger refund
--     r.sweep(max) -> count                    releases (expired) up to max holds past their expiry
--     r.view(id) -> the redemption hash as a flat list (HGETALL)
--   grantPerk(memberPrefix, perkPrefix, memberId, perkId, grantTag, now) -> true | false (the member holds it already)

--!include codes
--!include member
--!include ledger
--!include kpis
--!include lots
--!include events

local S, LEDGER = codes.redemption, codes.ledger

local function grantPerk(memberPrefix, perkPrefix, memberId, perkId, grantTag, now)
  local grants = memberPrefix .. memberId .. ':grants'
  if redis.call('HEXISTS', grants, perkId) == 1 then return false end
  -- The perk grant record of Features/Perks ('runId|state|code|grantedAt'): the inbox shows it like a scheduled grant.
  redis.call('HSET', grants, perkId, grantTag .. '|new||' .. now)
  redis.call('ZADD', memberPrefix .. memberId .. ':inbox', now, perkId)
  redis.call('HINCRBY', perkPrefix .. perkId, 'granted', 1)
  return true
end

local function new(ctx)
  local r = {}

  -- The event of a move: the redemption's member, their sequence, the change's time.
  -- None for an erased member (an open hold of theirs released later): their events were scrubbed with the rest.
  local function tell(eventType, memberId, data)
    local memberKey = ctx.memberPrefix .. memberId
    if ctx.events.maxLength <= 0 or redis.call('HGET', memberKey, member.STATUS) == codes.status.erased then return end
    events.emit(ctx.events, eventType, memberId, memberKey, ctx.now, data)
  end

  function r.created(id)
    local f = redis.call('HMGET', ctx.redemptionPrefix .. id, 'member', 'reward', 'kind', 'quantity', 'points', 'holdUntil', 'balance')
    tell(codes.event.redemptionCreated, f[1], {redemptionId = id, rewardId = f[2], kind = f[3], quantity = tonumber(f[4]),
      points = tonumber(f[5]), holdUntilUnixMs = tonumber(f[6]), balance = tonumber(f[7])})
  end

  function r.fulfilled(id)
    local f = redis.call('HMGET', ctx.redemptionPrefix .. id, 'member', 'reward', 'kind', 'quantity', 'points')
    tell(codes.event.redemptionFulfilled, f[1], {redemptionId = id, rewardId = f[2], kind = f[3], quantity = tonumber(f[4]),
      points = tonumber(f[5])})
  end

  function r.view(id)
    return redis.call('HGETALL', ctx.redemptionPrefix .. id)
  end

  function r.confirm(id)
    local key = ctx.redemptionPrefix .. id
    local f = redis.call('HMGET', key, 'member', 'reward', 'kind', 'quantity', 'points', 'state', 'perkId')
    local memberId, rewardId, kind, qty, pts, state = f[1], f[2], f[3], tonumber(f[4]), tonumber(f[5]), f[6]
    if state ~= S.reserved then return false, state end
    local memberKey = ctx.memberPrefix .. memberId
    redis.call('HINCRBY', memberKey, member.HELD, -pts)
    redis.call('ZREM', ctx.holds, id)
    local fields, granted = {'state', S.confirmed, 'confirmedAt', ctx.now}, false
    if kind == 'physical' then
      fields[#fields + 1], fields[#fields + 2] = 'fulfilment', codes.fulfilment.pending
    elseif kind == 'perk' then
      granted = grantPerk(ctx.memberPrefix, ctx.perkPrefix, memberId, f[7], 'rd-' .. id, ctx.now)
      if granted then kpis.statLater(ctx.stats, 'perksGranted', 1, ctx.kpiTtl) end
    end
    redis.call('HSET', key, unpack(fields))
    local rewardKey = ctx.rewardPrefix .. rewardId
    if redis.call('EXISTS', rewardKey) == 1 then
      redis.call('HINCRBY', rewardKey, 'reserved', -1)
      redis.call('HINCRBY', rewardKey, 'confirmed', 1)
      redis.call('HINCRBY', rewardKey, 'quantity', qty)
      redis.call('HINCRBY', rewardKey, 'points', pts)
    end
    kpis.statLater(ctx.stats, 'redemptions', 1, ctx.kpiTtl)
    kpis.statLater(ctx.stats, 'pointsRedeemed', pts, ctx.kpiTtl)
    kpis.statLater(ctx.stats, 'redemptions@' .. rewardId, 1, ctx.kpiTtl)
    tell(codes.event.redemptionConfirmed, memberId, {redemptionId = id, rewardId = rewardId, kind = kind, quantity = qty, points = pts})
    -- A perk reward's grant is told like a scheduled one (perk-grant-chunk.lua), naming the redemption instead of a run.
    if granted then tell(codes.event.perkGranted, memberId, {perkId = f[7], redemptionId = id}) end
    return true, S.confirmed
  end

  function r.release(id, toState)
    local key = ctx.redemptionPrefix .. id
    local f = redis.call('HMGET', key, 'member', 'reward', 'kind', 'quantity', 'points', 'state', 'codes', 'lots', 'limitKey', 'perkId')
    local memberId, rewardId, kind, qty, pts, state = f[1], f[2], f[3], tonumber(f[4]), tonumber(f[5]), f[6]
    if state ~= S.reserved and state ~= S.confirmed then return false, state end
    local memberKey = ctx.memberPrefix .. memberId
    local m = redis.call('HMGET', memberKey, member.BALANCE, member.HELD)
    local balance = (tonumber(m[1]) or 0) + pts
    if state == S.reserved then
      redis.call('HSET', memberKey, member.BALANCE, balance, member.HELD, (tonumber(m[2]) or 0) - pts)
      redis.call('ZREM', ctx.holds, id)
    else
      redis.call('HSET', memberKey, member.BALANCE, balance)
    end
    -- The points go back to the lots they came from, with their original expiry dates (lots.giveBack).
    lots.giveBack(memberKey .. ':lots', ctx.lotsDue, memberId, f[8] or '')

    local rewardKey = ctx.rewardPrefix .. rewardId
    if redis.call('EXISTS', rewardKey) == 1 then
      if kind == 'code' then
        -- A code not revealed yet (a hold) goes back to the pool, next to be handed out; a revealed one is voided.
        if state == S.reserved and (f[7] or '') ~= '' then
          for code in string.gmatch(f[7], '[^,]+') do redis.call('RPUSH', rewardKey .. ':codes', code) end
        end
      elseif redis.call('HEXISTS', rewardKey, 'stock') == 1 then
        redis.call('HINCRBY', rewardKey, 'stock', qty)
      end
      redis.call('HINCRBY', rewardKey, state, -1)
      redis.call('HINCRBY', rewardKey, toState, 1)
      if state == S.confirmed then
        redis.call('HINCRBY', rewardKey, 'quantity', -qty)
        redis.call('HINCRBY', rewardKey, 'points', -pts)
      end
    end
    if (f[9] or '') ~= '' and redis.call('EXISTS', f[9]) == 1 then redis.call('DECRBY', f[9], qty) end
    local perkWithdrawn = nil
    if kind == 'perk' and state == S.confirmed then
      perkWithdrawn = false
      local grants = ctx.memberPrefix .. memberId .. ':grants'
      local grant = redis.call('HGET', grants, f[10])
      -- Only the grant this redemption made, and only while unused: a claimed code or an answered invitation stays.
      if grant and grant == ('rd-' .. id .. '|new||' .. string.match(grant, '[^|]*$')) then
        redis.call('HDEL', grants, f[10])
        redis.call('ZREM', ctx.memberPrefix .. memberId .. ':inbox', f[10])
        perkWithdrawn = true
      end
    end
    if state == S.confirmed then
      kpis.statLater(ctx.stats, 'pointsRedeemed', -pts, ctx.kpiTtl)
      kpis.statLater(ctx.stats, 'redemptions', -1, ctx.kpiTtl)
      kpis.statLater(ctx.stats, 'redemptions@' .. rewardId, -1, ctx.kpiTtl)
    end
    redis.call('HSET', key, 'state', toState, 'closedAt', ctx.now)
    ledger.append(memberKey .. ':l', LEDGER.refund, id, 'reward', rewardId, pts, 0, balance, ctx.now, toState,
      {'reward', rewardId, 'lots', f[8] or ''})
    tell(toState == S.expired and codes.event.redemptionExpired or codes.event.redemptionCancelled, memberId,
      {redemptionId = id, rewardId = rewardId, kind = kind, quantity = qty, points = pts, previousState = state, balance = balance,
        perkWithdrawn = perkWithdrawn})
    return true, toState
  end

  function r.sweep(max)
    local due = redis.call('ZRANGEBYSCORE', ctx.holds, '-inf', ctx.now, 'LIMIT', 0, max)
    for _, id in ipairs(due) do
      if not r.release(id, S.expired) then redis.call('ZREM', ctx.holds, id) end
    end
    return #due
  end

  return r
end

return {new = new, grantPerk = grantPerk}
