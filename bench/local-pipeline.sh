#!/usr/bin/env bash
# End-to-end benchmark of the local pipeline (ingest -> durable journal -> archive files + analytics
# DuckDB file + alerts), loopback only.
#
# For each encoding (plain, gzip) it starts the packaged local pipeline afresh with an empty data
# directory, drives POST /v1/events with wrk (~1 MB NDJSON bodies of ~500-byte Cribl-like events, the
# body generator of bench/load.sh, plus one unique marker event per request so every request's ids
# differ), waits until the archive has written everything accepted, sends SIGTERM, and checks the
# archive files: archived lines == accepted events, ids unique. Reports events/s and MB/s (ingest
# and end to end), 503 share, archive compression ratio, peak RSS (VmHWM) and the load average.
#
# Env: DURATION (default 20s), WARMUP (5s), CONCURRENCY (8 connections), THREADS (2 wrk threads),
#      BACKOFF_MS (250: a connection's pause after a 503, like Cribl's retry backoff),
#      VARIANTS (32 time-shifted copies of the body, see bench/local-pipeline.lua),
#      BODY_BYTES (1048576), JAVA_OPTS (-Xmx512m -XX:+UseParallelGC, as ./run-local), PORT (18290),
#      OUT (bench/results/local-pipeline), SCENARIOS ("plain gzip"), BUS (durable; memory = the
#      in-memory bus, for the comparison). BODY_BYTES=4700 gives 10-event requests (9 + the marker).
#      Extra -D options in JAVA_OPTS override the local defaults,
#      e.g. JAVA_OPTS="-Xmx512m -XX:+UseParallelGC -Dfanout.archive.gzip-level=6".
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/bench/lib.sh"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
CONCURRENCY="${CONCURRENCY:-8}"
THREADS="${THREADS:-2}"
BODY_BYTES="${BODY_BYTES:-1048576}"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m -XX:+UseParallelGC}"
PORT="${PORT:-18290}"
BACKOFF_MS="${BACKOFF_MS:-250}"
VARIANTS="${VARIANTS:-32}"
OUT="${OUT:-$ROOT/bench/results/local-pipeline}"
SCENARIOS="${SCENARIOS:-plain gzip}"
BUS="${BUS:-durable}"
JAR="$ROOT/local-pipeline/target/quarkus-app/quarkus-run.jar"
LUA="$ROOT/bench/local-pipeline.lua"
BASE="http://127.0.0.1:$PORT"

APP_PID=""
WORK=""
cleanup() {
  if [ -n "$APP_PID" ]; then kill -9 "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM


build_if_missing() {
  if [ ! -f "$JAR" ]; then
    echo "building local-pipeline" >&2
    (cd "$ROOT" && ./mvnw -q -B install -Dmaven.test.skip=true -Dmdep.skip=true -pl local-pipeline -am)
  fi
}


# CPU seconds (user + sys) the process has used so far.
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
metric() { { curl -fsS "$BASE/q/metrics" 2>/dev/null || true; } | awk -v m="$1" 'index($0, m) == 1 && !done {printf "%d", $2; done = 1}'; }
written() { metric 'fanout_consumer_written_total{sink="archive"}'; }
written_of() { local v; v="$(metric "fanout_consumer_written_total{sink=\"$1\"}")"; echo "${v:-0}"; }
# The sinks of the running process (archive, analytics, alerts: whichever are enabled).
sinks() { { curl -fsS "$BASE/q/metrics" 2>/dev/null || true; } | sed -nE 's/^fanout_consumer_written_total\{.*sink="([a-z]+)".*/\1/p' | sort -u; }
# Seconds the archive's writer thread spent in successful writes, and how many writes (batches).
write_secs() { { curl -fsS "$BASE/q/metrics" 2>/dev/null || true; } | awk '/^fanout_consumer_write_latency_seconds_sum\{/ && /outcome="success"/ && /sink="archive"/ {printf "%.3f", $2}'; }
write_count() { { curl -fsS "$BASE/q/metrics" 2>/dev/null || true; } | awk '/^fanout_consumer_write_latency_seconds_count\{/ && /outcome="success"/ && /sink="archive"/ {printf "%d", $2}'; }
# Bytes the journal appended (records) and the process wrote to block devices (journal, archive, DuckDB).
journal_bytes() { metric 'fanout_consumer_local_journal_appended_bytes_total'; }
io_write() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
# Requests answered 200, counted by the server (wrk misses the responses in flight when it stops).
answered_ok() { metric 'fanout_ingest_requests_total{status="200"}'; }
now_ms() { date +%s%3N; }

start_app() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/fanout-local-bench.XXXXXX")"
  # shellcheck disable=SC2086
  PORT="$PORT" FANOUT_DATA_DIR="$WORK/data" java $JAVA_OPTS -Dquarkus.profile=local -Dquarkus.http.host=127.0.0.1 \
    -Dfanout.consumer.local.bus="$BUS" -jar "$JAR" > "$OUT/app-$1.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$BASE/q/health/ready" 2>/dev/null && { TOKEN="$(cat "$WORK/data/ingest-token")"; return 0; }
    kill -0 "$APP_PID" 2>/dev/null || { echo "local pipeline died; see $OUT/app-$1.log" >&2; return 1; }
    sleep 0.1
  done
  echo "local pipeline not ready after 30 s; see $OUT/app-$1.log" >&2
  return 1
}

# VARIANTS copies of the body, the k-th with every _time shifted by k x 10 s (a body spans ~2 s),
# so that copies of one event never meet inside one archive object.
make_variants() {
  mkdir -p "$OUT/bodies"
  for k in $(seq 0 $((VARIANTS - 1))); do
    awk -v shift=$((k * 10)) '{
      if (match($0, /"_time":[0-9.]+/)) {
        t = substr($0, RSTART + 8, RLENGTH - 8) + shift
        $0 = substr($0, 1, RSTART - 1) sprintf("\"_time\":%.3f", t) substr($0, RSTART + RLENGTH)
      }
      print
    }' "$BODY" > "$OUT/bodies/body-$k.ndjson"
    gzip -1 -c "$OUT/bodies/body-$k.ndjson" > "$OUT/bodies/body-$k.ndjson.gz"
  done
}

