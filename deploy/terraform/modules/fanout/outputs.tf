output "registry" {
  description = "Docker repository of the images (CI's FANOUT_REGISTRY)."
  value       = local.registry
}

output "workload_identity_provider" {
  description = "Full provider name for google-github-actions/auth (GitHub variable GCP_WIF_PROVIDER)."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "deployer_service_account" {
  description = "Service account CI impersonates (GitHub variable GCP_DEPLOY_SA)."
  value       = google_service_account.runtime["deployer"].email
}

output "service_urls" {
  description = "Cloud Run URLs (deterministic form)."
  value       = local.service_url
}

output "push_audiences" {
  description = "OIDC audience of each push subscription (= fanout.consumer.push.oidc.audience of its sink)."
  value       = local.push_audience
}

output "topic" {
  value = google_pubsub_topic.events.id
}

output "dead_letter_topic" {
  value = google_pubsub_topic.dead_letter.id
}

output "dataset" {
  value = "${var.project_id}.${google_bigquery_dataset.fanout.dataset_id}"
}

output "r2_bucket" {
  value = cloudflare_r2_bucket.archive.name
}
