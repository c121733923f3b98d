-- Creates or updates a member's profile; points and status are never touched here. A member created here counts in the
-- newMembers KPI of the program's local day (award.lua counts those created by their first activity).
-- Returns {created (1/0), status, balance, lifetime, createdAt} | {-1} for an erased member (ids are not reused)

--!include codes
--!include member
--!include kpis

--!keys
local memberKey, memberIndex, memberIds, memberNames, todayStats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--!args
local memberId, now, displayName, locale, kpiTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
--!end

local created = 0
local status = redis.call('HGET', memberKey, member.STATUS)
if status == codes.status.erased then return {-1} end
if not status then
  created = 1
  member.create(memberKey, memberIndex, memberIds, memberId, now)
  kpis.stat(todayStats, 'newMembers', 1, kpiTtl)
end
-- The display-name index follows the name (erasure removes the entry).
local oldName = redis.call('HGET', memberKey, member.DISPLAY_NAME)
if oldName ~= (displayName ~= '' and displayName or false) then
  if oldName then redis.call('ZREM', memberNames, member.nameEntry(oldName, memberId)) end
  if displayName ~= '' then redis.call('ZADD', memberNames, 0, member.nameEntry(displayName, memberId)) end
end
-- '' = none: the field is removed.
for field, value in pairs({[member.DISPLAY_NAME] = displayName, [member.LOCALE] = locale}) do
  if value == '' then redis.call('HDEL', memberKey, field) else redis.call('HSET', memberKey, field, value) end
end
local m = redis.call('HMGET', memberKey, member.STATUS, member.BALANCE, member.LIFETIME, member.CREATED_AT)
return {created, m[1], m[2], m[3], m[4]}
