#!/usr/bin/env bash
# Soak of the local pipeline (issue 12 §3; results in docs/benchmarks.md): the packaged app with
# the durable journal and all three sinks (archive files, DuckDB analytics, alerts to the outbox),
# RATE events/s of 10-event requests for DURATION seconds (bench/SoakLoad.java), and once a minute
# RSS, heap after a full GC (jcmd GC.run, then GC.heap_info), live threads and open file
# descriptors of the process. Flat columns are the pass; a column that only grows is a leak.
# At the end: SIGTERM, then the archive is counted against the events answered 200.
#
# Env: DURATION (seconds, default 1800), RATE (events/s, default 650: half the ~1,300 events/s
#      end to end measured for 10-event requests with the durable bus in docs/benchmarks.md),
#      SAMPLE (seconds between samples, 60), JAVA_OPTS (-Xmx512m -XX:+UseParallelGC, as ./run-local),
#      PORT (18295), OUT (bench/results/soak), JAR (the packaged local pipeline; default its target/quarkus-app).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-1800}"
RATE="${RATE:-650}"
SAMPLE="${SAMPLE:-60}"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m -XX:+UseParallelGC}"
PORT="${PORT:-18295}"
OUT="${OUT:-$ROOT/bench/results/soak}"
JAR="${JAR:-$ROOT/local-pipeline/target/quarkus-app/quarkus-run.jar}"
BASE="http://127.0.0.1:$PORT"
TOKEN="soak-token"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fanout-soak.XXXXXX")"
APP_PID=""; LOAD_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null || true
  if [ -n "$APP_PID" ]; then kill -9 "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B package -DskipTests -Dmdep.skip=true -pl local-pipeline -am)

# shellcheck disable=SC2086
PORT="$PORT" FANOUT_DATA_DIR="$WORK/data" FANOUT_INGEST_TOKENS="$TOKEN" java $JAVA_OPTS -Dquarkus.profile=local \
  -Dquarkus.http.host=127.0.0.1 -Dfanout.alerts.group-wait=5s -jar "$JAR" > "$OUT/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$BASE/q/health/ready" 2>/dev/null && break
  kill -0 "$APP_PID" 2>/dev/null || { echo "local pipeline died; see $OUT/app.log" >&2; exit 1; }
  sleep 0.1
done

rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$APP_PID/status"; }
heap_after_gc_mb() {
  jcmd "$APP_PID" GC.run > /dev/null
  # ParallelGC: "PSYoungGen total …K, used …K" and "ParOldGen total …K, used …K": the heap's "used" (not Metaspace's).
  jcmd "$APP_PID" GC.heap_info | awk '/Metaspace|class space/ {next} {for (i = 1; i < NF; i++) if ($i == "used") {v = $(i+1); sub(/K.*/, "", v); s += v}} END {printf "%d", s / 1024}'
}
threads() { ls "/proc/$APP_PID/task" | wc -l; }
fds() { ls "/proc/$APP_PID/fd" | wc -l; }

CSV="$OUT/samples.csv"
echo "minute,rss_mb,heap_after_gc_mb,threads,fds,loadavg1" > "$CSV"
sample() { echo "$1,$(rss_mb),$(heap_after_gc_mb),$(threads),$(fds),$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$CSV"; }

java "$ROOT/bench/SoakLoad.java" "$BASE/v1/events" "$TOKEN" "$RATE" "$DURATION" > "$OUT/load.txt" 2>&1 &
LOAD_PID=$!
sample 0
m=0
while kill -0 "$LOAD_PID" 2>/dev/null; do
  sleep "$SAMPLE"
  m=$((m + 1))
  kill -0 "$LOAD_PID" 2>/dev/null || break
  sample "$m"
done
wait "$LOAD_PID" || true
LOAD_PID=""
sample "end"
RESULT="$(grep '^RESULT' "$OUT/load.txt" || echo 'RESULT (none: see load.txt)')"
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
ARCHIVED=$(find "$WORK/data/archive/events" -name '*.ndjson.gz' -exec zcat {} + 2>/dev/null | grep -o 'seq=[0-9]*' | sort -u | wc -l)
echo "$RESULT archived_distinct_seq=$ARCHIVED rate=$RATE duration=$DURATION" | tee "$OUT/result.txt"
