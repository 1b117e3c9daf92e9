#!/usr/bin/env bash
# Memory load of the ingest bridge as deployed (issue 6 §2; results in docs/benchmarks.md):
# ingest-bridge with the JVM flags of deploy/cloudrun/ingest-bridge.yaml, 20 concurrent senders
# (its containerConcurrency) at the maximum body size, plain and gzip inflating to the maximum,
# against the standalone Pub/Sub fake, which pushes every message to the sender (bench/BridgeMemory.java)
# so every sequence number is counted. Expect: no OutOfMemoryError, only 200 and 503, nothing lost.
#
# Env: ROUNDS (bodies per sender, default 2), SENDERS (default: the yaml's containerConcurrency),
#      BODY_BYTES (default: fanout.ingest.max-request-bytes default, 10485760 minus 64 KiB),
#      BRIDGE_PORT (18280), FAKE_PORT (18285), PUSH_PORT (18286), OUT (bench/results), MODES ("plain gzip").
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/lib.sh"
YAML="$ROOT/deploy/cloudrun/ingest-bridge.yaml"
JVM_FLAGS="$(sed -n 's/.*JAVA_OPTS_APPEND, value: "\([^"]*\)".*/\1/p' "$YAML")"
CONCURRENCY="$(sed -n 's/.*containerConcurrency: *\([0-9]*\).*/\1/p' "$YAML")"
SENDERS="${SENDERS:-$CONCURRENCY}"
ROUNDS="${ROUNDS:-2}"
BODY_BYTES="${BODY_BYTES:-$((10485760 - 65536))}"
BRIDGE_PORT="${BRIDGE_PORT:-18280}"
FAKE_PORT="${FAKE_PORT:-18285}"
PUSH_PORT="${PUSH_PORT:-18286}"
OUT="${OUT:-$ROOT/bench/results}"
TOKEN="bench-token"
BRIDGE_JAR="$ROOT/ingest-bridge/target/quarkus-app/quarkus-run.jar"
mkdir -p "$OUT"

track_pids

[ -f "$BRIDGE_JAR" ] || (cd "$ROOT" && ./mvnw -q -B -pl ingest-bridge -am package -DskipTests)
find_fake_jar

# run <plain|gzip>: fresh fake and bridge, so the peak RSS is this scenario's alone
run() {
  local mode="$1"
  java -Xmx1g -jar "$FAKE_JAR" --port "$FAKE_PORT" --project bench-project --no-retain --topic claude-events \
    --subscription bench --push-endpoint "http://127.0.0.1:$PUSH_PORT/push" --ack-deadline 60 > "$OUT/mem-fake-$mode.log" 2>&1 &
  local fake=$!; PIDS+=("$fake")
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$FAKE_PORT") 2>/dev/null && break; sleep 0.1; done
  # shellcheck disable=SC2086
  PORT="$BRIDGE_PORT" FANOUT_INGEST_TOKENS="$TOKEN" FANOUT_PUBSUB_PROJECT_ID=bench-project \
    FANOUT_PUBSUB_EMULATOR_HOST="127.0.0.1:$FAKE_PORT" QUARKUS_OTEL_SDK_DISABLED=true QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java $JVM_FLAGS -jar "$BRIDGE_JAR" > "$OUT/mem-bridge-$mode.log" 2>&1 &
  local bridge=$!; PIDS+=("$bridge")
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$BRIDGE_PORT/q/health/live" 2>/dev/null && break; sleep 0.1; done
  local rc=0
  java -Xmx2g "$ROOT/bench/BridgeMemory.java" "http://127.0.0.1:$BRIDGE_PORT" "$TOKEN" "$PUSH_PORT" "$mode" \
    "$SENDERS" "$ROUNDS" "$BODY_BYTES" > "$OUT/mem-client-$mode.txt" 2>&1 || rc=$?
  local alive=yes; kill -0 "$bridge" 2>/dev/null || alive=NO
  local oom; oom=$(grep -c OutOfMemoryError "$OUT/mem-bridge-$mode.log" || true)
  local rss="?"; [ "$alive" = yes ] && rss=$(hwm_mb "$bridge")
  {
    cat "$OUT/mem-client-$mode.txt"
    echo "bridge alive: $alive, OutOfMemoryError lines: $oom, peak RSS (VmHWM): ${rss} MB, client exit $rc"
    echo "JVM: $JVM_FLAGS"
    echo
  } | tee -a "$OUT/bridge-memory.txt"
  kill "$bridge" "$fake" 2>/dev/null || true
  wait "$bridge" "$fake" 2>/dev/null || true
}

echo "# bridge memory load $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/bridge-memory.txt"
for mode in ${MODES:-plain gzip}; do
  run "$mode"
done
