-- Moves one redemption: confirm (a reserved one, before its hold expires), cancel (a reserved or confirmed one: refund to
-- the lots the points came from, stock back, a revealed code or voucher voided), or a physical reward's delivery status
-- (pending -> shipped -> delivered | failed; delivered makes the redemption fulfilled). A hold found past its expiry is
-- released as expired first, whatever the action. The redemption must be the member's (memberId '' skips the check: the
-- brand's program-wide routes).
-- Events (module redemption): redemption.expired (a due hold found), redemption.confirmed, redemption.cancelled,
-- redemption.fulfilled (delivered); shipped and failed emit nothing; an action refused for the state emits nothing.
-- Returns {'done', view...} | {'missing'} | {'state', state, fulfilment} (the action does not apply to that state)

--!include layout
--!include codes
--!include kpis
--!include redemption
--!include events

local L = layout.new()
--!keys
local REDEMPTION = L.key()
local HOLDS = L.key()
local LOTS_DUE = L.key()
local STATS = L.key()
local EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites)
--!args
local REDEMPTION_ID = L.arg()
local MEMBER_ID = L.arg()
local ACTION = L.arg()                -- confirm | cancel | shipped | delivered | failed
local NOW = L.arg()                   -- unix ms
local KPI_TTL = L.arg()
local MEMBER_PREFIX = L.arg()
local REWARD_PREFIX = L.arg()
local REDEMPTION_PREFIX = L.arg()
local PERK_PREFIX = L.arg()
local EVENT_ARGS = L.arg(events.ARG_COUNT)
--!end

local S, F = codes.redemption, codes.fulfilment
local id, action, now = ARGV[REDEMPTION_ID], ARGV[ACTION], tonumber(ARGV[NOW])
local f = redis.call('HMGET', KEYS[REDEMPTION], 'member', 'state', 'holdUntil', 'kind', 'fulfilment')
if not f[1] or (ARGV[MEMBER_ID] ~= '' and f[1] ~= ARGV[MEMBER_ID]) then return {'missing'} end
local rd = redemption.new({memberPrefix = ARGV[MEMBER_PREFIX], rewardPrefix = ARGV[REWARD_PREFIX],
  redemptionPrefix = ARGV[REDEMPTION_PREFIX], perkPrefix = ARGV[PERK_PREFIX], holds = KEYS[HOLDS], lotsDue = KEYS[LOTS_DUE], stats = KEYS[STATS],
  kpiTtl = ARGV[KPI_TTL], now = now, events = events.writes(EVENTS, EVENT_ARGS)})

local state = f[2]
if state == S.reserved and f[3] and f[3] ~= '' and now >= tonumber(f[3]) then
  rd.release(id, S.expired)
  state = S.expired
end

local ok = false
if action == 'confirm' then
  ok = state == S.reserved and rd.confirm(id)
elseif action == 'cancel' then
  ok = (state == S.reserved or state == S.confirmed) and rd.release(id, S.cancelled)
elseif f[4] == 'physical' and state == S.confirmed then
  local current = f[5]
  local allowed = (action == F.shipped and current == F.pending)
    or ((action == F.delivered or action == F.failed) and (current == F.pending or current == F.shipped))
  if allowed then
    local fields = {'fulfilment', action, action .. 'At', now}
    if action == F.delivered then fields[#fields + 1], fields[#fields + 2] = 'state', S.fulfilled end
    redis.call('HSET', KEYS[REDEMPTION], unpack(fields))
    if action == F.delivered then rd.fulfilled(id) end
    ok = true
  end
end
kpis.flush()
if not ok then return {'state', state, f[5] or ''} end
local view = rd.view(id)
table.insert(view, 1, 'done')
return view
