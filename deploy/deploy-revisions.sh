#!/usr/bin/env bash
# Deploys the images of one git sha to an environment's Cloud Run services and replay job, and
# sends all traffic to the new revisions (a rollback may have pinned an older one).
#   FANOUT_REGISTRY=… FANOUT_REGION=europe-west1 FANOUT_PROJECT=… FANOUT_IMAGE_TAG=<sha> deploy/deploy-revisions.sh
# Terraform created the services; it ignores the image, labels and traffic that this changes.
set -euo pipefail
: "${FANOUT_REGISTRY:?}" "${FANOUT_REGION:?}" "${FANOUT_PROJECT:?}" "${FANOUT_IMAGE_TAG:?}"
services=${FANOUT_SERVICES:-"ingest-bridge archive-sink analytics-loader alert-sink"}
common=(--project "$FANOUT_PROJECT" --region "$FANOUT_REGION" --quiet)

for s in $services; do
  gcloud run deploy "$s" "${common[@]}" --image "$FANOUT_REGISTRY/$s:$FANOUT_IMAGE_TAG" \
    --update-labels "commit-sha=$FANOUT_IMAGE_TAG"
  gcloud run services update-traffic "$s" "${common[@]}" --to-latest
done
gcloud run jobs update replay "${common[@]}" --image "$FANOUT_REGISTRY/cli:$FANOUT_IMAGE_TAG" \
  --update-labels "commit-sha=$FANOUT_IMAGE_TAG"
