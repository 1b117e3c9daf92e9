-- wrk script of bench/local-pipeline.sh: POSTs ~1 MB Cribl NDJSON bodies (plain or gzip), cycling
-- through VARIANTS copies of bench/load.sh's body whose _time values are shifted apart, with one
-- extra, unique first event per request.
--  * The marker makes every request's event ids distinct (ids hash the decompressed body), so
--    "archived == accepted" is checkable: repeating an identical body would legitimately be
--    deduplicated by the archive.
--  * The variants keep batches realistic: the archive sorts a batch by event time, and copies of
--    one body sent again and again would sit line by line next to each other, which makes gzip both
--    unrealistically effective and unrealistically slow.
-- For gzip the marker is its own gzip member (a stored, uncompressed deflate block) in front of
-- the pre-compressed body: concatenated members are one valid gzip stream.
-- After a 503 the connection backs off (default 250 ms) before its next request, as Cribl does on
-- retryable statuses; without it, refused 1 MB bodies would be re-sent back to back and the
-- benchmark would measure a retry storm instead of what the pipeline sustains.
-- args (after --): <body file prefix> <variants> <gzip 0|1> <token> [backoff ms]
--   bodies are <prefix>-<i>.ndjson (or .ndjson.gz), i = 0 .. variants-1

local bit = require("bit")

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if bit.band(c, 1) == 1 then c = bit.bxor(0xEDB88320, bit.rshift(c, 1)) else c = bit.rshift(c, 1) end
  end
  crc_table[i] = c
end

local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do
    c = bit.bxor(crc_table[bit.band(bit.bxor(c, s:byte(i)), 0xFF)], bit.rshift(c, 8))
  end
  return bit.bnot(c)
end

local function le32(n)
  return string.char(bit.band(n, 0xFF), bit.band(bit.rshift(n, 8), 0xFF),
    bit.band(bit.rshift(n, 16), 0xFF), bit.band(bit.rshift(n, 24), 0xFF))
end

local function le16(n)
  return string.char(bit.band(n, 0xFF), bit.band(bit.rshift(n, 8), 0xFF))
end

-- One gzip member holding s uncompressed (s shorter than 64 KiB).
local function gzip_stored(s)
  local len = #s
  return "\31\139\8\0\0\0\0\0\0\255" .. "\1" .. le16(len) .. le16(bit.band(bit.bnot(len), 0xFFFF)) .. s
    .. le32(crc32(s)) .. le32(len)
end

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local bodies = {}
local gz
local seq = 0
local backoff_ms = 250
local pause = 0
accepted, ok, busy, other = 0, 0, 0, 0

function init(args)
  local n = tonumber(args[2])
  gz = args[3] == "1"
  for i = 0, n - 1 do
    local f = assert(io.open(string.format("%s-%d.ndjson%s", args[1], i, gz and ".gz" or ""), "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  if args[5] then backoff_ms = tonumber(args[5]) end
  wrk.headers["Authorization"] = "Bearer " .. args[4]
  wrk.headers["Content-Type"] = "application/x-ndjson"
  if gz then wrk.headers["Content-Encoding"] = "gzip" end
end

function request()
  seq = seq + 1
  local marker = string.format(
    '{"_time":%d,"_raw":"bench marker thread=%d seq=%d","host":"bench","sourcetype":"bench:marker"}\n',
    os.time(), id, seq)
  if gz then marker = gzip_stored(marker) end
  -- Threads start at different variants so that concurrent requests carry different ones.
  local body = bodies[(seq + id * 7) % #bodies + 1]
  return wrk.format("POST", "/v1/events", nil, marker .. body)
end

function delay()
  local d = pause
  pause = 0
  return d
end

function response(status, headers, resp)
  if status == 503 then pause = backoff_ms end
  if status == 200 then
    ok = ok + 1
    accepted = accepted + tonumber(resp:match('"accepted":(%d+)') or 0)
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, o, b, x = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    o = o + t:get("ok")
    b = b + t:get("busy")
    x = x + t:get("other")
  end
  io.write(string.format("RESULT accepted_events=%d ok=%d status_503=%d other=%d errors=%d duration_us=%d p50_ms=%.1f p99_ms=%.1f\n",
    a, o, b, x, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
