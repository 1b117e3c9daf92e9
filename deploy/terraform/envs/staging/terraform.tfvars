# Staging: smoke tests only; shares the billing account's free tiers with production, so keep it
# small. Replace every CHANGE-ME (docs/operations.md, first deploy).
project_id                 = "fanout-staging-CHANGE-ME"
region                     = "europe-west1"
github_repository          = "CHANGE-ME/fanout"
github_repository_id       = "0"
github_repository_owner_id = "0"
cloudflare_account_id      = "CHANGE-ME"
r2_bucket_name             = "fanout-archive-staging"
archive_retention_days     = 7
alert_from                 = "Fanout staging <alerts@CHANGE-ME.example.org>"
alert_recipients           = ["operator@CHANGE-ME.example.org"]
# production_deployer      = "ci-deployer@fanout-production-CHANGE-ME.iam.gserviceaccount.com"

services = {
  "ingest-bridge"    = { max_instances = 1 }
  "archive-sink"     = { max_instances = 1 }
  "analytics-loader" = { max_instances = 1 }
  "alert-sink"       = { max_instances = 1 }
}
