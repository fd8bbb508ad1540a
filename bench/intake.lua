-- wrk script: POST /v1/tickets with unique ticket ids over a pool of citizens, so that a share
-- of calls land on a citizen's earlier problem (repeats, in-progress calls) as on a live line.
-- Usage: wrk -t2 -c16 -d20s -s bench/intake.lua http://127.0.0.1:8080 -- KEY CITIZENS [LEAVES [PATH]]
-- LEAVES: comma-separated leaf category codes (default: the sample tree's).
-- PATH: /v1/tickets (the default) or /v1/classify (the decision without storing it).
local counter = 0
local key, citizens
local path = "/v1/tickets"
local categories = {"HB.ZS.JZ", "CG.SZ.LD", "CG.SZ.PS", "JT.GJ.XL"}

function init(args)
  key = args[1]
  citizens = tonumber(args[2] or "100000")
  if args[3] and #args[3] > 0 then
    categories = {}
    for code in string.gmatch(args[3], "[^,]+") do categories[#categories + 1] = code end
  end
  if args[4] and #args[4] > 0 then path = args[4] end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
  counter = math.random(1, 1e9) * 1000
end

function request()
  counter = counter + 1
  local phone = string.format("139%08d", math.random(0, citizens - 1))
  local body = string.format(
    '{"ticket_id":"B%d","received_at":"2026-11-%02dT%02d:%02d:00+08:00","channel":"phone",' ..
    '"citizen":{"phone":"%s"},"category":"%s","description":"bench"}',
    counter, math.random(1, 28), math.random(0, 23), math.random(0, 59), phone,
    categories[math.random(1, #categories)])
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end
