#!/usr/bin/env bash
# Builds and pushes one image per deployable module, tagged with the git sha: the services with
# Quarkus' container-image-jib extension, the cli (replay job) with jib-maven-plugin (its profile
# `image`, switched on by the same property). No Docker daemon is involved:
#   FANOUT_REGISTRY=europe-west1-docker.pkg.dev/PROJECT/fanout FANOUT_IMAGE_TAG=$(git rev-parse --short=12 HEAD) \
#     deploy/build-images.sh [module ...]
# Image = $FANOUT_REGISTRY/<module>:<tag>. Authentication to the registry comes from the
# environment (CI: google-github-actions/auth + `gcloud auth configure-docker`).
# Each module must carry quarkus-container-image-jib or the jib plugin; a module without one
# would build no image at all, so this script refuses it by name.
# FANOUT_BASE_IMAGE (another base) and FANOUT_REGISTRY_INSECURE=true (plain-HTTP registry) exist
# for deploy/check-images.sh, which builds against a loopback registry; CI sets neither.
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
  elif ! grep -q -e 'quarkus-container-image-jib' -e 'jib-maven-plugin' "$m/pom.xml"; then
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
extra=()
if [ -n "${FANOUT_BASE_IMAGE:-}" ]; then
  extra+=("-Dquarkus.jib.base-jvm-image=$FANOUT_BASE_IMAGE" "-Dfanout.cli.base-image=$FANOUT_BASE_IMAGE")
fi
if [ "${FANOUT_REGISTRY_INSECURE:-false}" = true ]; then
  extra+=(-Dquarkus.container-image.insecure=true -Dfanout.image.insecure=true -Djib.allowInsecureRegistries=true)
fi
# -Dfanout.cli.quick: the cli's tests are skipped anyway, so it need not wait for local-pipeline.
./mvnw -B package -DskipTests -Dfanout.cli.quick -pl "$list" -am "${extra[@]}" \
  -Dquarkus.container-image.build=true \
  -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry="$registry_host" \
  -Dquarkus.container-image.group="$group" \
  -Dquarkus.container-image.tag="$tag" \
  -Dquarkus.container-image.additional-tags= \
  -Dquarkus.application.version="$tag"

for m in "${modules[@]}"; do echo "$FANOUT_REGISTRY/$m:$tag"; done
