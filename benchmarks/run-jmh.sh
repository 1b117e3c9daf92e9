#!/usr/bin/env bash
# Runs the codec JMH benchmarks and prints MB/s and events/s.
# Usage: benchmarks/run-jmh.sh [extra JMH args, e.g. -t 2 or -p gzipLevel=1]
# Builds the jar if missing. Short runs (-f 1 -wi 2 -i 3) are noisy on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
if [[ ! -f $jar ]]; then
  ./mvnw -q -B -pl common-events install -DskipTests
  ./mvnw -q -B -pl benchmarks package -DskipTests
fi
out=benchmarks/target/jmh-result.json
java -jar "$jar" "(CodecBenchmark|PackedBenchmark)" -f 1 -wi 2 -i 3 -w 2s -r 3s -rf json -rff "$out" "$@"
java -cp "$jar" dev.fanout.benchmarks.JmhSummary "$out"
