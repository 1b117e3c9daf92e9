#!/usr/bin/env bash
# Puts back what served before a deploy, as recorded by deploy/deploy-revisions.sh: all traffic of
# each service to its recorded revision, the replay job to its recorded image. The deploy workflow
# runs it when the deploy or the smoke test fails.
#   FANOUT_PROJECT=… FANOUT_REGION=… deploy/restore-revisions.sh [previous-revisions.txt]
set -euo pipefail
: "${FANOUT_PROJECT:?}" "${FANOUT_REGION:?}"
state=${1:-${FANOUT_PREVIOUS_STATE:-previous-revisions.txt}}
[ -s "$state" ] || { echo "restore: nothing recorded in $state (first deploy?): nothing to restore" >&2; exit 0; }
common=(--project "$FANOUT_PROJECT" --region "$FANOUT_REGION" --quiet)
failed=0
while read -r kind name target; do
  case $kind in
    service)
      echo "restore: $name -> $target"
      gcloud run services update-traffic "$name" "${common[@]}" --to-revisions "$target=100" || failed=1 ;;
    job)
      echo "restore: job $name -> $target"
      gcloud run jobs update "$name" "${common[@]}" --image "$target" || failed=1 ;;
  esac
done <"$state"
exit $failed
