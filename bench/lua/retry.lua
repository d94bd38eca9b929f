-- POST one check-in again and again: the same ticket code and nonce, as a scanner retries a scan
-- whose answer it did not get. Args: path token code nonce
function init(args)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2]}
  local body = '{"code":"' .. args[3] .. '","nonce":"' .. args[4] .. '"}'
  retry = wrk.format("POST", args[1], headers, body)
end
function request()
  return retry
end
