#!/usr/bin/env bash
# Replay throughput: builds the CLI and its tests, writes a local archive of EVENTS realistic events
# (default 1,000,000) with the archive writer, then times `fanout replay` to stdout, to a loopback
# replay endpoint, and from s3proxy with 1/4/8 parallel GETs. Results: docs/benchmarks.md (cli section).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${EVENTS:-1000000}"
WORK="${WORK:-cli/target/replay-measure}"
./mvnw -q -B -pl cli -am -Dfanout.cli.quick test-compile package -DskipTests >&2
CP="cli/target/test-classes:cli/target/classes:$(find cli/target/lib -name '*.jar' | tr '\n' ':')$(find test-support/target -maxdepth 1 -name 'test-support-*.jar' ! -name '*standalone*' | head -1)"
exec java -Xmx2g -XX:+UseParallelGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$CP" dev.fanout.cli.bench.ReplayMeasure "$EVENTS" "$WORK" cli/target/s3proxy/s3proxy.jar
