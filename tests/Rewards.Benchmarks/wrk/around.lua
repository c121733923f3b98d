-- wrk script: GET .../leaderboards/points/members/{random member}?window=week&around=5.
-- Arguments: token, program id, member count.
local token, program, members

function init(args)
  token, program, members = args[1], args[2], tonumber(args[3])
  math.randomseed(os.time() + (tid or 0))
end

function request()
  local path = "/v1/programs/" .. program .. "/leaderboards/points/members/m-" .. math.random(0, members - 1) .. "?window=week&around=5"
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
