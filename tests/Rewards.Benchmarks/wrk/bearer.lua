-- wrk script: the same GET for every request, with a bearer token. Argument: token.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
