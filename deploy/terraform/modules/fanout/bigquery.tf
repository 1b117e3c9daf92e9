# Dataset, the two tables and the dedup view. The table schemas are the analytics loader's own
# JSON files (BigQuery schema format, one definition in the repo): deploy/checks fails if this
# stops pointing at them or if a partitioning/clustering column is missing from them.

locals {
  schema_dir = "${local.repo_root}/analytics-writer/src/main/resources/bigquery"

  tables = {
    events_raw = {
      description     = "Landing table: one row per delivered event, the whole envelope as JSON."
      partition_field = "loaded_at"
      expiry_days     = var.events_raw_expiry_days
      clustering      = null
    }
    events = {
      description     = "Typed envelope columns, DAY partitions on the event time."
      partition_field = "time"
      expiry_days     = var.events_expiry_days
      clustering      = ["sourcetype", "host", "severity"]
    }
  }
}

resource "google_bigquery_dataset" "fanout" {
  project     = var.project_id
  dataset_id  = var.dataset_id
  location    = var.bigquery_location
  description = "Fanout warm logs (${var.environment})."
  labels      = local.labels

  # Physical (compressed) bytes are billed, and deleted data is kept for time travel for the
  # minimum 2 days: with the logical model 30 days of 1 M events/day would not fit the free 10 GB
  # (docs/cost.md).
  storage_billing_model = "PHYSICAL"
  max_time_travel_hours = "48"

  delete_contents_on_destroy = false
  depends_on                 = [google_project_service.apis]
}

resource "google_bigquery_table" "table" {
  for_each    = local.tables
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.fanout.dataset_id
  table_id    = each.key
  description = each.value.description
  labels      = local.labels

  schema = jsonencode(jsondecode(file("${local.schema_dir}/${each.key}.json")))

  time_partitioning {
    type          = "DAY"
    field         = each.value.partition_field
    expiration_ms = each.value.expiry_days * 86400000
  }
  clustering = each.value.clustering

  deletion_protection = var.environment == "production"
}

# Redelivery and replay make duplicates normal (the Write API default stream is at-least-once):
# the view keeps the first received copy of every id.
resource "google_bigquery_table" "events_dedup" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.fanout.dataset_id
  table_id    = "events_dedup"
  description = "One row per event id (the first received copy)."
  labels      = local.labels

  view {
    use_legacy_sql = false
    query          = <<-SQL
      SELECT * FROM `${var.project_id}.${var.dataset_id}.events`
      WHERE TRUE
      QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY received_at) = 1
    SQL
  }

  deletion_protection = false
  depends_on          = [google_bigquery_table.table]
}
