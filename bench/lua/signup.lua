-- POST sign-up forms with distinct emails, as a browser sends the event page's form: its hidden
-- fields, the honeypot left empty, an Origin header, and the cookie only if the page set one.
-- Args: path cookie|none hidden-fields|none prefix origin
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  path = args[1]
  local cookie = args[2]
  fields = args[3]
  prefix = args[4]
  n = 0
  headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Origin"] = args[5]}
  if cookie ~= "none" then headers["Cookie"] = cookie end
end
function request()
  n = n + 1
  local email = prefix .. "-" .. id .. "-" .. n .. "%40example.org"
  local body = "name=Bench+Gast&email=" .. email ..
    "&organisation=&affiliation=volunteer&note=&consent=y&remarks="
  if fields ~= "none" then body = body .. "&" .. fields end
  return wrk.format("POST", path, headers, body)
end
