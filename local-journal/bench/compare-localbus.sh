#!/usr/bin/env bash
# Publish throughput of the durable local bus (DurableLocalBusMeasure, every fsync policy) next to the
# in-memory LocalBus (LocalBusMeasure) under the same load. ~3 minutes. Numbers: docs/local-bus.md.
# Usage: local-journal/bench/compare-localbus.sh [seconds-per-row] [journal-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-6}"
dir="${2:-${TMPDIR:-/tmp}/fanout-journal-measure}"
cp="$(mktemp)"
trap 'rm -f "$cp"; rm -rf "$dir"' EXIT
./mvnw -B -q -pl local-journal,consumer-runtime -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >/dev/null
# dependency:build-classpath writes one file per module; the last written (consumer-runtime or
# local-journal) is enough for both programs: common-events, jboss-logging and JUnit-free main code.
classes="local-journal/target/classes:local-journal/target/test-classes:consumer-runtime/target/classes:common-events/target/classes"
java -Xmx1g -cp "$classes:$(cat "$cp")" dev.fanout.journal.DurableLocalBusMeasure "$dir" "$secs" 2>/dev/null
echo
java -Xmx1g -cp "$classes:$(cat "$cp")" local-journal/src/measure/LocalBusMeasure.java "$secs" 2>/dev/null
