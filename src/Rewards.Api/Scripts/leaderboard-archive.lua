-- Writes the archive of a closed leaderboard period (its final top, JSON built by LeaderboardStore.ArchiveAsync) unless it
-- exists, and in the same run emits leaderboard.period_closed (events.lua): the event exists exactly when the archive does,
-- once, whatever re-runs or concurrent instances do.
-- Returns 1 when written, 0 when the archive existed.

--!include codes
--!include events

--!keys
local archiveKey, eventStream = KEYS[1], KEYS[2]
--!args
local json, board, window, period, total, now, eventsMaxLength = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
--!end

if not redis.call('SET', archiveKey, json, 'NX') then return 0 end
events.emit(events.writesOf(eventStream, eventsMaxLength), codes.event.periodClosed, nil, nil, now,
  {board = board, window = window, period = period, total = total})
return 1
