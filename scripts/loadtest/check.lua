-- wrk script: POST /api/v1/authz/check (or check-batch) with bodies from
-- BODIES_FILE, one JSON document per line, cycled; session cookie from COOKIE.
local bodies = {}
local path = os.getenv("CHECK_PATH") or "/api/v1/authz/check"

for line in io.lines(os.getenv("BODIES_FILE")) do
  bodies[#bodies + 1] = line
end

local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Cookie"] = os.getenv("COOKIE"),
  }, bodies[i])
end
