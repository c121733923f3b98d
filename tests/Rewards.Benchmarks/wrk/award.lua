-- wrk script: POST /v1/programs/{program}/activities with a unique Idempotency-Key per request,
-- spread over 10,000 members. Arguments: token, program id, run id.
-- The request text is assembled by plain concatenation around a prefix built once per thread, so the load
-- generator spends about as little per request as it does on the static baseline request.
local prefix, key_prefix
local counter = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local token, program, run = args[1], args[2], args[3]
  prefix = "POST /v1/programs/" .. program .. "/activities HTTP/1.1\r\n" ..
    "Host: " .. wrk.host .. ":" .. wrk.port .. "\r\n" ..
    "Content-Type: application/json\r\n" ..
    "Authorization: Bearer " .. token .. "\r\n"
  key_prefix = "Idempotency-Key: " .. run .. "-" .. tid .. "-"
end

function request()
  counter = counter + 1
  local body = '{"memberId":"m-' .. ((counter * 7919 + tid * 104729) % 10000) ..
    '","type":"comment","targetId":"t-' .. tid .. '-' .. counter .. '"}'
  return prefix .. key_prefix .. counter .. "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end
