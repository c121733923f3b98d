-- Erasure's part in the event stream: deletes an erased member's events (their own, and the overtaken events naming them
-- as byMemberId) up to their member.erased event, which stays (consumers must learn of the erasure). member-status.lua
-- records the member in the program's scrub list (RedisKeys.EventScrubs: member id -> that event's id) in the erasure's
-- own run; EventMaintenanceJob.ScrubAsync then runs this script chunk by chunk (a long stream is never read in one run), and the member
-- leaves the list with the last chunk.
-- Returns the id to continue after, or '' when done.

--!include codes

--!keys
local eventStream, eventScrubs = KEYS[1], KEYS[2]
--!args
local memberId, after, chunk = ARGV[1], ARGV[2], tonumber(ARGV[3])
--!end

local upTo = redis.call('HGET', eventScrubs, memberId)
if not upTo then return '' end
local entries = redis.call('XRANGE', eventStream, after == '' and '-' or '(' .. after, upTo, 'COUNT', chunk)
local named, gone = '"byMemberId":"' .. memberId .. '"', {}
for _, entry in ipairs(entries) do
  local f, fields = {}, entry[2]
  for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
  if (f.member == memberId and f.type ~= codes.event.erased) or string.find(f.data or '', named, 1, true) then
    gone[#gone + 1] = entry[1]
  end
end
if #gone > 0 then redis.call('XDEL', eventStream, unpack(gone)) end
if #entries < chunk then
  redis.call('HDEL', eventScrubs, memberId)
  return ''
end
return entries[#entries][1]
