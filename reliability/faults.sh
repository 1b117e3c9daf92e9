#!/usr/bin/env bash
# The fault suites with a conservation check (docs/reliability.md), sized on demand:
#   reliability/faults.sh                    # EVENTS=100000: cloud shape + local pipeline
#   EVENTS=20000 reliability/faults.sh CloudFaultsIT
# CloudFaultsIT runs ingest-bridge, archive-sink, analytics-loader and alert-sink as processes
# (their packaged quarkus-app jars) with s3proxy, and the Pub/Sub, BigQuery and Resend fakes in the
# test JVM; LocalFaultsIT runs the local pipeline. Each prints its table and writes it to
# reliability/target/faults/{cloud,local}.md. A missing event or an e-mail over budget fails the run.
# FAULT_WINDOW / SEND_SECONDS: how long each fault lasts / how long each phase sends (seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
events="${EVENTS:-100000}"
its="${*:-CloudFaultsIT,LocalFaultsIT}"
its="${its// /,}"
# Upstream modules are packaged (the services' quarkus-app jars) but run no tests of their own.
status=0
./mvnw -B -q -pl reliability -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$its" -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dfaults.events="$events" \
  -Dfaults.window-seconds="${FAULT_WINDOW:-4}" -Dfaults.send-seconds="${SEND_SECONDS:-10}" || status=$?
cat reliability/target/faults/*.md 2>/dev/null || true
exit $status
