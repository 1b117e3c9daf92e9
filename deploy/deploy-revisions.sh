#!/usr/bin/env bash
# Deploys the images of one git sha to an environment's Cloud Run services and replay job, and
# sends all traffic to the new revisions (a rollback may have pinned an older one).
#   FANOUT_REGISTRY=… FANOUT_REGION=europe-west1 FANOUT_PROJECT=… FANOUT_IMAGE_TAG=<sha> deploy/deploy-revisions.sh
# Before changing anything it records what serves now (revision per service, the job's image) in
# $FANOUT_PREVIOUS_STATE (default previous-revisions.txt): deploy/restore-revisions.sh puts exactly
# that back when the deploy or the smoke test fails — also for services this run never reached.
# Terraform created the services; it ignores the image, labels and traffic that this changes.
set -euo pipefail
: "${FANOUT_REGISTRY:?}" "${FANOUT_REGION:?}" "${FANOUT_PROJECT:?}" "${FANOUT_IMAGE_TAG:?}"
# Consumers before the producer: a sink of this sha decodes what the bridge of the previous one
# sends, not always the reverse (docs/event-contract.md §6: a new packed format reaches only sinks
# that read it).
services=${FANOUT_SERVICES:-"archive-sink analytics-loader alert-sink ingest-bridge"}
state=${FANOUT_PREVIOUS_STATE:-previous-revisions.txt}
common=(--project "$FANOUT_PROJECT" --region "$FANOUT_REGION" --quiet)

: >"$state"
for s in $services; do
  # The revision with the most traffic (a canary split is not Fanout's; there is one).
  rev=$(gcloud run services describe "$s" "${common[@]}" --format json 2>/dev/null \
    | jq -r '[.status.traffic[]? | select(.revisionName)] | max_by(.percent) | .revisionName // empty' || true)
  [ -z "$rev" ] || echo "service $s $rev" >>"$state"
done
job_image=$(gcloud run jobs describe replay "${common[@]}" --format 'value(spec.template.spec.template.spec.containers[0].image)' 2>/dev/null || true)
[ -z "$job_image" ] || echo "job replay $job_image" >>"$state"
echo "deploy: serving before this deploy:"; sed 's/^/  /' "$state"

for s in $services; do
  gcloud run deploy "$s" "${common[@]}" --image "$FANOUT_REGISTRY/$s:$FANOUT_IMAGE_TAG" \
    --update-labels "commit-sha=$FANOUT_IMAGE_TAG"
  gcloud run services update-traffic "$s" "${common[@]}" --to-latest
done
gcloud run jobs update replay "${common[@]}" --image "$FANOUT_REGISTRY/cli:$FANOUT_IMAGE_TAG" \
  --update-labels "commit-sha=$FANOUT_IMAGE_TAG"
