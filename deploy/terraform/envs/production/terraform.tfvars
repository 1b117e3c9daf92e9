# Production. Replace every CHANGE-ME (docs/operations.md, first deploy).
project_id                 = "fanout-production-CHANGE-ME"
region                     = "europe-west1"
github_repository          = "CHANGE-ME/fanout"
github_repository_id       = "0"
github_repository_owner_id = "0"
cloudflare_account_id      = "CHANGE-ME"
r2_bucket_name             = "fanout-archive"
archive_retention_days     = 90

alert_env = {
  # Keys of the alert sink (docs/alerts.md); recipients count against Resend's 100/day.
  # FANOUT_ALERTS_FROM = "Fanout <alerts@example.org>"
  # FANOUT_ALERTS_TO   = "ops@example.org"
}
