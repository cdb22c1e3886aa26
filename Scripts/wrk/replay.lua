-- Replays device events signed ahead of time by `device-sim presign`, so wrk (a load generator
-- that is not ours) can drive the alarm intake. Usage:
--   wrk -t2 -c64 -d10s -s Scripts/wrk/replay.lua http://127.0.0.1:8080 -- events.tsv 2
-- (the last argument repeats wrk's thread count: each thread's share is fixed when it starts,
-- before wrk has made the others).
-- Each line of the file is PATH, TIMESTAMP, SIGNATURE and BODY separated by tabs. Thread k of n
-- sends lines k, k+n, k+2n, … once each; a thread that runs out starts again from its first line,
-- and the server answers those repeats from its idempotency record (the cheap path), so the
-- summary says how many repeats were sent: make the file longer than the run needs.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path = args[1] or error("pass the presigned file and the thread count after --")
  local total = tonumber(args[2]) or error("pass wrk's thread count after the file")
  local requests = {}
  local n = 0
  for line in io.lines(path) do
    if n % total == id then
      local p, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", p, {
        ["Content-Type"] = "application/json",
        ["X-Eldercare-Timestamp"] = ts,
        ["X-Eldercare-Signature"] = sig,
      }, body)
    end
    n = n + 1
  end
  pending = requests
  lines = #requests
  sent = 0
  statuses = {}
end

function request()
  sent = sent + 1
  return pending[(sent - 1) % lines + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_repeats = 0
  local merged = {}
  for _, thread in ipairs(threads) do
    total_repeats = total_repeats + math.max(0, (thread:get("sent") or 0) - (thread:get("lines") or 0))
    local s = thread:get("statuses") or {}
    for code, count in pairs(s) do
      merged[code] = (merged[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(merged) do
    parts[#parts + 1] = code .. "×" .. count
  end
  table.sort(parts)
  io.write(string.format("replay: %d requests, %d of them repeats of a line already sent; statuses %s\n",
    summary.requests, total_repeats, table.concat(parts, " ")))
  io.write(string.format("replay latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
