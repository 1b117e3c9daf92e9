# Cloud Run services and the replay job. Terraform creates them and owns their shape (identity,
# env, secrets, probes, sizing); CI owns what changes per deploy — the image, gcloud's client
# fields, revision labels and traffic (rollback) — hence lifecycle.ignore_changes below, without
# which every apply would roll the image back to var.image_tag.

locals {
  # Tuning measured per service lives in deploy/cloudrun/<service>.yaml, owned by the people who
  # measured it (JVM flags, concurrency). Read here so there is one copy.
  cloudrun_yaml = {
    for s in keys(local.service_url) : s => (
      fileexists("${local.repo_root}/deploy/cloudrun/${s}.yaml")
      ? yamldecode(file("${local.repo_root}/deploy/cloudrun/${s}.yaml"))
      : null
    )
  }
  # JAVA_OPTS_APPEND replaces the image's own value (the service poms' quarkus.jib.jvm-arguments,
  # the JBoss log manager), so every value repeats it (deploy/checks compares them). This one is
  # for a service whose yaml records no measured flags.
  default_jvm_flags = "-XX:MaxRAMPercentage=60 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
  jvm_flags = {
    for s, y in local.cloudrun_yaml : s => try(coalesce(one([
      for e in y.spec.template.spec.containers[0].env : e.value if e.name == "JAVA_OPTS_APPEND"
    ])), local.default_jvm_flags)
  }
  concurrency = {
    for s, y in local.cloudrun_yaml : s => try(y.spec.template.spec.containerConcurrency, 80)
  }

  # A push is held open while its batch fills; Pub/Sub stops waiting at the ack deadline, so the
  # request timeout must not be shorter. Cribl's own timeout is 30 s.
  request_timeout = {
    "ingest-bridge"    = 60
    "archive-sink"     = var.ack_deadline_seconds
    "analytics-loader" = var.ack_deadline_seconds
    "alert-sink"       = var.ack_deadline_seconds
  }

  # Plain environment of every runtime. Each runtime's map is a literal (or a merge of the shared
  # maps below), so that deploy/checks can prove every name is a config key that runtime reads
  # (its @ConfigMapping interfaces and application.properties). Secrets: secrets.tf.
  # Env beats the services' application.properties (ordinal 300 > 250).
  r2_env = {
    FANOUT_ARCHIVE_BACKEND     = "s3"
    FANOUT_ARCHIVE_S3_ENDPOINT = "https://${var.cloudflare_account_id}.r2.cloudflarestorage.com"
    FANOUT_ARCHIVE_S3_BUCKET   = var.r2_bucket_name
  }
  # Cloud Run bills an instance while any request is open, and a push stays open until its
  # batch is written: holding pushes to fill batches costs vCPU-seconds, not requests. Each
  # packed message already carries a whole Cribl batch, so the deployed sinks write promptly
  # (cost-model: 30 s on the archive would need ~15x the free 180 k vCPU-s at 1 M events/day).
  push_batch_max_age = "200ms"
  push_env = {
    for sink, v in local.sinks : sink => {
      FANOUT_CONSUMER_MODE                            = "push"
      FANOUT_CONSUMER_PUSH_ACK_DEADLINE               = "${var.ack_deadline_seconds}s"
      FANOUT_CONSUMER_PUSH_OIDC_AUDIENCE              = local.push_audience[sink]
      FANOUT_CONSUMER_PUSH_OIDC_SERVICE_ACCOUNT_EMAIL = google_service_account.runtime["pubsub-push"].email
    }
  }
  runtime_env = {
    "ingest-bridge" = {
      FANOUT_PUBSUB_PROJECT_ID = var.project_id
      FANOUT_PUBSUB_TOPIC      = google_pubsub_topic.events.name
      # Pub/Sub bytes (publish + 3 deliveries) are the tightest free tier: level 6 is 5.5x
      # instead of 4.5x at level 2 (docs/benchmarks.md) for ~2x the bridge's deflate CPU.
      FANOUT_INGEST_PACKING_GZIP_LEVEL = "6"
    }
    "archive-sink" = merge(local.r2_env, local.push_env["archive"], {
      FANOUT_CONSUMER_SINKS__ARCHIVE__MAX_AGE = local.push_batch_max_age
    })
    "analytics-loader" = merge(local.r2_env, local.push_env["analytics"], {
      FANOUT_CONSUMER_SINKS__ANALYTICS__MAX_AGE = local.push_batch_max_age
      FANOUT_ANALYTICS_BACKEND                  = "bigquery"
      FANOUT_ANALYTICS_BIGQUERY_PROJECT_ID      = var.project_id
      FANOUT_ANALYTICS_BIGQUERY_DATASET         = var.dataset_id
      FANOUT_ANALYTICS_BIGQUERY_LOCATION        = var.bigquery_location
    })
    "alert-sink" = merge(local.r2_env, local.push_env["alerts"], {
      FANOUT_CONSUMER_SINKS__ALERTS__MAX_AGE = local.push_batch_max_age
      FANOUT_ALERTS_DELIVERY                 = "resend"
      FANOUT_ALERTS_STATE_BACKEND            = "object-store"
      FANOUT_ALERTS_FROM                     = var.alert_from
      FANOUT_ALERTS_RECIPIENTS               = join(",", var.alert_recipients)
      FANOUT_ALERTS_QUERY_BIGQUERY_TABLE     = "${var.project_id}.${var.dataset_id}.events"
    })
    "replay" = merge(local.r2_env, {
      FANOUT_PUBSUB_PROJECT_ID = var.project_id
      FANOUT_PUBSUB_TOPIC      = google_pubsub_topic.events.name
    })
  }
  plain_env = {
    for s, env in local.runtime_env : s => merge(
      # The services' run-java.sh reads it; the CLI image runs java with its flags directly.
      contains(keys(local.service_url), s) ? { JAVA_OPTS_APPEND = local.jvm_flags[s] } : {},
      env,
      lookup(var.service_env, s, {}),
    )
  }
}

