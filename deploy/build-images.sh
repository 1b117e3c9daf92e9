#!/usr/bin/env bash
# Builds and pushes one image per deployable module with Quarkus' container-image extension,
# tagged with the git sha:
#   FANOUT_REGISTRY=europe-west1-docker.pkg.dev/PROJECT/fanout FANOUT_IMAGE_TAG=$(git rev-parse --short=12 HEAD) \
#     deploy/build-images.sh [module ...]
# Image = $FANOUT_REGISTRY/<module>:<tag>. Authentication to the registry comes from the
# environment (CI: google-github-actions/auth + `gcloud auth configure-docker`).
# Each module must carry a quarkus-container-image-* extension (jib: issue 11 §2, stage 2); a
# module without one would build no image at all, so this script refuses it by name.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${FANOUT_REGISTRY:?set FANOUT_REGISTRY, e.g. europe-west1-docker.pkg.dev/PROJECT/fanout}"
tag=${FANOUT_IMAGE_TAG:-$(git rev-parse --short=12 HEAD)}
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(ingest-bridge archive-sink analytics-loader alert-sink cli)

missing=()
for m in "${modules[@]}"; do
  if [ ! -f "$m/pom.xml" ]; then
    missing+=("$m (no such module)")
  elif ! grep -q 'quarkus-container-image-' "$m/pom.xml"; then
    missing+=("$m (add io.quarkus:quarkus-container-image-jib to $m/pom.xml)")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'build-images: cannot build an image for:\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

registry_host=${FANOUT_REGISTRY%%/*}
group=${FANOUT_REGISTRY#*/}
list=$(IFS=,; echo "${modules[*]}")
./mvnw -B package -DskipTests -pl "$list" -am \
  -Dquarkus.container-image.build=true \
  -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry="$registry_host" \
  -Dquarkus.container-image.group="$group" \
  -Dquarkus.container-image.tag="$tag" \
  -Dquarkus.container-image.additional-tags= \
  -Dquarkus.application.version="$tag"

for m in "${modules[@]}"; do echo "$FANOUT_REGISTRY/$m:$tag"; done
