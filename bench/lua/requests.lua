-- Replays prepared requests for wrk, picked at random, and prints a JSON summary at the end.
-- Usage: wrk ... -s bench/lua/requests.lua URL -- REQUESTS_FILE
-- Each line of REQUESTS_FILE is one request, fields separated by tabs:
--   METHOD  PATH  BODY  Header: value  Header: value ...
-- BODY may be empty; headers carry the bearer token, the session cookie or the content type.

local prepared = {}

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000)
  for line in io.lines(args[1]) do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      for i = 4, #f do
        local name, value = f[i]:match("^([^:]+):%s*(.*)$")
        if name then headers[name] = value end
      end
      local body = f[3] ~= "" and f[3] or nil
      prepared[#prepared + 1] = wrk.format(f[1], f[2], headers, body)
    end
  end
end

function request()
  return prepared[math.random(#prepared)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
