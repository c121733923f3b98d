-- Releases a program's holds past their expiry (state expired: points, stock and limit slots back), at most max per run
-- (the job runs it again while it answers max). Holds are also released by the next redemption and by any move of the
-- redemption itself, so an expired hold never keeps stock, whenever this job runs.
-- Returns the number of holds examined.

--!include layout
--!include kpis
--!include redemption
--!include events

local L = layout.new()
--!keys
local HOLDS = L.key()
local LOTS_DUE = L.key()
local STATS = L.key()
local EVENTS = L.key(events.KEY_COUNT) -- the program's event stream (EventWrites): redemption.expired per hold
--!args
local NOW = L.arg()
local MAX = L.arg()
local KPI_TTL = L.arg()
local MEMBER_PREFIX = L.arg()
local REWARD_PREFIX = L.arg()
local REDEMPTION_PREFIX = L.arg()
local PERK_PREFIX = L.arg()
local EVENT_ARGS = L.arg(events.ARG_COUNT)
--!end

local rd = redemption.new({memberPrefix = ARGV[MEMBER_PREFIX], rewardPrefix = ARGV[REWARD_PREFIX],
  redemptionPrefix = ARGV[REDEMPTION_PREFIX], perkPrefix = ARGV[PERK_PREFIX], holds = KEYS[HOLDS], lotsDue = KEYS[LOTS_DUE], stats = KEYS[STATS],
  kpiTtl = ARGV[KPI_TTL], now = tonumber(ARGV[NOW]), events = events.writes(EVENTS, EVENT_ARGS)})
local n = rd.sweep(tonumber(ARGV[MAX]))
kpis.flush()
return n
