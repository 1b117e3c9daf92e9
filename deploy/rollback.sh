#!/usr/bin/env bash
# Sends all traffic of a service back to its previous ready revision (or to a named one).
#   FANOUT_PROJECT=… FANOUT_REGION=… deploy/rollback.sh <service> [revision]
# Manual equivalent (docs/operations.md):
#   gcloud run services update-traffic <service> --region <region> --to-revisions <revision>=100
set -euo pipefail
: "${FANOUT_PROJECT:?}" "${FANOUT_REGION:?}"
service=${1:?usage: rollback.sh <service> [revision]}
target=${2:-}
common=(--project "$FANOUT_PROJECT" --region "$FANOUT_REGION")

if [ -z "$target" ]; then
  current=$(gcloud run services describe "$service" "${common[@]}" \
    --format 'value(status.traffic[0].revisionName)')
  # Ready revisions, newest first; the previous one is the first older than what serves now.
  target=$(gcloud run revisions list --service "$service" "${common[@]}" \
      --filter 'status.conditions.type=Ready AND status.conditions.status=True' \
      --sort-by '~metadata.creationTimestamp' --format 'value(metadata.name)' \
    | awk -v cur="$current" 'found { print; exit } $0 == cur { found = 1 }')
  [ -n "$target" ] || { echo "rollback: no ready revision older than $current" >&2; exit 1; }
fi
echo "rollback: $service -> $target"
gcloud run services update-traffic "$service" "${common[@]}" --to-revisions "$target=100" --quiet
