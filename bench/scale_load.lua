-- wrk script: POST /v1/tickets or /v1/classify for fresh tickets of citizens with history: each
-- request takes a (phone, category) pair of a stored ticket, so the decision's look-up reads
-- that citizen's priors. received_at is now, so the priors are within the lookback.
-- Usage: wrk -tT -c16 -d20s -s bench/scale_load.lua URL -- KEY PAIRS PATH [RATE [T]]
--   PAIRS: "phone<TAB>category" lines (bench/replicate.py --pairs);
--   PATH: /v1/tickets or /v1/classify;
--   RATE: requests a second for the whole run, T the threads of wrk's -t (default 2); paced,
--         see delay() below.
--         Without it, every connection sends its next request as soon as it has the answer.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } scale_timespec;
int clock_gettime(int clk, scale_timespec *ts);
]]
local ts = ffi.new("scale_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local counter = 0
local key, path, pairs_, interval, next_slot

function init(args)
  key, path = args[1], args[3]
  pairs_ = {}
  for line in io.lines(args[2]) do
    local phone, category = line:match("^([^\t]+)\t(.+)$")
    if phone then pairs_[#pairs_ + 1] = {phone, category} end
  end
  assert(#pairs_ > 0, "no pairs in " .. args[2])
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
  counter = math.random(1, 1e9) * 1000
  local rate = tonumber(args[4] or "")
  if rate and rate > 0 then
    -- each thread paces its own connections at its share of the rate
    interval = 1000 * tonumber(args[5] or "2") / rate
    next_slot = now_ms()
  end
end

-- Paced: the thread keeps a schedule of send times `interval` apart; a connection that has
-- its answer waits for the next free slot. When answers come later than the schedule (the
-- server is slower than the rate), the requests go at once: the run's rate, printed by wrk,
-- says whether the pace was held.
function delay()
  if not interval then return 0 end
  local t = now_ms()
  if next_slot < t then next_slot = t end
  local wait = next_slot - t
  next_slot = next_slot + interval
  return math.floor(wait + 0.5)
end

function request()
  counter = counter + 1
  local p = pairs_[math.random(1, #pairs_)]
  local body = string.format(
    '{"ticket_id":"L%d","received_at":"%s","channel":"phone",' ..
    '"citizen":{"phone":"%s"},"category":"%s","description":"scale bench"}',
    counter, os.date("!%Y-%m-%dT%H:%M:%SZ"), p[1], p[2])
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end
