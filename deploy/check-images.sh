#!/usr/bin/env bash
# Builds every image exactly as CI does (deploy/build-images.sh) but pushes to a loopback
# registry, then reads each image back through the registry API and checks what Cloud Run will
# run: the tag is the git sha, the app's layers are where the entrypoint looks, user 185, port
# 8080 for the services, the CLI as the job's entrypoint.
#   deploy/check-images.sh [module ...]
# Registry: FANOUT_CHECK_REGISTRY=host:port of a running one (CI: a registry:2 service
# container), else a Debian `docker-registry` binary is started on a free loopback port.
# Base image: the real one (registry.access.redhat.com/ubi9/openjdk-17-runtime) when it can be
# pulled; FANOUT_CHECK_EMPTY_BASE=true pushes an empty base into the loopback registry instead
# (machines without access to Red Hat's registry). Quarkus only uses run-java.sh with the UBI
# OpenJDK base, so with the empty base the services' entrypoint is `java … -jar quarkus-run.jar`.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
registry_pid=
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${FANOUT_CHECK_REGISTRY:-}" ]; then
  registry=$FANOUT_CHECK_REGISTRY
else
  command -v docker-registry >/dev/null || { echo "check-images: install docker-registry (Debian) or set FANOUT_CHECK_REGISTRY" >&2; exit 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  registry=127.0.0.1:$port
  cat >"$work/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $registry
EOF
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
fi
api=http://$registry/v2
schema2=application/vnd.docker.distribution.manifest.v2+json
oci=application/vnd.oci.image.manifest.v1+json

upload_blob() { # repo file -> digest
  local repo=$1 file=$2 digest location
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  location=$(curl -fsS -D - -o /dev/null -X POST "$api/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case $location in http*) ;; *) location=http://$registry$location ;; esac
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$location&digest=$digest"
  echo "$digest"
}

base=()
if [ "${FANOUT_CHECK_EMPTY_BASE:-false}" = true ]; then
  # One empty layer and a config: enough for jib to build on, nothing to run.
  tar -cf "$work/empty.tar" -T /dev/null
  gzip -n -c "$work/empty.tar" >"$work/empty.tar.gz"
  diff_id=sha256:$(sha256sum "$work/empty.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$diff_id" >"$work/config.json"
  layer=$(upload_blob base "$work/empty.tar.gz")
  config=$(upload_blob base "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}' \
    "$schema2" "$(stat -c %s "$work/config.json")" "$config" "$(stat -c %s "$work/empty.tar.gz")" "$layer" >"$work/manifest.json"
  curl -fsS -o /dev/null -X PUT -H "Content-Type: $schema2" --data-binary "@$work/manifest.json" "$api/base/manifests/empty"
  base=(FANOUT_BASE_IMAGE="$registry/base:empty")
fi

tag=$(git rev-parse --short=12 HEAD)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(ingest-bridge archive-sink analytics-loader alert-sink cli)
env "${base[@]}" FANOUT_REGISTRY="$registry/fanout" FANOUT_IMAGE_TAG="$tag" FANOUT_REGISTRY_INSECURE=true \
  deploy/build-images.sh "${modules[@]}" >"$work/build.log" 2>&1 || { tail -60 "$work/build.log" >&2; exit 1; }

fail=0
for m in "${modules[@]}"; do
  repo=fanout/$m
  manifest=$(curl -fsS -H "Accept: $schema2, $oci" "$api/$repo/manifests/$tag") || { echo "FAIL $m: no $repo:$tag in the registry" >&2; fail=1; continue; }
  config=$(curl -fsS "$api/$repo/blobs/$(jq -r .config.digest <<<"$manifest")")
  files=$(for d in $(jq -r '.layers[].digest' <<<"$manifest"); do curl -fsS "$api/$repo/blobs/$d" | tar -tzf - 2>/dev/null; done | sed 's#^\./##; s#^/##' | sort -u)
  entry=$(jq -c '.config.Entrypoint' <<<"$config")
  user=$(jq -r '.config.User // ""' <<<"$config")
  size=$(jq '[.layers[].size] | add' <<<"$manifest")
  problems=()
  [ "$user" = 185 ] || problems+=("user '$user', want 185 (the base images' unprivileged user)")
  if [ "$m" = cli ]; then
    grep -qx 'app/jib-main-class-file' <<<"$files" || problems+=("no /app/jib-main-class-file")
    grep -q '^app/classes/dev/fanout/cli/FanoutCli.class$' <<<"$files" || problems+=("no FanoutCli class")
    grep -q '^app/libs/picocli-' <<<"$files" || problems+=("no dependencies in /app/libs")
    jq -e 'index("-XX:+UseParallelGC") and index("dev.fanout.cli.FanoutCli")' <<<"$entry" >/dev/null || problems+=("entrypoint $entry")
    jq -e '.config.Env | index("FANOUT_VERSION='"$tag"'")' <<<"$config" >/dev/null || problems+=("FANOUT_VERSION is not the tag")
  else
    # Quarkus lays the fast-jar out in its working directory (quarkus.jib.working-directory).
    wd=$(jq -r '.config.WorkingDir' <<<"$config")
    d=${wd#/}
    for f in "$d/quarkus-run.jar" "$d/quarkus/quarkus-application.dat" "$d/app/$m-0.1.0-SNAPSHOT.jar"; do
      grep -qx "$f" <<<"$files" || problems+=("no /$f")
    done
    grep -q "^$d/lib/boot/" <<<"$files" || problems+=("no $wd/lib/boot")
    grep -q "^$d/lib/main/" <<<"$files" || problems+=("no $wd/lib/main")
    jq -e '.config.ExposedPorts["8080/tcp"]' <<<"$config" >/dev/null || problems+=("port 8080 not exposed")
    if [ ${#base[@]} -eq 0 ]; then
      [ "$entry" = '["/opt/jboss/container/java/run/run-java.sh"]' ] || problems+=("entrypoint $entry, want run-java.sh")
      jq -e --arg jar "JAVA_APP_JAR=$wd/quarkus-run.jar" '.config.Env | index($jar)' <<<"$config" >/dev/null || problems+=("JAVA_APP_JAR")
      jq -e '.config.Env | map(select(startswith("JAVA_OPTS_APPEND=")))[0] | contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager")' <<<"$config" >/dev/null || problems+=("JAVA_OPTS_APPEND lacks the log manager")
    else
      jq -e 'index("-jar") and index("quarkus-run.jar") and index("-Djava.util.logging.manager=org.jboss.logmanager.LogManager")' <<<"$entry" >/dev/null || problems+=("entrypoint $entry")
    fi
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    printf 'ok   %-17s %s:%s  %d layers, %d MB compressed (app layers), entrypoint %s\n' "$m" "$repo" "$tag" \
      "$(jq '.layers | length' <<<"$manifest")" "$(( size / 1000000 ))" "$entry"
  else
    fail=1
    printf 'FAIL %s (%s:%s)\n' "$m" "$repo" "$tag" >&2
    printf '  %s\n' "${problems[@]}" >&2
  fi
done
exit $fail
