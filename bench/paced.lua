-- wrk script: POST /v1/tickets or /v1/classify at a fixed rate, for the latency at a given load
-- (wrk itself only runs flat out). Run it with one connection a thread (-tN -cN): each
-- connection sends on its own schedule, RATE requests a second (N x RATE in all), and each
-- latency is counted from the moment its request was due, not from when it went out, so that
-- an answer that comes late and holds the next request back is charged to that request too
-- (what wrk2 calls coordinated omission). At the end it prints the rate reached and the
-- percentiles of those latencies, and wrk's own p99 (from the send) beside them.
-- Usage: wrk -t4 -c4 -d20s -s bench/paced.lua http://127.0.0.1:8080 -- \
--          KEY CITIZENS LEAVES PATH RATE
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
int clock_gettime(int clock, paced_timespec *ts);
]]
local ts = ffi.new("paced_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local counter, key, citizens, path, interval, due, started
local categories = {"HB.ZS.JZ"}
latencies = {} -- read by done() through thread:get
failures = 0

function init(args)
  key = args[1]
  citizens = tonumber(args[2])
  categories = {}
  for code in string.gmatch(args[3], "[^,]+") do categories[#categories + 1] = code end
  path = args[4]
  interval = 1000000 / tonumber(args[5])
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
  counter = math.random(1, 1e9) * 1000
  due = now_us() + math.random() * interval
end

function delay()
  local wait = (due - now_us()) / 1000
  if wait < 0 then return 0 end
  return wait
end

function request()
  local now = now_us()
  started = now < due and now or due -- a late send counts from when it was due
  due = due + interval
  counter = counter + 1
  local phone = string.format("139%08d", math.random(0, citizens - 1))
  local body = string.format(
    '{"ticket_id":"P%d","received_at":"2026-11-%02dT%02d:%02d:00+08:00","channel":"phone",' ..
    '"citizen":{"phone":"%s"},"category":"%s","description":"bench"}',
    counter, math.random(1, 28), math.random(0, 23), math.random(0, 59), phone,
    categories[math.random(1, #categories)])
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  latencies[#latencies + 1] = now_us() - started
  if status ~= 200 and status ~= 201 then failures = failures + 1 end
end

function done(summary, latency, requests)
  local all, failed = {}, 0
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("latencies")) do all[#all + 1] = v end
    failed = failed + t:get("failures")
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return 0 end
    return all[math.max(1, math.ceil(#all * p / 100))] / 1000
  end
  io.write(string.format(
    "paced: %d answers in %.1f s (%.0f/s), %d not 2xx; latency from when due: " ..
    "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; wrk's own p99 %.2f ms\n",
    #all, summary.duration / 1e6, #all / (summary.duration / 1e6), failed,
    pct(50), pct(90), pct(99), pct(100), latency:percentile(99) / 1000))
end
