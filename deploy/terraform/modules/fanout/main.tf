# Fanout in one Google Cloud project + one R2 bucket: staging and production are two calls of
# this module (deploy/terraform/envs/*). Provisioning lives here; CI owns what changes per deploy
# (the image, the client labels, traffic) — see lifecycle.ignore_changes in cloudrun.tf.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  project_number = data.google_project.this.number

  labels = {
    app         = "fanout"
    environment = var.environment
  }

  # The repository root, for the files other modules own (schemas, Cloud Run tuning).
  repo_root = "${path.module}/../../../.."

  # One entry per sink: its Cloud Run service, its push path (/v1/push/<sink>, served by
  # consumer-runtime) and whether its subscription is filtered.
  sinks = {
    archive   = { service = "archive-sink" }
    analytics = { service = "analytics-loader" }
    alerts    = { service = "alert-sink" }
  }

  # Cloud Run's deterministic URL (https://SERVICE-PROJECT_NUMBER.REGION.run.app): known before
  # the service exists, so the OIDC audience can be both the service's custom audience and the
  # consumer's expected `aud` without a dependency cycle.
  service_url = {
    for s in ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink"] :
    s => "https://${s}-${local.project_number}.${var.region}.run.app"
  }
  push_audience = {
    for sink, v in local.sinks : sink => "${local.service_url[v.service]}/v1/push/${sink}"
  }

  registry = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "bigquerystorage.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "sts.googleapis.com",
  ])
  project = var.project_id
  service = each.value
  # Turning an API off on destroy would break whatever else the project runs.
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = "fanout"
  format        = "DOCKER"
  description   = "Fanout images, tagged with the git sha by CI."
  labels        = local.labels

  # Artifact Registry's free tier is 0.5 GB: keep the last few builds per image, nothing else.
  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "604800s"
    }
  }

  depends_on = [google_project_service.apis]
}
