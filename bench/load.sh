#!/usr/bin/env bash
# Load test of the ingest bridge on loopback (see bench/README-snippet.md).
#
# Runs, in one go and with the same body and client settings:
#   ceiling    POST /bench/discard          (reads and drops the body: the HTTP stack's ceiling)
#   blackhole  POST /v1/events, publisher=blackhole  (decode + pack + gzip, no bus)
#   pubsub     POST /v1/events, publisher=pubsub against the standalone loopback Pub/Sub fake
# each with a ~1 MB NDJSON body of ~500-byte Cribl-like events, plain and gzip; then the gzip
# blackhole and pubsub runs again at half their maximum rate for the latency percentiles.
# Reports MB/s (uncompressed NDJSON), events/s, p50/p99 latency, peak RSS (VmHWM) and the ratio
# to the ceiling. Every process it starts is stopped on exit.
#
# Env: DURATION (default 15s), CONCURRENCY (default 8), BODY_BYTES (default 1048576),
#      JAVA_OPTS (default "-Xmx160m -XX:+UseSerialGC"), BRIDGE_PORT (18180), FAKE_PORT (18185), OUT (bench/results),
#      SCENARIOS (default "ceiling blackhole pubsub"; e.g. SCENARIOS=blackhole for the regression check).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/lib.sh"
DURATION="${DURATION:-15s}"
CONCURRENCY="${CONCURRENCY:-8}"
BODY_BYTES="${BODY_BYTES:-1048576}"
JAVA_OPTS="${JAVA_OPTS:--Xmx160m -XX:+UseSerialGC}"
BRIDGE_PORT="${BRIDGE_PORT:-18180}"
FAKE_PORT="${FAKE_PORT:-18185}"
OUT="${OUT:-$ROOT/bench/results}"
SCENARIOS="${SCENARIOS:-ceiling blackhole pubsub}"
TOKEN="bench-token"
BRIDGE_JAR="$ROOT/ingest-bridge/target/quarkus-app/quarkus-run.jar"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM


build_if_missing() {
  if [ ! -f "$BRIDGE_JAR" ]; then
    echo "building ingest-bridge" >&2
    (cd "$ROOT" && ./mvnw -q -B -pl ingest-bridge package -DskipTests)
  fi
  FAKE_JAR="$(ls "$ROOT"/test-support/target/test-support-*-standalone.jar 2>/dev/null | head -1 || true)"
  if [ -z "$FAKE_JAR" ]; then
    echo "building test-support (standalone Pub/Sub fake)" >&2
    (cd "$ROOT" && ./mvnw -q -B -pl test-support package -DskipTests)
    FAKE_JAR="$(ls "$ROOT"/test-support/target/test-support-*-standalone.jar | head -1)"
  fi
}


