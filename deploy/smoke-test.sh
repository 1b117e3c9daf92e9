#!/usr/bin/env bash
# After a deploy: send one event with a known marker through the bridge and find it in the R2
# archive and in BigQuery (events_raw and events). Exits non-zero if either misses it in time.
#   FANOUT_PROJECT=… FANOUT_REGION=… FANOUT_R2_ACCOUNT_ID=… FANOUT_R2_BUCKET=… deploy/smoke-test.sh
# Credentials: the deployer reads the ingest token and the read-only R2 key from Secret Manager
# (deploy/terraform secrets.tf); nothing is printed.
set -euo pipefail
: "${FANOUT_PROJECT:?}" "${FANOUT_REGION:?}" "${FANOUT_R2_ACCOUNT_ID:?}" "${FANOUT_R2_BUCKET:?}"
dataset=${FANOUT_DATASET:-fanout}
deadline=$(( $(date +%s) + ${FANOUT_SMOKE_TIMEOUT_SECONDS:-420} ))
marker="smoke-${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-0}-$(date +%s)"

secret() { gcloud secrets versions access latest --project "$FANOUT_PROJECT" --secret "$1"; }
url=$(gcloud run services describe ingest-bridge --project "$FANOUT_PROJECT" --region "$FANOUT_REGION" --format 'value(status.url)')
token=$(secret fanout-ingest-tokens | cut -d, -f1)

now=$(date -u +%s)
body=$(printf '{"_time":%s,"_raw":"fanout smoke test %s","host":"github-actions","sourcetype":"fanout:smoke","smoke_id":"%s"}\n' "$now" "$marker" "$marker")
code=$(curl -sS -o /tmp/smoke-response.json -w '%{http_code}' -X POST "$url/v1/events" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' --data-binary "$body")
echo "ingest answered $code: $(cat /tmp/smoke-response.json)"
[ "$code" = 200 ] || exit 1

export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=auto
AWS_ACCESS_KEY_ID=$(secret r2-reader-access-key-id)
AWS_SECRET_ACCESS_KEY=$(secret r2-reader-secret-access-key)
endpoint="https://$FANOUT_R2_ACCOUNT_ID.r2.cloudflarestorage.com"
# The archive partitions by event time, which is `now`.
prefixes=("events/dt=$(date -u -d "@$now" +%F)/hr=$(date -u -d "@$now" +%H)/")

in_archive() {
  local p key
  for p in "${prefixes[@]}"; do
    for key in $(aws s3api list-objects-v2 --endpoint-url "$endpoint" --bucket "$FANOUT_R2_BUCKET" --prefix "$p" \
        --query 'Contents[].Key' --output text 2>/dev/null | tr '\t' '\n' | grep -v '^None$'); do
      aws s3 cp --quiet --endpoint-url "$endpoint" "s3://$FANOUT_R2_BUCKET/$key" - | zcat | grep -q "$marker" && return 0
    done
  done
  return 1
}

count() {
  bq --project_id "$FANOUT_PROJECT" query --nouse_legacy_sql --format=csv --quiet "$1" | tail -1
}

in_bigquery() {
  local raw typed
  raw=$(count "SELECT COUNT(*) FROM \`$dataset.events_raw\` WHERE loaded_at > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR) AND JSON_VALUE(payload, '\$.fields.smoke_id') = '$marker'")
  typed=$(count "SELECT COUNT(*) FROM \`$dataset.events\` WHERE time > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 2 HOUR) AND JSON_VALUE(fields, '\$.smoke_id') = '$marker'")
  [ "${raw:-0}" -ge 1 ] && [ "${typed:-0}" -ge 1 ]
}

archive=no bigquery=no
while [ "$(date +%s)" -lt "$deadline" ]; do
  [ $archive = yes ] || { in_archive && archive=yes && echo "found $marker in the archive"; }
  [ $bigquery = yes ] || { in_bigquery && bigquery=yes && echo "found $marker in events_raw and events"; }
  [ $archive = yes ] && [ $bigquery = yes ] && exit 0
  sleep 15
done
echo "smoke test: $marker not found (archive: $archive, BigQuery: $bigquery)" >&2
exit 1
