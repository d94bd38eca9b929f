-- POST distinct ticket codes as JSON. Args: codes-file threads token path [limit] [bearer|none]
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  codes = {}
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  step = tonumber(args[2])
  token = args[3]
  path = args[4]
  limit = tonumber(args[5] or "0")
  index = id
  done = 0
  headers = {["Content-Type"] = "application/json"}
  if token ~= "none" then headers["Authorization"] = "Bearer " .. token end
end
function request()
  local code = codes[index] or "exhausted-code-000"
  local body = '{"code":"' .. code .. '","nonce":"' .. id .. "-" .. index .. '"}'
  index = index + step
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  done = done + 1
  if limit > 0 and done >= limit then wrk.thread:stop() end
end
