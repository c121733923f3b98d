-- Reads a leaderboard archive and joins the current display names of its members, in one run. Archives hold ranks,
-- member ids and scores only and are never rewritten: an erased member is left out here, on every read, and the
-- others keep their archived ranks. Member hashes carry the archive's hash tag, so they live on its cluster slot.
-- Returns {} when there is no archive; else {archive JSON, then per member still on record: id, display name ('' = none)}

--!include codes
--!include member

--!keys
local archiveKey = KEYS[1] -- JSON
--!args
local prefix = ARGV[1] -- member hash prefix
--!end

local json = redis.call('GET', archiveKey)
if not json then return {} end
local reply = {json}
for _, entry in ipairs(cjson.decode(json).entries) do
  local m = redis.call('HMGET', prefix .. entry.memberId, member.STATUS, member.DISPLAY_NAME)
  if m[1] ~= codes.status.erased then
    reply[#reply + 1] = entry.memberId
    reply[#reply + 1] = m[2] or ''
  end
end
return reply
