-- wrk script for bench/server.sh's OV workload: wrk-report.lua's line, then one more counting the
-- 503 answers and those of them without Retry-After. wrk sends a connection's next request as soon
-- as an answer comes, 503s included: these are clients that retry at once.
--   wrk ... -s bench/wrk-overload.lua URL
dofile(debug.getinfo(1, "S").source:match("^@?(.*/)") .. "wrk-report.lua")
local report = done
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  refused = 0
  no_retry_after = 0
end

function response(status, headers, body)
  if status == 503 then
    refused = refused + 1
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then
      no_retry_after = no_retry_after + 1
    end
  end
end

function done(summary, latency, requests)
  report(summary, latency, requests)
  local r, n = 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("refused")
    n = n + t:get("no_retry_after")
  end
  io.write(string.format("OVERLOAD refused=%d no_retry_after=%d\n", r, n))
end