resource "google_cloud_run_v2_service" "service" {
  for_each = var.deploy_services ? local.service_url : {}

  project             = var.project_id
  name                = each.key
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  labels              = local.labels
  deletion_protection = var.environment == "production"
  # The sinks accept the push OIDC token whose audience is their push URL.
  custom_audiences = [for sink, v in local.sinks : local.push_audience[sink] if v.service == each.key]

  template {
    service_account                  = google_service_account.runtime[each.key].email
    timeout                          = "${local.request_timeout[each.key]}s"
    max_instance_request_concurrency = local.concurrency[each.key]

    scaling {
      min_instance_count = 0
      max_instance_count = try(var.services[each.key].max_instances, 2)
    }

    containers {
      image = "${local.registry}/${each.key}:${var.image_tag}"

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = try(var.services[each.key].cpu, "1")
          memory = try(var.services[each.key].memory, "512Mi")
        }
        # CPU only while a request is in flight (request-based billing): scale to zero, free tier.
        cpu_idle          = true
        startup_cpu_boost = false
      }

      dynamic "env" {
        for_each = local.plain_env[each.key]
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_env[each.key]
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/q/health/started"
        }
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 30
      }

      liveness_probe {
        http_get {
          path = "/q/health/live"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  lifecycle {
    ignore_changes = [
      client,
      client_version,
      template[0].containers[0].image,
      template[0].labels,
      template[0].revision,
      traffic,
    ]
    precondition {
      condition     = var.image_tag != ""
      error_message = "Set image_tag to the git sha of images already pushed (docs/operations.md, first deploy)."
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.access]
}

# Cribl cannot mint Google identity tokens: the bridge is public at the IAM layer and requires
# its own ingest token (fanout.ingest.tokens) on every request. The sinks are not public.
resource "google_cloud_run_v2_service_iam_member" "bridge_public" {
  count    = var.deploy_services ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service["ingest-bridge"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The replay job: image of module `cli`; arguments come with each execution
# (gcloud run jobs execute replay --args=…, docs/operations.md).
resource "google_cloud_run_v2_job" "replay" {
  count = var.deploy_services ? 1 : 0

  project             = var.project_id
  name                = "replay"
  location            = var.region
  labels              = local.labels
  deletion_protection = false

  template {
    task_count = 1

    template {
      service_account = google_service_account.runtime["replay"].email
      timeout         = "${var.replay_job_timeout_seconds}s"
      max_retries     = 3

      containers {
        image = "${local.registry}/cli:${var.image_tag}"

        # The CLI reads `--parallel` (4) objects at once (docs/operations.md, Replay job).
        resources {
          limits = {
            cpu    = "1"
            memory = "1Gi"
          }
        }

        dynamic "env" {
          for_each = local.plain_env["replay"]
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = local.secret_env["replay"]
          content {
            name = env.key
            value_source {
              secret_key_ref {
                secret  = google_secret_manager_secret.secret[env.value].secret_id
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [
      client,
      client_version,
      template[0].template[0].containers[0].image,
      template[0].labels,
    ]
    precondition {
      condition     = var.image_tag != ""
      error_message = "Set image_tag to the git sha of images already pushed (docs/operations.md, first deploy)."
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.access]
}
