# Topic, dead-letter topic and one push subscription per sink.
# Facts: https://cloud.google.com/pubsub/docs/push, …/handling-failures, …/subscription-message-filter

locals {
  pubsub_service_agent = "serviceAccount:service-${local.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # Subscription filters are immutable and at most 256 bytes, on attributes only, with no ordering
  # comparisons: "at least <severity>" lists the values. The bridge sets `max_severity` on every
  # packed message (docs/event-contract.md §6); replayed messages carry `replay` and never alert.
  # Literal strings so the offline policy test can check each one (deploy/checks).
  alert_filters = {
    emergency = "attributes.max_severity = \"emergency\" AND NOT attributes:replay"
    alert     = "(attributes.max_severity = \"emergency\" OR attributes.max_severity = \"alert\") AND NOT attributes:replay"
    critical  = "(attributes.max_severity = \"emergency\" OR attributes.max_severity = \"alert\" OR attributes.max_severity = \"critical\") AND NOT attributes:replay"
    error     = "(attributes.max_severity = \"emergency\" OR attributes.max_severity = \"alert\" OR attributes.max_severity = \"critical\" OR attributes.max_severity = \"error\") AND NOT attributes:replay"
    warning   = "attributes:max_severity AND NOT (attributes.max_severity = \"notice\" OR attributes.max_severity = \"info\" OR attributes.max_severity = \"debug\") AND NOT attributes:replay"
    notice    = "attributes:max_severity AND NOT (attributes.max_severity = \"info\" OR attributes.max_severity = \"debug\") AND NOT attributes:replay"
  }
  subscription_filter = {
    archive   = ""
    analytics = ""
    alerts    = local.alert_filters[var.alert_min_severity]
  }
}

resource "google_pubsub_topic" "events" {
  project = var.project_id
  name    = var.topic_name
  labels  = local.labels
  # No topic retention: it is billed storage; every subscription keeps its own backlog.
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  project    = var.project_id
  name       = "${var.topic_name}-dead-letter"
  labels     = local.labels
  depends_on = [google_project_service.apis]
}

# Messages published to a topic without subscriptions are dropped: this one keeps dead letters
# until an operator looks (or redrives them: docs/operations.md). Pull, so nothing consumes it.
resource "google_pubsub_subscription" "dead_letter_hold" {
  project                    = var.project_id
  name                       = "${var.topic_name}-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter.id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = "${var.message_retention_days * 86400}s"
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = var.deploy_services ? local.sinks : {}

  project = var.project_id
  name    = "${each.key}-push"
  topic   = google_pubsub_topic.events.id
  labels  = merge(local.labels, { sink = each.key })

  # Also the push HTTP timeout; the sink is told the same value (FANOUT_CONSUMER_PUSH_ACK_DEADLINE).
  ack_deadline_seconds       = var.ack_deadline_seconds
  message_retention_duration = "${var.message_retention_days * 86400}s"
  retain_acked_messages      = false
  filter                     = local.subscription_filter[each.key]

  push_config {
    push_endpoint = "${google_cloud_run_v2_service.service[each.value.service].uri}/v1/push/${each.key}"
    oidc_token {
      service_account_email = google_service_account.runtime["pubsub-push"].email
      audience              = local.push_audience[each.key]
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  # The default deletes a subscription after 31 days without activity — and with it the backlog.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_cloud_run_v2_service_iam_member.push_invoker,
  ]
}

# Dead-lettering is done by the Pub/Sub service agent: it must publish to the dead-letter topic
# and subscribe to (ack on) the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = google_pubsub_subscription.push
  project      = var.project_id
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# The bridge and the replay job publish; nothing else may.
resource "google_pubsub_topic_iam_member" "publishers" {
  for_each = toset(["ingest-bridge", "replay"])
  project  = var.project_id
  topic    = google_pubsub_topic.events.name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.runtime[each.value].email}"
}
