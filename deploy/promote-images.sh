#!/usr/bin/env bash
# Copies the images staging tested, byte for byte (same digests), into production's registry.
#   FANOUT_SOURCE_REGISTRY=<staging registry> FANOUT_REGISTRY=<production registry> FANOUT_IMAGE_TAG=<sha> \
#     deploy/promote-images.sh
# Runs as production's deployer, which staging's Terraform lets read its registry
# (registry_readers). skopeo is on GitHub's ubuntu runners.
set -euo pipefail
: "${FANOUT_SOURCE_REGISTRY:?}" "${FANOUT_REGISTRY:?}" "${FANOUT_IMAGE_TAG:?}"
modules=${FANOUT_IMAGE_MODULES:-"ingest-bridge archive-sink analytics-loader alert-sink cli"}
token=$(gcloud auth print-access-token)
for m in $modules; do
  skopeo copy --all --preserve-digests \
    --src-creds "oauth2accesstoken:$token" --dest-creds "oauth2accesstoken:$token" \
    "docker://$FANOUT_SOURCE_REGISTRY/$m:$FANOUT_IMAGE_TAG" "docker://$FANOUT_REGISTRY/$m:$FANOUT_IMAGE_TAG"
done