# wrk_run <duration> <gzip 0|1> -> sets R_* from the RESULT line
wrk_run() {
  local line
  line="$(wrk -t "$THREADS" -c "$CONCURRENCY" -d "$1" --timeout 30s -s "$LUA" "$BASE" -- "$OUT/bodies/body" "$VARIANTS" "$2" "$TOKEN" "$BACKOFF_MS" | tee -a "$OUT/wrk.txt" | grep '^RESULT')"
  R_ACC=$(sed -E 's/.*accepted_events=([0-9]+).*/\1/' <<< "$line")
  R_OK=$(sed -E 's/.* ok=([0-9]+).*/\1/' <<< "$line")
  R_503=$(sed -E 's/.*status_503=([0-9]+).*/\1/' <<< "$line")
  R_OTHER=$(sed -E 's/.*other=([0-9]+).*/\1/' <<< "$line")
  R_ERR=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<< "$line")
  R_US=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<< "$line")
  R_P50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<< "$line")
  R_P99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<< "$line")
}

# scenario <label> <gzip 0|1>
scenario() {
  local label="$1" gz="$2"
  start_app "$label"
  local la_start; la_start="$(loadavg)"
  wrk_run "$WARMUP" "$gz"
  local base_written; base_written="$(written)"
  local ws0 wc0 cpu0 jb0 io0; ws0="$(write_secs)"; wc0="$(write_count)"; cpu0="$(cpu_secs "$APP_PID")"
  jb0="$(journal_bytes)"; io0="$(io_write "$APP_PID")"
  local t0; t0=$(now_ms)
  wrk_run "$DURATION" "$gz"
  local acc_meas=$R_ACC secs; secs=$(awk -v us="$R_US" 'BEGIN {printf "%.3f", us / 1e6}')
  # End to end: until the archive has written everything accepted (bounded wait). Every 200
  # accepted the whole body plus its marker event; requests wrk left in flight may still be
  # answered (to a closed connection) meanwhile, so the count is re-read until it holds still.
  local w=0 ok_before ok_after
  ok_after="$(answered_ok)"
  for _ in $(seq 1 600); do
    ok_before="$ok_after"
    acc_total=$(( ok_before * (EVENTS + 1) ))
    w="$(written)"
    ok_after="$(answered_ok)"
    [ "${w:-0}" -ge "$acc_total" ] && [ "$ok_after" = "$ok_before" ] && break
    sleep 0.1
  done
  local t1; t1=$(now_ms)
  local cpu1; cpu1="$(cpu_secs "$APP_PID")"
  # Every other sink of the process (analytics, alerts) must also have written everything accepted:
  # "end to end, all sinks" stops when the slowest one caught up (bounded wait: 120 s more).
  local all_sinks others behind=""
  all_sinks="$(sinks)"; others="$(grep -vx archive <<< "$all_sinks" || true)"
  for _ in $(seq 1 1200); do
    behind=""
    for s in $others; do
      [ "$(written_of "$s")" -ge "$acc_total" ] || behind="$behind $s"
    done
    [ -z "$behind" ] && break
    sleep 0.1
  done
  local t2; t2=$(now_ms)
  local cpu2; cpu2="$(cpu_secs "$APP_PID")"
  local all_evs all_cpu
  all_evs=$(awk -v a="$((w - base_written))" -v t0="$t0" -v t2="$t2" 'BEGIN {printf "%.0f", a / ((t2 - t0) / 1000)}')
  all_cpu=$(awk -v w="$((w - base_written))" -v a="$cpu0" -v b="$cpu2" 'BEGIN {printf "%.0f", (b > a ? w / (b - a) : 0)}')
  [ -z "$behind" ] || { all_evs="behind:${behind# }"; all_cpu="-"; }
  local jb1 io1; jb1="$(journal_bytes)"; io1="$(io_write "$APP_PID")"
  local jpe iope
  jpe=$(awk -v a="${jb0:-0}" -v b="${jb1:-0}" -v w="$((w - base_written))" 'BEGIN {printf "%.0f", (w > 0 ? (b - a) / w : 0)}')
  iope=$(awk -v a="${io0:-0}" -v b="${io1:-0}" -v w="$((w - base_written))" 'BEGIN {printf "%.0f", (w > 0 ? (b - a) / w : 0)}')
  local e2e_secs; e2e_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1000}')
  # Share of the window the single archive writer was busy, and the mean batch it wrote.
  # Events archived per CPU-second of the pipeline process: what one dedicated core would sustain,
  # much less sensitive than events/s to whatever else the machine is running.
  local per_cpu cores
  per_cpu=$(awk -v w="$((w - base_written))" -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.0f", (b > a ? w / (b - a) : 0)}')
  cores=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$e2e_secs" 'BEGIN {printf "%.2f", (b - a) / s}')
  local busy batch
  busy=$(awk -v a="${ws0:-0}" -v b="$(write_secs)" -v s="$e2e_secs" 'BEGIN {printf "%.0f%%", (b - a) / s * 100}')
  batch=$(awk -v a="${wc0:-0}" -v b="$(write_count)" -v w="$((w - base_written))" 'BEGIN {printf "%.0f", (b > a ? w / (b - a) : 0)}')
  local rss; rss="$(hwm_mb "$APP_PID")"
  local la_end; la_end="$(loadavg)"
  # The server's count of 200s just before SIGTERM: every one of those events must be archived.
  local acc_final; acc_final=$(( $(answered_ok) * (EVENTS + 1) ))
  kill -TERM "$APP_PID"
  local status=0
  wait "$APP_PID" || status=$?
  APP_PID=""

  local archive="$WORK/data/archive/events"
  local gz_bytes lines uniq raw_bytes
  gz_bytes=$(find "$archive" -name '*.ndjson.gz' ! -name '.*' -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
  raw_bytes=$(find "$archive" -name '*.ndjson.gz' ! -name '.*' -exec zcat {} + | wc -c)
  lines=$(find "$archive" -name '*.ndjson.gz' ! -name '.*' -exec zcat {} + | wc -l)
  uniq=$(find "$archive" -name '*.ndjson.gz' ! -name '.*' -exec zcat {} + | grep -o '^{"id":"[0-9a-f]*"' | sort -u | wc -l)
  # Requests still in flight at that count were answered during shutdown and archived too, so
  # more archived than counted is normal; fewer is a loss.
  local lost=$((acc_final - uniq)); [ "$lost" -lt 0 ] && lost=0
  [ "$lost" = 0 ] && [ "$uniq" = "$lines" ] || echo "WARNING $label: accepted $acc_final, archived $lines lines, $uniq unique ids" >&2
  local evs mbs e2e_evs ratio
  # Marker events are counted (they are real events); MB/s counts the uncompressed NDJSON body per accepted request.
  evs=$(awk -v a="$acc_meas" -v s="$secs" 'BEGIN {printf "%.0f", a / s}')
  mbs=$(awk -v r="$((R_OK))" -v b="$PLAIN_BYTES" -v s="$secs" 'BEGIN {printf "%.1f", r * b / s / 1e6}')
  e2e_evs=$(awk -v a="$((w - base_written))" -v s="$e2e_secs" 'BEGIN {printf "%.0f", a / s}')
  ratio=$(awk -v r="$raw_bytes" -v g="$gz_bytes" 'BEGIN {printf "%.1f", (g > 0 ? r / g : 0)}')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s/%s | %s | %s | %s | %s | %s | %s | %s | %s -> %s |\n' \
    "$label" "$BUS" "$(paste -sd+ - <<< "$all_sinks")" "$((EVENTS + 1))" "$evs" "$mbs" "$e2e_evs" "$all_evs" "$all_cpu" "$jpe" "$iope" "$per_cpu" "$cores" "$busy" "$batch" "$R_P50" "$R_P99" "$R_OK" "$R_503" "$((R_OTHER + R_ERR))" \
    "$acc_final" "$lines" "$uniq" "$lost" "$ratio" "$rss" "$status" "$la_start" "$la_end" >> "$OUT/rows.md"
  # --- analytics (local-pipeline's second sink): every accepted event must be a row of events_raw, once.
  local db="$WORK/data/analytics.duckdb" duck
  duck="$(ls "$HOME"/.m2/repository/org/duckdb/duckdb_jdbc/*/duckdb_jdbc-*.jar 2>/dev/null | tail -1)"
  if [ -f "$db" ] && [ -n "$duck" ]; then
    local counts; counts="$(java -cp "$duck" "$ROOT/bench/DuckDbCount.java" "$db")"
    echo "| $label | $acc_final | $counts |" >> "$OUT/analytics.md"
    local ids raw; ids="$(sed -nE 's/.*ids=([0-9]+).*/\1/p' <<< "$counts")"; raw="$(sed -nE 's/.*events_raw=([0-9]+).*/\1/p' <<< "$counts")"
    [ "${ids:-0}" -ge "$acc_final" ] && [ "${raw:-0}" = "${ids:-0}" ] || echo "WARNING $label analytics: accepted $acc_final, $counts" >&2
  fi
  # --- end analytics
  echo "$label: ${evs} events/s (${mbs} MB/s) ingest, ${e2e_evs} events/s end to end (${per_cpu} per CPU-s, ${cores} cores); accepted $acc_final, archived $lines ($uniq unique ids), compression ${ratio}x, peak RSS ${rss} MB; all sinks ${all_evs} events/s" >&2
  rm -rf "$WORK"; WORK=""
}

main() {
  need_deb wrk
  build_if_missing
  mkdir -p "$OUT"
  : > "$OUT/rows.md"; : > "$OUT/wrk.txt"; : > "$OUT/analytics.md"
  make_bodies
  make_variants
  for sc in $SCENARIOS; do
    case "$sc" in plain) scenario plain 0 ;; gzip) scenario gzip 1 ;; *) echo "unknown scenario $sc" >&2; return 1 ;; esac
  done
  {
    echo "# local pipeline end to end, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, JAVA_OPTS=$JAVA_OPTS"
    echo "body: $PLAIN_BYTES bytes NDJSON, $EVENTS events (+1 marker per request), $VARIANTS time-shifted variants; gzip -1 $GZ_BYTES bytes;" \
      "wrk -t$THREADS -c$CONCURRENCY -d$DURATION after a $WARMUP warm-up, ${BACKOFF_MS} ms pause after a 503; fresh process and data dir per row"
    echo "ingest = accepted events / wrk duration; MB/s = 200s x uncompressed body / duration;" \
      "end to end = events written by the archive from the start of the measured run until it caught up; all sinks = until every sink of the process had written them (behind: the sinks that had not within 120 s)"
    echo "events/CPU-s = events archived in the window / CPU seconds (user+sys) of the pipeline process in it; cores used = those CPU seconds / window"
    echo "writer busy = time in archive writes / end-to-end window (one writer thread per sink); ratio = uncompressed archived NDJSON bytes / .ndjson.gz bytes; RSS = VmHWM; exit = status after SIGTERM"
    echo
    echo "journal B/event = record bytes the journal appended / events archived in the window; disk B/event = write_bytes of the process (journal + archive + DuckDB) / the same"
    echo "| body | bus | sinks | events/request | ingest events/s | MB/s | e2e events/s (archive) | e2e events/s (all sinks) | all sinks events/CPU-s | journal B/event | disk B/event | e2e events/CPU-s | cores used | writer busy | events/batch | p50 ms | p99 ms | 200/503/other | accepted | archived lines | unique ids | lost | ratio | peak RSS MB | exit | load avg start -> end |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    cat "$OUT/rows.md"
    if [ -s "$OUT/analytics.md" ]; then
      echo; echo "analytics sink (DuckDB) after SIGTERM: rows per table, distinct ids in events_raw, file size"; echo
      echo "| body | accepted | analytics rows |"; echo "|---|---|---|"; cat "$OUT/analytics.md"
    fi
  } | tee "$OUT/results.md"
}

main "$@"
