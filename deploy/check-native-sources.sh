#!/usr/bin/env bash
# Offline native check of the four services, no GraalVM/Mandrel needed (docs/operations.md#images).
#
# 1. Quarkus generates each service's native-image inputs (-Dquarkus.native.sources-only=true):
#    target/native-sources/ with the runner jar, lib/ and native-image.args. This runs every
#    native build step of every extension (reflection and resource registration, substitutions,
#    build-time init choices, the prod build profile) and fails on their errors.
# 2. jdeps lists the app's own classes (dev.fanout.*) that reference types missing from that
#    classpath. native-image links at build time (--link-at-build-time, checked below) and fails
#    on such a reference when it is reachable. Known ones are listed in KNOWN below, with the
#    reason; a new one fails this check, and so does a known one that is gone (update the list
#    and docs/operations.md then).
#
# What it cannot see: the points-to analysis itself, and reflection, resources or JNI that the
# code needs only at run time. The native job in .github/workflows/ci.yml builds the binaries
# and runs each service's packaged-app IT against them.
#
# Usage: deploy/check-native-sources.sh [-o]   (-o: Maven offline). FANOUT_NATIVE_SERVICES limits
# the services. Leaves each service's target/ in the native-sources state: package again before
# running its fast-jar.
set -euo pipefail
cd "$(dirname "$0")/.."

offline=()
[ "${1:-}" = "-o" ] && offline=(-o)
read -r -a services <<<"${FANOUT_NATIVE_SERVICES:-ingest-bridge archive-sink analytics-loader alert-sink}"

# "<service> <class> <missing type>": the prod build of analytics-loader removes DuckDB's JDBC jar
# (%prod.quarkus.class-loading.removed-artifacts), and its DuckDB beans and the /v1/query service
# still reference it from code that the CDI producers make reachable.
KNOWN="\
analytics-loader dev.fanout.analytics.duckdb.DuckDbAnalyticsSink org.duckdb.DuckDBAppender
analytics-loader dev.fanout.analytics.duckdb.DuckDbAnalyticsSink org.duckdb.DuckDBConnection
analytics-loader dev.fanout.analytics.duckdb.DuckDbAnalyticsStore org.duckdb.DuckDBConnection
analytics-loader dev.fanout.analytics.duckdb.DuckDbAnalyticsStore org.duckdb.DuckDBDriver
analytics-loader dev.fanout.analytics.query.QueryService org.duckdb.DuckDBConnection
analytics-loader dev.fanout.analytics.query.QueryService org.duckdb.DuckDBPreparedStatement
analytics-loader dev.fanout.analytics.query.QueryService org.duckdb.DuckDBResultSetMetaData
analytics-loader dev.fanout.analytics.query.QueryService org.duckdb.StatementReturnType"

start=$(date +%s)
list=$(IFS=,; echo "${services[*]}")
./mvnw "${offline[@]}" -B -q -pl "$list" -am package -DskipTests \
  -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true
echo "native sources generated for ${services[*]} in $(( $(date +%s) - start )) s"

failed=0
for s in "${services[@]}"; do
  dir="$s/target/native-sources"
  runner=$(ls "$dir"/*-runner.jar)
  if ! grep -q -- '--link-at-build-time' "$dir/native-image.args"; then
    echo "$s: native-image.args has no --link-at-build-time; the jdeps check below assumes it" >&2
    failed=1
  fi
  found=$(jdeps --multi-release 17 --missing-deps -cp "$dir/lib/*" "$dir"/lib/dev.fanout.*.jar "$runner" 2>&1 |
    awk -v s="$s" '$1 ~ /^dev\.fanout\./ && $2 == "->" && $3 != "not" {print s, $1, $3}' | sort -u)
  known=$(grep "^$s " <<<"$KNOWN" | sort -u || true)
  new=$(comm -23 <(echo "$found") <(echo "$known") | sed '/^$/d')
  gone=$(comm -13 <(echo "$found") <(echo "$known") | sed '/^$/d')
  ok=1
  if [ -n "$new" ]; then
    echo "$s: classes of the app reference types missing from its native classpath:" >&2
    echo "$new" | sed 's/^/  /' >&2
    ok=0
  fi
  if [ -n "$gone" ]; then
    echo "$s: listed as known in $0 but no longer found (update KNOWN and docs/operations.md):" >&2
    echo "$gone" | sed 's/^/  /' >&2
    ok=0
  fi
  if [ "$ok" = 0 ]; then
    failed=1
    continue
  fi
  n_known=$(sed '/^$/d' <<<"$known" | wc -l)
  echo "$s: native sources OK (args for GraalVM $(cat "$dir/graalvm.version"), $(ls "$dir/lib" | wc -l) jars)$([ "$n_known" -gt 0 ] && echo "; $n_known known unresolved reference(s): not native yet")"
done
exit "$failed"
