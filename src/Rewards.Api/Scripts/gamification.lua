-- Module gamification: tiers, badges and streaks of the award and moderation scripts.
-- Exports:
--   tierOf(tiers, lifetime) -> the member's tier number
--   nextStreak(day, streakDay, streak, best) -> streakDay, streak, best after an awarded activity on local day number day
--   earnBadges(rules, earned, activityType, typeCount, lifetime, streak) -> the updated ',id,' string, the list of new ids
-- tiers: "min1,min2,..." ascending lifetime thresholds; a member's tier is the number of thresholds reached (0 = none).
-- badges: "id:c:type:count;id:l::points;id:s::days" (awarded activities of a type, lifetime points, streak days).
-- A member hash keeps: 'c:<type>' awarded activities per type, 'streakDay' (local day number), 'streak', 'bestStreak',
-- 'badges' (",id,id,") and 'tier'.

local function tierOf(tiers, lifetime)
  local tier = 0
  for min in string.gmatch(tiers, '[^,]+') do
    if lifetime >= tonumber(min) then tier = tier + 1 end
  end
  return tier
end

-- Streak: consecutive local days with at least one awarded activity. Returns streakDay, streak, best.
local function nextStreak(day, streakDay, streak, best)
  if streakDay == nil or day > streakDay + 1 then
    streakDay, streak = day, 1
  elseif day == streakDay + 1 then
    streakDay, streak = day, streak + 1
  end
  if streak > best then best = streak end
  return streakDay, streak, best
end

-- Badges newly earned given the member's state; returns the updated ',id,' string and a list of new ids.
local function earnBadges(rules, earned, activityType, typeCount, lifetime, streak)
  local new = {}
  for id, kind, kindType, threshold in string.gmatch(rules, '([^:;]+):(%a):([^:;]*):([^:;]+)') do
    if not string.find(earned, ',' .. id .. ',', 1, true) then
      local value = (kind == 'c' and kindType == activityType and typeCount) or (kind == 'l' and lifetime) or (kind == 's' and streak) or -1
      if value >= tonumber(threshold) then
        earned = earned .. id .. ','
        new[#new + 1] = id
      end
    end
  end
  return earned, new
end

return {tierOf = tierOf, nextStreak = nextStreak, earnBadges = earnBadges}
