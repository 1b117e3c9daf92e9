# The archive bucket in Cloudflare R2 (zero egress) and its retention. One bucket per
# environment holds the archive (events/), the runtime's dead-letter store (dead-letter/), the
# alert sink's state and the replay checkpoints; only the first two expire.
# Lifecycle rules: https://developers.cloudflare.com/r2/buckets/object-lifecycles/ (max_age is in
# SECONDS in provider v5).

locals {
  day_seconds = 86400
}

resource "cloudflare_r2_bucket" "archive" {
  account_id = var.cloudflare_account_id
  name       = var.r2_bucket_name
  location   = var.r2_location
}

resource "cloudflare_r2_bucket_lifecycle" "archive" {
  account_id  = var.cloudflare_account_id
  bucket_name = cloudflare_r2_bucket.archive.name

  rules = [
    {
      id         = "expire-archive"
      enabled    = true
      conditions = { prefix = "events/" }
      delete_objects_transition = {
        condition = { type = "Age", max_age = var.archive_retention_days * local.day_seconds }
      }
    },
    {
      id         = "expire-dead-letters"
      enabled    = true
      conditions = { prefix = "dead-letter/" }
      delete_objects_transition = {
        condition = { type = "Age", max_age = var.dead_letter_retention_days * local.day_seconds }
      }
    },
    {
      # Uploads the archive writer abandoned (a crash mid-multipart) are billed storage.
      id         = "abort-stale-multipart"
      enabled    = true
      conditions = { prefix = "" }
      abort_multipart_uploads_transition = {
        condition = { type = "Age", max_age = 1 * local.day_seconds }
      }
    },
  ]
}
