#!/usr/bin/env bash
# Creates the Pub/Sub topic, dead-letter topic and the archive-sink push subscription.
# Idempotent-ish: "already exists" errors are ignored. Review before running; needs gcloud.
#   PROJECT=my-proj REGION=europe-west1 ARCHIVE_URL=https://archive-sink-xyz.run.app \
#   PUSH_SA=pubsub-push@my-proj.iam.gserviceaccount.com ./deploy/setup-pubsub.sh
set -euo pipefail
: "${PROJECT:?}" "${ARCHIVE_URL:?}" "${PUSH_SA:?}"
TOPIC=${TOPIC:-claude-events}
DLQ=${DLQ:-claude-events-dead-letter}

gcloud pubsub topics create "$TOPIC" --project "$PROJECT" || true
gcloud pubsub topics create "$DLQ" --project "$PROJECT" || true

# Push to archive-sink with an OIDC token for PUSH_SA; the audience is the push URL, which is
# what archive-sink verifies (fanout.consumer.push.oidc.audience).
# ack-deadline 600 s is also the HTTP timeout of a push: archive-sink holds pushes open while it
# batches (fanout.consumer.push.max-wait must stay below it).
gcloud pubsub subscriptions create archive-sink-push --project "$PROJECT" \
  --topic "$TOPIC" \
  --push-endpoint "$ARCHIVE_URL/v1/push" \
  --push-auth-service-account "$PUSH_SA" \
  --push-auth-token-audience "$ARCHIVE_URL/v1/push" \
  --ack-deadline 600 \
  --message-retention-duration 7d \
  --min-retry-delay 10s --max-retry-delay 600s \
  --dead-letter-topic "$DLQ" --max-delivery-attempts 100 || true

# Keep dead letters for inspection/replay.
gcloud pubsub subscriptions create "$DLQ-hold" --project "$PROJECT" --topic "$DLQ" \
  --message-retention-duration 31d || true
