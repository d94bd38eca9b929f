-- POST sign-up forms with distinct emails. Args: path cookie csrf-token prefix
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  path = args[1]
  cookie = args[2]
  csrf = args[3]
  prefix = args[4]
  n = 0
  headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if cookie ~= "none" then headers["Cookie"] = cookie end
end
function request()
  n = n + 1
  local email = prefix .. "-" .. id .. "-" .. n .. "%40example.org"
  local body = "name=Bench+Gast&email=" .. email .. "&organisation=&affiliation=volunteer&note=&consent=y"
  if csrf ~= "none" then body = body .. "&csrf_token=" .. csrf end
  return wrk.format("POST", path, headers, body)
end
