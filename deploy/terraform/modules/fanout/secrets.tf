# Secret Manager holds every credential. Terraform creates the secrets and who may read them —
# never their values (those would land in the state): an operator adds versions out of band
# (docs/operations.md, "Secrets"). Cloud Run reads `latest` at instance start.

locals {
  secrets = {
    "fanout-ingest-tokens" = {
      what      = "ingest tokens accepted by the bridge, comma-separated (Cribl's Bearer token)"
      accessors = ["ingest-bridge", "deployer"] # the deployer sends the smoke-test event
    }
    "fanout-replay-tokens" = {
      what      = "replay tokens accepted by the bridge's /v1/envelopes, comma-separated (fanout replay --to-url; the replay job publishes to the topic and needs none)"
      accessors = ["ingest-bridge"]
    }
    "r2-access-key-id" = {
      what      = "R2 API token (Object Read & Write on the bucket): access key id"
      accessors = ["archive-sink", "analytics-loader", "alert-sink", "replay"]
    }
    "r2-secret-access-key" = {
      what      = "R2 API token (Object Read & Write on the bucket): secret access key"
      accessors = ["archive-sink", "analytics-loader", "alert-sink", "replay"]
    }
    "r2-reader-access-key-id" = {
      what      = "R2 API token (Object Read only): access key id, for the CI smoke test"
      accessors = ["deployer"]
    }
    "r2-reader-secret-access-key" = {
      what      = "R2 API token (Object Read only): secret access key, for the CI smoke test"
      accessors = ["deployer"]
    }
    "resend-api-key" = {
      what      = "Resend API key (sending access, one domain)"
      accessors = ["alert-sink"]
    }
  }

  secret_access = merge([
    for name, s in local.secrets : { for a in s.accessors : "${name}/${a}" => { secret = name, sa = a } }
  ]...)

  # Environment variable <- secret, per runtime. Every sink writes the shared dead-letter store in
  # the archive bucket, so every sink gets the R2 credentials.
  r2_secret_env = {
    FANOUT_ARCHIVE_S3_ACCESS_KEY_ID     = "r2-access-key-id"
    FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY = "r2-secret-access-key"
  }
  secret_env = {
    "ingest-bridge" = {
      FANOUT_INGEST_TOKENS        = "fanout-ingest-tokens"
      FANOUT_INGEST_REPLAY_TOKENS = "fanout-replay-tokens"
    }
    "archive-sink"     = local.r2_secret_env
    "analytics-loader" = local.r2_secret_env
    "alert-sink"       = merge(local.r2_secret_env, { FANOUT_ALERTS_RESEND_API_KEY = "resend-api-key" })
    "replay"           = local.r2_secret_env
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = each.key
  labels    = local.labels
  annotations = {
    purpose = each.value.what
  }
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "access" {
  for_each  = local.secret_access
  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime[each.value.sa].email}"
}
