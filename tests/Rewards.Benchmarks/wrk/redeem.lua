-- wrk script: POST /v1/programs/{program}/members/m-{n}/redemptions of one reward with a unique Idempotency-Key per
-- request, spread over 10,000 members as award.lua spreads its awards. Arguments: token, program id, reward id, run id.
local prefix_a, prefix_b, body
local counter = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local token, program, reward, run = args[1], args[2], args[3], args[4]
  prefix_a = "POST /v1/programs/" .. program .. "/members/m-"
  prefix_b = "/redemptions HTTP/1.1\r\n" ..
    "Host: " .. wrk.host .. ":" .. wrk.port .. "\r\n" ..
    "Content-Type: application/json\r\n" ..
    "Authorization: Bearer " .. token .. "\r\n" ..
    "Idempotency-Key: " .. run .. "-" .. tid .. "-"
  body = '{"rewardId":"' .. reward .. '"}'
end

function request()
  counter = counter + 1
  return prefix_a .. ((counter * 7919 + tid * 104729) % 10000) .. prefix_b .. counter ..
    "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end
