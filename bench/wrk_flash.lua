-- wrk script for the flash-crowd benchmark (used by bench/loadgen.py when --loadgen wrk).
-- One connection per wrk thread (-t N -c N); each thread sends its share of the requests,
-- every body unique (the template's @@N@@ replaced by a request number), times each request
-- itself with CLOCK_MONOTONIC (wrk does not record the latency of `Connection: close`
-- answers, which is all gunicorn's sync workers give), notes in $BENCH_WRK_DONE when it has
-- its share, and the main state writes "started_us latency_us status" lines to $BENCH_WRK_OUT.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local threads = {}
local counter = 0

function setup(thread)
  local total = tonumber(os.getenv("BENCH_WRK_REQUESTS"))
  local clients = tonumber(os.getenv("BENCH_WRK_CLIENTS"))
  local share = math.floor(total / clients)
  if counter < total % clients then share = share + 1 end
  thread:set("tid", counter)
  thread:set("quota", share)
  counter = counter + 1
  table.insert(threads, thread)
end

local path, idle_path, template, headers
local sent_at, n, answered = 0, 0, 0
starts, lats, codes = {}, {}, {}

function init(args)
  path = os.getenv("BENCH_WRK_PATH")
  idle_path = os.getenv("BENCH_WRK_IDLE_PATH")
  local f = assert(io.open(os.getenv("BENCH_WRK_BODY"), "rb"))
  template = f:read("*a")
  f:close()
  headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
end

function request()
  if answered >= quota then
    -- Done with our share. Stopping the thread here would leave wrk reconnecting to a sync
    -- gunicorn worker without ever writing a request (the worker would block until its
    -- timeout), so idle on a cheap GET until the harness interrupts wrk; not recorded.
    return wrk.format("GET", idle_path)
  end
  n = n + 1
  local body = template:gsub("@@N@@", tostring(tid * 1000000 + n))
  sent_at = now_us()
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  if answered >= quota then
    return
  end
  answered = answered + 1
  starts[answered] = sent_at
  lats[answered] = now_us() - sent_at
  codes[answered] = status
  if answered >= quota then
    -- wrk's main thread sleeps for -d; the harness sends it SIGINT once every thread is done.
    local f = io.open(os.getenv("BENCH_WRK_DONE"), "a")
    f:write(tid, "\n")
    f:close()
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  for _, thread in ipairs(threads) do
    local s, l, c = thread:get("starts"), thread:get("lats"), thread:get("codes")
    for i = 1, #c do
      out:write(s[i], " ", l[i], " ", c[i], "\n")
    end
  end
  out:write("errors ", summary.errors.connect, " ", summary.errors.read, " ", summary.errors.write, " ",
            summary.errors.timeout, "\n")
  out:close()
end
