-- Changes a person: op 'role' sets the role held in a program (only where the person holds one), 'unrole' removes it,
-- 'disable' / 'enable' the whole account (disabling ends every session), 'delete' removes the person and their sessions.
-- Returns {'ok', status} | {'none'} (no such person, or no role in that program)
--!keys
local person, roles, sessions = KEYS[1], KEYS[2], KEYS[3]
--!args
local op, programId, role, sessionPrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
--!end

local status = redis.call('HGET', person, 'status')
if not status then return {'none'} end

local function endSessions()
  for _, hash in ipairs(redis.call('ZRANGE', sessions, 0, -1)) do
    redis.call('DEL', sessionPrefix .. hash)
  end
  redis.call('DEL', sessions)
end

if op == 'role' then
  if redis.call('HEXISTS', roles, programId) == 0 then return {'none'} end
  redis.call('HSET', roles, programId, role)
elseif op == 'unrole' then
  if redis.call('HDEL', roles, programId) == 0 then return {'none'} end
elseif op == 'disable' then
  status = 'disabled'
  redis.call('HSET', person, 'status', status)
  endSessions()
elseif op == 'enable' then
  if status == 'disabled' then
    status = redis.call('HEXISTS', person, 'passwordHash') == 1 and 'active' or 'invited'
    redis.call('HSET', person, 'status', status)
  end
elseif op == 'delete' then
  endSessions()
  redis.call('DEL', person, roles)
  status = 'deleted'
end
return {'ok', status}
