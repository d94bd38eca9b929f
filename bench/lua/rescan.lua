-- POST the same ticket again and again, each time with a new nonce, as a door scans a guest who is
-- already in: every scan is a new question, answered from the database (no stored answer fits it).
-- Args: path token code
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  path = args[1]
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2]}
  code = args[3]
  n = 0
end
function request()
  n = n + 1
  local body = '{"code":"' .. code .. '","nonce":"rescan-' .. id .. '-' .. n .. '"}'
  return wrk.format("POST", path, headers, body)
end
