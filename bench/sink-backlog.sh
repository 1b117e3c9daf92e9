#!/usr/bin/env bash
# archive-sink draining a backlog at its deployed heap (issue 6 §2; results in docs/benchmarks.md).
#
# Per mode: a fresh standalone Pub/Sub fake with subscription "archive", the ingest bridge (roomy
# heap: it only builds the backlog) takes EVENTS unique events (seq=N in _raw) while no sink runs,
# then the bridge stops and archive-sink starts with the deployed JVM flags (Terraform's
# default_jvm_flags: 60% of the 512 MiB container, SerialGC, ExitOnOutOfMemoryError) and default
# settings, in pull mode (StreamingPull) or push mode (the fake pushes at archive-sink's deployed
# containerConcurrency). The script waits until the sink wrote every event, then counts the archive.
# Expect: no OutOfMemoryError, no restart, 0 missing; peak RSS (VmHWM) and drain rate are printed.
#
# Env: EVENTS (1000000), BATCH (events per request, 5000), SENDERS (4), MODES ("pull push"),
#      SINK_HEAP (-Xmx307m = 60% of 512 MiB), TIMEOUT (s, 900), OUT (bench/results), ports 18380-18382.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/lib.sh"
EVENTS="${EVENTS:-1000000}"
BATCH="${BATCH:-5000}"
SENDERS="${SENDERS:-4}"
SINK_HEAP="${SINK_HEAP:--Xmx307m}"
TIMEOUT="${TIMEOUT:-900}"
OUT="${OUT:-$ROOT/bench/results}"
BRIDGE_PORT=18380 FAKE_PORT=18381 SINK_PORT=18382
TOKEN="bench-token"
TF="$ROOT/deploy/terraform/modules/fanout/cloudrun.tf"
# The deployed flags, minus the container-relative heap (no cgroup limit here): SINK_HEAP stands for it.
DEPLOYED_FLAGS="$(sed -n 's/.*default_jvm_flags *= *"\([^"]*\)".*/\1/p' "$TF")"
SINK_FLAGS="$SINK_HEAP $(echo "$DEPLOYED_FLAGS" | sed 's/-XX:MaxRAMPercentage=[0-9]*//')"
CONCURRENCY="$(sed -n 's/.*containerConcurrency: *\([0-9]*\).*/\1/p' "$ROOT/deploy/cloudrun/archive-sink.yaml")"
BRIDGE_JAR="$ROOT/ingest-bridge/target/quarkus-app/quarkus-run.jar"
SINK_JAR="$ROOT/archive-sink/target/quarkus-app/quarkus-run.jar"
mkdir -p "$OUT"

track_pids

[ -f "$BRIDGE_JAR" ] && [ -f "$SINK_JAR" ] || (cd "$ROOT" && ./mvnw -q -B -pl ingest-bridge,archive-sink -am package -DskipTests)
find_fake_jar

wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
written() { curl -fsS "http://127.0.0.1:$SINK_PORT/q/metrics" 2>/dev/null \
  | awk '/^fanout_consumer_written_total/ {s += $2} END {printf "%d", s}'; }

run() {
  local mode="$1" dir="$OUT/backlog-$mode"
  rm -rf "$dir"; mkdir -p "$dir/archive"
  local sub=(--subscription archive)
  [ "$mode" = push ] && sub+=(--push-endpoint "http://127.0.0.1:$SINK_PORT/v1/push" --push-concurrency "$CONCURRENCY")
  # The ack deadline as deployed (Terraform's ack_deadline_seconds = fanout.consumer.push.ack-deadline).
  java -Xmx4g -jar "$FAKE_JAR" --port "$FAKE_PORT" --project bench-project --no-retain --ack-deadline 600 \
    --topic claude-events "${sub[@]}" > "$dir/fake.log" 2>&1 &
  local fake=$!; PIDS+=("$fake")
  wait_port "$FAKE_PORT"

  PORT="$BRIDGE_PORT" FANOUT_INGEST_TOKENS="$TOKEN" FANOUT_PUBSUB_PROJECT_ID=bench-project \
    FANOUT_PUBSUB_EMULATOR_HOST="127.0.0.1:$FAKE_PORT" FANOUT_INGEST_PACKING_GZIP_LEVEL=6 \
    QUARKUS_OTEL_SDK_DISABLED=true QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java -Xmx1g -jar "$BRIDGE_JAR" > "$dir/bridge.log" 2>&1 &
  local bridge=$!; PIDS+=("$bridge")
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$BRIDGE_PORT/q/health/ready" 2>/dev/null && break; sleep 0.2; done
  python3 "$ROOT/bench/sink-backlog.py" send "http://127.0.0.1:$BRIDGE_PORT" "$TOKEN" "$EVENTS" "$BATCH" "$SENDERS" > "$dir/send.txt"
  kill "$bridge"; wait "$bridge" 2>/dev/null || true

  local env=(PORT="$SINK_PORT" FANOUT_PUBSUB_PROJECT_ID=bench-project FANOUT_PUBSUB_EMULATOR_HOST="127.0.0.1:$FAKE_PORT"
    FANOUT_ARCHIVE_BACKEND=fs FANOUT_ARCHIVE_FS_DIR="$dir/archive" FANOUT_CONSUMER_MODE="$mode"
    QUARKUS_OTEL_SDK_DISABLED=true QUARKUS_LOG_CONSOLE_JSON_ENABLED=false)
  [ "$mode" = pull ] && env+=(FANOUT_CONSUMER_SUBSCRIPTION=archive)
  # The fake cannot mint Google OIDC tokens; the bench says so explicitly, as prod requires.
  [ "$mode" = push ] && env+=(FANOUT_CONSUMER_PUSH_OIDC_ENABLED=false FANOUT_UNSAFE_PUSH_OIDC_OFF=true)
  local t0 starts=0 sink peak=0 done_at="" w=0
  t0=$(date +%s)
  while :; do
    starts=$((starts + 1))
    # shellcheck disable=SC2086
    env "${env[@]}" java $SINK_FLAGS -jar "$SINK_JAR" >> "$dir/sink.log" 2>&1 &
    sink=$!; PIDS+=("$sink")
    while kill -0 "$sink" 2>/dev/null; do
      local hwm; hwm=$(hwm_mb "$sink" 2>/dev/null || echo 0); [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
      w=$(written || echo 0); w=${w:-0}
      if [ "$w" -ge "$EVENTS" ]; then done_at=$(date +%s); break 2; fi
      [ $(( $(date +%s) - t0 )) -ge "$TIMEOUT" ] && break 2
      sleep 1
    done
    echo "archive-sink exited (start $starts): $(tail -2 "$dir/sink.log" | tr '\n' ' ')" >&2
    [ $(( $(date +%s) - t0 )) -ge "$TIMEOUT" ] && break
  done
  sleep 2   # the last batch's ack
  kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true
  kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true
  local took="timeout"; [ -n "$done_at" ] && took=$((done_at - t0))
  local oom; oom=$(grep -c OutOfMemoryError "$dir/sink.log" || true)
  local counted rc=0; counted=$(python3 "$ROOT/bench/sink-backlog.py" count "$dir/archive" "$EVENTS") || rc=$?
  {
    echo "## $mode: backlog $EVENTS events, archive-sink flags: $SINK_FLAGS"
    cat "$dir/send.txt"
    echo "drain: ${took} s (written_total $w), sink starts: $starts, OutOfMemoryError lines: $oom, peak RSS (VmHWM): ${peak} MB"
    echo "$counted"
    echo
  } | tee -a "$OUT/sink-backlog.txt"
  return $rc
}

echo "# archive-sink backlog drain $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/sink-backlog.txt"
status=0
for mode in ${MODES:-pull push}; do
  run "$mode" || status=1
done
exit $status
