-- POST distinct ticket codes as JSON, from the line after `offset` on, and say at the end where
-- the next run starts ("next code: N"). Args: codes-file step token|none path [limit] [offset]
local counter = 1
local threads = {}
function setup(thread)
  thread:set("id", counter)
  threads[#threads + 1] = thread
  counter = counter + 1
end
function init(args)
  codes = {}
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  step = tonumber(args[2])
  token = args[3]
  path = args[4]
  limit = tonumber(args[5] or "0")
  index = id + tonumber(args[6] or "0")
  answered = 0
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
  answered = answered + 1
  if limit > 0 and answered >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local next_index = 0
  for _, thread in ipairs(threads) do next_index = math.max(next_index, thread:get("index")) end
  io.write("next code: " .. (next_index - 1) .. "\n")
end
