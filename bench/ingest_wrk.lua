-- wrk script for bench/ingest.py: replays pre-built, pre-encrypted callback requests.
--
--   wrk -t2 -c48 -d15s -s bench/ingest_wrk.lua http://127.0.0.1:PORT -- PREFIX THREADS [RATE]
--
-- Thread i (0-based) replays REQUEST_PREFIX.<i>: records "<length>\n<raw HTTP request>", built
-- and encrypted ahead of time so wrk spends no CPU on crypto. The slice wraps around when it
-- runs out (everything after that is a duplicate, which the server must absorb).
--
-- THREADS must equal wrk's -t. RATE (requests/s over all threads), when given, paces sending: each request takes the next
-- slot of a fixed per-thread schedule and waits for it through wrk's delay() hook, so the rate
-- holds whatever the answers (until every connection is busy, which the achieved rate shows).
--
-- done() prints one line "WRKJSON {...}" with totals, latency percentiles (microseconds) and,
-- per thread, how many requests were handed to wrk (the bench derives which messages were sent).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local count = 0
local interval_ms = nil
local next_slot = nil
issued = 0

local function paced_delay()
  local now = now_ms()
  if next_slot == nil then
    next_slot = now
  end
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  if wait < 0 then
    return 0
  end
  return math.floor(wait)
end

function init(args)
  local prefix = args[1]
  local nthreads = tonumber(args[2])
  local rate = tonumber(args[3] or "0") or 0
  local file = assert(io.open(prefix .. "." .. tid, "rb"))
  local data = file:read("*a")
  file:close()
  local pos = 1
  local size = #data
  while pos <= size do
    local newline = string.find(data, "\n", pos, true)
    local length = tonumber(string.sub(data, pos, newline - 1))
    count = count + 1
    requests[count] = string.sub(data, newline + 1, newline + length)
    pos = newline + length + 1
  end
  assert(count > 0, "no requests in " .. prefix .. "." .. tid)
  if rate > 0 then
    -- wrk looks for a global delay() after init, so pacing is switched on here.
    interval_ms = 1000 * nthreads / rate
    delay = paced_delay
  end
end

function request()
  local index = issued % count + 1
  issued = issued + 1
  return requests[index]
end

function done(summary, latency, _)
  local per_thread = {}
  for _, thread in ipairs(threads) do
    table.insert(per_thread, string.format('"%d": %d', thread:get("tid"), thread:get("issued")))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, '
      .. '"p90_us": %d, "p99_us": %d, "max_us": %d, "issued": {%s}}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, table.concat(per_thread, ", ")))
end
