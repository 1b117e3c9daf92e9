#!/usr/bin/env bash
# Replay throughput: builds the CLI and its tests, writes a local archive of EVENTS realistic events
# (default 1,000,000) with the archive writer, then times `fanout replay` to stdout, to a loopback
# replay endpoint, and from s3proxy with 1/4/8 parallel GETs. Results: docs/benchmarks.md (cli section).
# PIPELINE=1 also builds and starts the packaged local pipeline (a fresh data dir under $WORK, its
# archive switched to store replays unless PIPELINE_SINKS=defaults) and replays into it end to end. RUNS=stdout,fake,s3,pipeline
# picks a subset; PIPELINE_SINKS=defaults replays into the pipeline as ./run-local configures it
# (the archive skips replays). PIPELINE_JAVA_OPTS and MEASURE_JAVA_OPTS add JVM options to the pipeline and to the replaying JVM (a JFR recording, say).
# PIPELINE_ROUNDS=N replays the archive into the same pipeline N times (round 1 meets it just
# started, later rounds a warm one with a growing DuckDB file); PIPELINE_THREADS=1 prints the
# pipeline's CPU seconds per thread at the end; PIPELINE_GC / MEASURE_GC replace -XX:+UseParallelGC.
# The replaying JVM runs with ./fanout's -Xmx1g.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${EVENTS:-1000000}"
WORK="${WORK:-cli/target/replay-measure}"
./mvnw -q -B -pl cli -am -Dfanout.cli.quick test-compile package -DskipTests >&2
CP="cli/target/test-classes:cli/target/classes:$(find cli/target/lib -name '*.jar' | tr '\n' ':')$(find test-support/target -maxdepth 1 -name 'test-support-*.jar' ! -name '*standalone*' | head -1)"
pipeline_pid=""
stop_pipeline() { if [[ -n "$pipeline_pid" ]]; then kill "$pipeline_pid" 2>/dev/null || true; wait "$pipeline_pid" 2>/dev/null || true; fi; }
trap stop_pipeline EXIT
if [[ "${PIPELINE:-0}" == 1 ]]; then
  ./mvnw -q -B -pl local-pipeline -am package -Dmaven.test.skip=true -Dmdep.skip=true >&2
  data="$WORK/pipeline-data"
  rm -rf "$data"; mkdir -p "$data"
  port="${PIPELINE_PORT:-18080}"
  export PIPELINE_REPLAY_TOKEN="bench-replay-$RANDOM$RANDOM"
  # As ./run-local starts it (-Xmx512m, ParallelGC). PIPELINE_SINKS=all (the default here): the
  # archive stores the replayed events too, so the run covers every sink's writing work;
  # PIPELINE_SINKS=defaults keeps ./run-local's settings (the archive skips replays).
  skip_replays=false
  if [[ "${PIPELINE_SINKS:-all}" == defaults ]]; then skip_replays=true; fi
  FANOUT_DATA_DIR="$data" PORT="$port" FANOUT_INGEST_REPLAY_TOKENS="$PIPELINE_REPLAY_TOKEN" \
    FANOUT_ARCHIVE_SKIP_REPLAYS="$skip_replays" FANOUT_LOCAL_BANNER=false \
    java -Xmx512m ${PIPELINE_GC:--XX:+UseParallelGC} ${PIPELINE_JAVA_OPTS:-} -Dquarkus.profile=local -Dquarkus.http.host=127.0.0.1 \
    -jar local-pipeline/target/quarkus-app/quarkus-run.jar >"$WORK/pipeline.log" 2>&1 &
  pipeline_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && break
    if ! kill -0 "$pipeline_pid" 2>/dev/null; then
      echo "the pipeline exited before it was ready:" >&2; tail -20 "$WORK/pipeline.log" >&2; exit 1
    fi
    sleep 0.2
  done
  export PIPELINE_URL="http://127.0.0.1:$port"
  echo "pipeline CPU after start: $(ps -o cputime= -p "$pipeline_pid")" >&2
fi
java -Xmx1g ${MEASURE_GC:--XX:+UseParallelGC} ${MEASURE_JAVA_OPTS:-} -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$CP" dev.fanout.cli.bench.ReplayMeasure "$EVENTS" "$WORK" cli/target/s3proxy/s3proxy.jar
if [[ -n "$pipeline_pid" ]]; then
  echo "pipeline CPU at the end: $(ps -o cputime= -p "$pipeline_pid")" >&2
  if [[ "${PIPELINE_THREADS:-0}" == 1 ]]; then
    # CPU seconds per thread name (numbered pool threads summed), the largest first.
    for t in /proc/"$pipeline_pid"/task/*; do
      name=$(tr ' ' '_' <"$t/comm"); read -r -a st <"$t/stat"
      # Fields after the parenthesised name: utime and stime are the 14th and 15th of stat.
      rest=$(sed 's/^.*) //' "$t/stat"); set -- $rest; echo "${name%%[-#]*[0-9]} $(( ${12} + ${13} ))"
    done | awk '{s[$1]+=$2} END {for (k in s) printf "%8.2f s  %s\n", s[k]/100, k}' | sort -rn | head -25 >&2
  fi
fi