wait_http() {
  local url="$1" pid="$2"
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid died; see its log" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

start_fake() {
  java -Xmx512m -jar "$FAKE_JAR" --port "$FAKE_PORT" --no-retain > "$OUT/fake.log" 2>&1 &
  FAKE_PID=$!
  PIDS+=("$FAKE_PID")
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$FAKE_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "Pub/Sub fake did not start; see $OUT/fake.log" >&2
  return 1
}

# start_bridge <publisher> : starts a fresh bridge so VmHWM is this scenario's peak alone
start_bridge() {
  local publisher="$1"
  # shellcheck disable=SC2086
  PORT="$BRIDGE_PORT" FANOUT_INGEST_TOKENS="$TOKEN" FANOUT_INGEST_PUBLISHER="$publisher" FANOUT_UNSAFE_BLACKHOLE_PUBLISHER=true \
    FANOUT_BENCH_DISCARD_ENDPOINT=true FANOUT_PUBSUB_PROJECT_ID=bench-project \
    FANOUT_PUBSUB_EMULATOR_HOST="127.0.0.1:$FAKE_PORT" QUARKUS_OTEL_SDK_DISABLED=true \
    QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java $JAVA_OPTS -jar "$BRIDGE_JAR" > "$OUT/bridge-$publisher.log" 2>&1 &
  BRIDGE_PID=$!
  PIDS+=("$BRIDGE_PID")
  wait_http "http://127.0.0.1:$BRIDGE_PORT/q/health/live" "$BRIDGE_PID"
}

stop_bridge() {
  kill "$BRIDGE_PID" 2>/dev/null || true
  wait "$BRIDGE_PID" 2>/dev/null || true
}

# user+system CPU ticks of a process (fields 14 and 15 of /proc/PID/stat; the name has no spaces here)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK_TCK="$(getconf CLK_TCK)"

# run <label> <path> <file> <gzip:0|1> [qps-per-worker] : one hey run, one result row
run() {
  local label="$1" path="$2" file="$3" gz="$4" q="${5:-0}"
  local hdr=(-H "Authorization: Bearer $TOKEN" -T application/x-ndjson)
  [ "$gz" = 1 ] && hdr+=(-H "Content-Encoding: gzip")
  # Warm-up (JIT) outside the measurement.
  hey -z 3s -c "$CONCURRENCY" -m POST "${hdr[@]}" -D "$file" "http://127.0.0.1:$BRIDGE_PORT$path" > /dev/null
  local qarg=()
  [ "$q" != 0 ] && qarg=(-q "$q")
  local t0 t1
  t0=$(cpu_ticks "$BRIDGE_PID")
  hey -z "$DURATION" -c "$CONCURRENCY" "${qarg[@]}" -m POST "${hdr[@]}" -D "$file" \
    "http://127.0.0.1:$BRIDGE_PORT$path" > "$OUT/hey-$label.txt"
  t1=$(cpu_ticks "$BRIDGE_PID")
  local rps p50 p99 codes
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/hey-$label.txt")
  p50=$(awk '/ 50% in/ {print $3}' "$OUT/hey-$label.txt")
  p99=$(awk '/ 99% in/ {print $3}' "$OUT/hey-$label.txt")
  # hey omits percentiles it has too few samples for; fall back to the slowest request.
  [ -z "$p99" ] && p99=$(awk '/Slowest:/ {print $2}' "$OUT/hey-$label.txt")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {gsub(/[\[\]]/, ""); printf "%s:%s ", $1, $2}' "$OUT/hey-$label.txt")
  local mbs evs ok cpu_s mb_cpu
  mbs=$(awk -v r="$rps" -v b="$PLAIN_BYTES" 'BEGIN {printf "%.1f", r * b / 1e6}')
  ok=$(awk '/\[200\]/ {print $2}' "$OUT/hey-$label.txt")
  cpu_s=$(awk -v a="$t0" -v b="$t1" -v h="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / h}')
  # NDJSON MB handled per second of bridge CPU: what one dedicated core would sustain.
  mb_cpu=$(awk -v n="${ok:-0}" -v b="$PLAIN_BYTES" -v c="$cpu_s" 'BEGIN {printf "%.1f", (c > 0 ? n * b / 1e6 / c : 0)}')
  evs=$(awk -v r="$rps" -v e="$EVENTS" 'BEGIN {printf "%.0f", r * e}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$mbs" "$evs" "$mb_cpu" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(awk -v s="$p50" 'BEGIN {printf "%.1f", s * 1000}')" "$(awk -v s="$p99" 'BEGIN {printf "%.1f", s * 1000}')" \
    "$(hwm_mb "$BRIDGE_PID")" "$codes" >> "$OUT/results.tsv"
  echo "$label: ${rps} req/s, ${mbs} MB/s, p50 ${p50}s, p99 ${p99}s, codes ${codes}" >&2
  LAST_RPS="$rps"
}

half_q() { awk -v r="$1" -v c="$CONCURRENCY" 'BEGIN {q = r / 2 / c; printf "%.2f", (q < 0.1 ? 0.1 : q)}'; }

main() {
  need_deb hey
  build_if_missing
  make_bodies
  : > "$OUT/results.tsv"

  CEIL_PLAIN=0
  CEIL_GZ=0
  if [[ " $SCENARIOS " == *" ceiling "* ]]; then
    start_bridge blackhole
    run ceiling-plain /bench/discard "$BODY" 0
    CEIL_PLAIN="$LAST_RPS"
    run ceiling-gzip /bench/discard "$BODY.gz" 1
    CEIL_GZ="$LAST_RPS"
    stop_bridge
  fi

  if [[ " $SCENARIOS " == *" blackhole "* ]]; then
    start_bridge blackhole
    run blackhole-plain /v1/events "$BODY" 0
    stop_bridge
    start_bridge blackhole
    run blackhole-gzip /v1/events "$BODY.gz" 1
    BH_GZ="$LAST_RPS"
    run blackhole-gzip-half-rate /v1/events "$BODY.gz" 1 "$(half_q "$BH_GZ")"
    stop_bridge
  fi

  if [[ " $SCENARIOS " == *" pubsub "* ]]; then
    start_fake
    start_bridge pubsub
    run pubsub-plain /v1/events "$BODY" 0
    stop_bridge
    start_bridge pubsub
    run pubsub-gzip /v1/events "$BODY.gz" 1
    PS_GZ="$LAST_RPS"
    run pubsub-gzip-half-rate /v1/events "$BODY.gz" 1 "$(half_q "$PS_GZ")"
    stop_bridge
  fi

  {
    echo "# ingest-bridge load test $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores"
    echo "body: $PLAIN_BYTES bytes NDJSON, $EVENTS events; gzip $GZ_BYTES bytes; hey -c $CONCURRENCY -z $DURATION; JAVA_OPTS=$JAVA_OPTS"
    echo "MB/s = requests/s x uncompressed NDJSON bytes; ratio = requests/s / ceiling requests/s (same encoding)"
    echo "peak RSS is the bridge process's VmHWM since its start (fresh process per scenario)"
    echo
    echo "MB/CPU-s = NDJSON MB per second of bridge CPU (user+sys), i.e. per dedicated core; load = 1-min load average at the end"
    echo
    echo "| scenario | req/s | MB/s | events/s | MB/CPU-s | p50 ms | p99 ms | peak RSS MB | vs ceiling | load | status codes |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    while IFS=$'\t' read -r label rps mbs evs mbcpu load p50 p99 rss codes; do
      ceil="$CEIL_PLAIN"
      case "$label" in *gzip*) ceil="$CEIL_GZ" ;; esac
      ratio=$(awk -v r="$rps" -v c="$ceil" 'BEGIN {printf (c > 0 ? "%.2f" : "—"), (c > 0 ? r / c : 0)}')
      echo "| $label | $rps | $mbs | $evs | $mbcpu | $p50 | $p99 | $rss | $ratio | $load | $codes |"
    done < "$OUT/results.tsv"
  } | tee "$OUT/results.md"
}

main "$@"
