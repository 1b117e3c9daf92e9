# The alert sink's timers (group-wait, group-interval, send retries) must fire while Cloud Run has
# scaled it to zero or throttles its CPU between requests: Cloud Scheduler POSTs its tick endpoint
# (alert-sink AlertTickResource, POST /v1/alerts/tick) every minute. The endpoint accepts exactly
# the push subscription's OIDC tokens (fanout.consumer.push.oidc.*), so the job signs as the push
# service account with the alert push audience. Cloud Scheduler's service agent mints the token
# (it holds roles/cloudscheduler.serviceAgent once the API is on).
# Free tiers: 3 Cloud Scheduler jobs per billing account; 43,200 Cloud Run requests a month of 2 M.
# https://cloud.google.com/scheduler/docs/http-target-auth

locals {
  alert_tick_path = "/v1/alerts/tick"
}

resource "google_cloud_scheduler_job" "alert_tick" {
  count = var.deploy_services ? 1 : 0

  project     = var.project_id
  region      = var.region
  name        = "alert-sink-tick"
  description = "Runs the alert sink's timers while it is scaled to zero (${var.environment})."
  schedule    = "* * * * *"
  time_zone   = "Etc/UTC"
  # A tick sends at most the e-mails that are due; the next tick is a minute away, so a failed
  # one is not retried.
  attempt_deadline = "60s"
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.service["alert-sink"].uri}${local.alert_tick_path}"
    oidc_token {
      service_account_email = google_service_account.runtime["pubsub-push"].email
      audience              = local.push_audience["alerts"]
    }
  }

  depends_on = [
    google_project_service.apis,
    google_cloud_run_v2_service_iam_member.push_invoker,
  ]
}
