#!/usr/bin/env bash
# The free-tier check that runs before every deploy (deploy workflow, job `cost`): the cost model
# (module cost-model, docs/cost.md) with the inputs this environment's Terraform provisions
# (retention, expiry, memory, alert recipients: deploy/checks/bin/cost-args.mjs) at the volume the
# environment is sized for. Exits non-zero if any free tier would be left.
#   deploy/cost-check.sh <staging|production>
#   FANOUT_EVENTS_PER_DAY (default 1000000) and FANOUT_EVENT_BYTES (default 500): the expected volume.
# Needs Java 17+, Node.js 20+ (the checks' npm packages are installed by deploy/checks/run.sh or here).
set -euo pipefail
cd "$(dirname "$0")/.."
env=${1:?usage: cost-check.sh <staging|production>}
events=${FANOUT_EVENTS_PER_DAY:-1000000}
bytes=${FANOUT_EVENT_BYTES:-500}

[ -d deploy/checks/node_modules ] || (cd deploy/checks && npm ci --no-audit --no-fund --loglevel=error)
mapfile -t inputs < <(node deploy/checks/bin/cost-args.mjs "$env")
[ -f cost-model/target/cost-model.jar ] || ./mvnw -B -q -pl cost-model package -DskipTests
echo "cost check ($env): $events events/day of $bytes B, ${inputs[*]}"
set +e
java -jar cost-model/target/cost-model.jar --events-per-day "$events" --event-bytes "$bytes" "${inputs[@]}"
code=$?
set -e
case $code in
  0) echo "cost check ($env): every free tier holds" ;;
  3) echo "cost check ($env): a free tier would be left (above); not deploying" >&2 ;;
  *) echo "cost check ($env): the cost model failed ($code)" >&2 ;;
esac
exit $code
