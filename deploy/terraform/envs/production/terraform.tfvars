# Production. Replace every CHANGE-ME (docs/operations.md, first deploy).
project_id                 = "fanout-production-CHANGE-ME"
region                     = "europe-west1"
github_repository          = "CHANGE-ME/fanout"
github_repository_id       = "0"
github_repository_owner_id = "0"
cloudflare_account_id      = "CHANGE-ME"
r2_bucket_name             = "fanout-archive"
archive_retention_days     = 90

# Alert e-mail (docs/alerts.md): a sender of a domain verified in Resend; every recipient counts
# against Resend's 100 e-mails a day.
alert_from       = "Fanout alerts <alerts@CHANGE-ME.example.org>"
alert_recipients = ["operator@CHANGE-ME.example.org"]
