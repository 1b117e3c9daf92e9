# Least privilege: one service account per runtime, each granted only on the resources it uses
# (topic, subscription, table, secret, service), never a project-wide role — except the two
# BigQuery/CI roles that exist only at project level (see the allow-list in deploy/checks).
# No service account keys: CI authenticates through Workload Identity Federation (wif.tf).

locals {
  service_accounts = {
    "ingest-bridge"    = { id = "ingest-bridge", what = "publishes Cribl batches to the topic" }
    "archive-sink"     = { id = "archive-sink", what = "writes the R2 archive" }
    "analytics-loader" = { id = "analytics-loader", what = "appends to events_raw and events" }
    "alert-sink"       = { id = "alert-sink", what = "sends alert e-mail through Resend" }
    "replay"           = { id = "replay-job", what = "replays the archive into the topic" }
    "pubsub-push"      = { id = "pubsub-push", what = "identity of the push subscriptions (OIDC); may only invoke the sinks" }
    "deployer"         = { id = "ci-deployer", what = "GitHub Actions: pushes images, deploys revisions, runs the smoke test" }
  }
}

resource "google_service_account" "runtime" {
  for_each     = local.service_accounts
  project      = var.project_id
  account_id   = each.value.id
  display_name = "Fanout ${each.key} (${var.environment})"
  description  = each.value.what
  depends_on   = [google_project_service.apis]
}

# --- push identity -------------------------------------------------------------------------------

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = var.deploy_services ? local.sinks : {}
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service[each.value.service].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.runtime["pubsub-push"].email}"
}

# Pub/Sub mints the push OIDC tokens as the push service account.
resource "google_service_account_iam_member" "push_token_creator" {
  service_account_id = google_service_account.runtime["pubsub-push"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# --- BigQuery: the loader writes its two tables; nothing else ------------------------------------

resource "google_bigquery_table_iam_member" "loader_writes" {
  for_each   = toset(["events_raw", "events"])
  project    = var.project_id
  dataset_id = google_bigquery_dataset.fanout.dataset_id
  table_id   = google_bigquery_table.table[each.value].table_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.runtime["analytics-loader"].email}"
}

# --- CI deployer ---------------------------------------------------------------------------------

resource "google_artifact_registry_repository_iam_member" "deployer_push" {
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}

resource "google_artifact_registry_repository_iam_member" "readers" {
  for_each   = toset(var.registry_readers)
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = each.value
}

# Deploy new revisions and move traffic (rollback) on Fanout's services and job only.
resource "google_cloud_run_v2_service_iam_member" "deployer" {
  for_each = var.deploy_services ? local.service_url : {}
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service[each.key].name
  role     = "roles/run.developer"
  member   = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}

resource "google_cloud_run_v2_job_iam_member" "deployer" {
  count    = var.deploy_services ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.replay[0].name
  role     = "roles/run.developer"
  member   = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}

# A revision runs as its service's account: deploying it needs actAs on exactly those accounts.
resource "google_service_account_iam_member" "deployer_act_as" {
  for_each           = toset(["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink", "replay"])
  service_account_id = google_service_account.runtime[each.value].name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}

# The smoke test reads its event back from BigQuery: queries run as jobs (a project-level role
# only) over data it may only read.
resource "google_project_iam_member" "deployer_bq_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}

resource "google_bigquery_dataset_iam_member" "deployer_reads" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.fanout.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.runtime["deployer"].email}"
}
