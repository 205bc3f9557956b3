-- wrk script for hulpload: POSTs slash commands that hulpload signed in
-- advance (hulpload -scenario serve -wrk-file FILE), each request a
-- different teacher with its own trigger_id, to /slack/command.
--
--   wrk -t2 -c50 -d10s --latency -s cmd/hulpload/wrk.lua URL -- FILE THREADS
--
-- FILE holds "timestamp TAB signature TAB body" lines; THREADS must equal
-- -t: thread k sends lines k, k+THREADS, … When a thread has sent all of
-- its lines it starts again from its first (the answers then come from
-- hulpbot's repeat check, not from the core): the number of such repeats is
-- printed, and should be 0.
--
-- The ceiling (hulpload -scenario ceiling) takes the same file: it checks
-- no signature, and answers on every path. Write one for the ceiling alone
-- with hulpload -scenario ceiling -wrk-file FILE.
--
-- Prints one CSV line at the end, which scripts/bench.sh reads:
-- CSV,requests,rps,p50_ms,p90_ms,p99_ms,max_ms,errors(socket+non-2xx/3xx)

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local reqs = {}
local idx = 0
sent = 0
nreqs = 0

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  if file == nil or nthreads == nil then
    error("usage: -- FILE THREADS")
  end
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local ts, sig, body = line:match("^(%d+)\t([^\t]+)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", "/slack/command", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Slack-Request-Timestamp"] = ts,
        ["X-Slack-Signature"] = sig,
      }, body)
    end
    i = i + 1
  end
  if #reqs == 0 then
    error("no requests for thread " .. tid .. " in " .. file)
  end
  nreqs = #reqs
end

function request()
  idx = idx + 1
  if idx > nreqs then
    idx = 1
  end
  sent = sent + 1
  return reqs[idx]
end

function done(summary, latency, requests)
  local rep = 0
  for _, t in ipairs(threads) do
    local s, n = t:get("sent") or 0, t:get("nreqs") or 0
    if s > n then
      rep = rep + s - n
    end
  end
  local e = summary.errors
  io.write(string.format("CSV,%d,%.1f,%.3f,%.3f,%.3f,%.3f,%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
  io.write(string.format("REPEATS,%d\n", rep))
end
