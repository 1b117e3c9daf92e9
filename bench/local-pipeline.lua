-- wrk script of bench/local-pipeline.sh: POSTs a fixed ~1 MB Cribl NDJSON body (plain or gzip)
-- with one extra, unique first event per request. Event ids hash the whole decompressed body, so
-- the marker makes every request's ids distinct and "archived == accepted" is checkable (repeating
-- an identical body would legitimately be deduplicated by the archive).
-- args (after --): <body file> <gzip 0|1> <token>
-- For gzip the marker is its own gzip member (a stored, uncompressed deflate block) in front of
-- the pre-compressed body: concatenated members are one valid gzip stream.

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

local body, gz
local seq = 0
accepted, ok, busy, other = 0, 0, 0, 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
  gz = args[2] == "1"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.headers["Content-Type"] = "application/x-ndjson"
  if gz then wrk.headers["Content-Encoding"] = "gzip" end
end

function request()
  seq = seq + 1
  local marker = string.format(
    '{"_time":%d,"_raw":"bench marker thread=%d seq=%d","host":"bench","sourcetype":"bench:marker"}\n',
    os.time(), id, seq)
  if gz then marker = gzip_stored(marker) end
  return wrk.format("POST", "/v1/events", nil, marker .. body)
end

function response(status, headers, resp)
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
