-- Invites a person (console user) by e-mail: creates the person when new (status 'invited'), grants the role in a program
-- (or the operator flag), and, while the person has not set a password yet, replaces the pending invitation's hash and expiry
-- (a re-invitation makes the earlier link useless). An active or disabled person gets the role and no invitation.
-- Returns {status}: 'invited' (a link was issued) | 'active' | 'disabled'
--!keys
local person, roles = KEYS[1], KEYS[2]
--!args
local personId, email, now, programId, role, inviteHash, inviteExpiresAt = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
--!end

local status = redis.call('HGET', person, 'status')
if not status then
  redis.call('HSET', person, 'id', personId, 'email', email, 'status', 'invited', 'createdAt', now)
  status = 'invited'
end
if programId ~= '' then
  redis.call('HSET', roles, programId, role)
else
  redis.call('HSET', person, 'operator', '1')
end
if status == 'invited' then
  redis.call('HSET', person, 'inviteHash', inviteHash, 'inviteExpiresAt', inviteExpiresAt)
end
return {status}
