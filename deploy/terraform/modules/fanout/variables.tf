# Every limit that keeps an environment inside the free tiers is checked here, before a plan
# (docs/cost.md explains the numbers; `fanout cost` / cost-model computes them for a volume).

variable "environment" {
  description = "Environment name: staging or production. Used in names, labels and the WIF condition."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "project_id" {
  description = "Google Cloud project of this environment (one project per environment: the topic is always claude-events)."
  type        = string
}

variable "region" {
  description = "Cloud Run and Artifact Registry region. Cloud Run's free tier applies in every region with Tier 1 pricing."
  type        = string
  default     = "europe-west1"
}

variable "bigquery_location" {
  description = "BigQuery dataset location."
  type        = string
  default     = "EU"
}

# --- GitHub / Workload Identity Federation -------------------------------------------------------

variable "github_repository" {
  description = "owner/name of the GitHub repository that deploys (informational; the condition uses the ids)."
  type        = string
}

variable "github_repository_id" {
  description = "Numeric id of the repository (immutable, unlike its name): gh api repos/OWNER/NAME --jq .id"
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.github_repository_id))
    error_message = "github_repository_id is the numeric repository id, not owner/name."
  }
}

variable "github_repository_owner_id" {
  description = "Numeric id of the repository owner: gh api repos/OWNER/NAME --jq .owner.id"
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.github_repository_owner_id))
    error_message = "github_repository_owner_id is numeric."
  }
}

variable "deploy_ref" {
  description = "The only git ref allowed to deploy."
  type        = string
  default     = "refs/heads/main"
}

variable "registry_readers" {
  description = "Extra members with read access to this environment's image repository, e.g. the production deployer (serviceAccount:…) so that it can copy the images staging tested."
  type        = list(string)
  default     = []
}

# --- Images -------------------------------------------------------------------------------------

variable "deploy_services" {
  description = "Create the Cloud Run services, the replay job and the push subscriptions. false on the very first apply, before any image exists (docs/operations.md)."
  type        = bool
  default     = true
}

variable "image_tag" {
  description = "Image tag (git sha) used when a service or the job is CREATED. Afterwards CI owns the image (lifecycle.ignore_changes), so later applies never roll an image back."
  type        = string
  default     = ""
}

# --- Pub/Sub ------------------------------------------------------------------------------------

variable "topic_name" {
  description = "Topic the bridge publishes to."
  type        = string
  default     = "claude-events"
}

variable "ack_deadline_seconds" {
  description = "Ack deadline of every push subscription = the push HTTP timeout = the consumer's fanout.consumer.push.ack-deadline (default 600 s). The sinks get the same value."
  type        = number
  default     = 600
  validation {
    condition     = var.ack_deadline_seconds >= 130 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds must be 130–600: Pub/Sub allows 10–600, and each consumer refuses to start unless batch max-age + retry max-total + write timeout + 10 s fit below it (archive-sink: 30 + 20 + 60 + 10 = 120 s)."
  }
}

variable "max_delivery_attempts" {
  description = "Delivery attempts before a message goes to the dead-letter topic."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub allows 5–100 delivery attempts."
  }
}

variable "message_retention_days" {
  description = "How long a subscription keeps unacknowledged messages (a sink outage longer than this loses messages)."
  type        = number
  default     = 7
  validation {
    # Pub/Sub allows up to 31 days, but retention beyond 7 days is billed as message storage.
    condition     = var.message_retention_days >= 1 && var.message_retention_days <= 7
    error_message = "message_retention_days must be 1–7 (longer retention is billed storage, outside the free tier)."
  }
}

variable "alert_min_severity" {
  description = "Least severe max_severity that reaches the alert sink. Part of the subscription filter, which is immutable: changing it REPLACES the alerts subscription (messages published meanwhile do not reach it)."
  type        = string
  default     = "error"
  validation {
    condition     = contains(["emergency", "alert", "critical", "error", "warning", "notice"], var.alert_min_severity)
    error_message = "alert_min_severity must be one of emergency, alert, critical, error, warning, notice."
  }
}

# --- Cloud Run ----------------------------------------------------------------------------------

variable "services" {
  description = "Per-service sizing. Memory and instance caps bound the free tier (360 k GiB-s, 180 k vCPU-s, 2 M requests a month)."
  type = map(object({
    max_instances = optional(number, 2)
    memory        = optional(string, "512Mi")
    cpu           = optional(string, "1")
  }))
  default = {
    "ingest-bridge"    = { max_instances = 3 }
    "archive-sink"     = { max_instances = 2 }
    "analytics-loader" = { max_instances = 2 }
    "alert-sink"       = { max_instances = 1 }
  }
  validation {
    condition     = alltrue([for s in values(var.services) : s.max_instances >= 1 && s.max_instances <= 5])
    error_message = "max_instances must be 1–5 per service: a runaway scale-out is the fastest way out of the free tier."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : contains(["256Mi", "512Mi", "1Gi"], s.memory)])
    error_message = "memory must be 256Mi, 512Mi or 1Gi (the services are measured at 512Mi; more burns the 360 k GiB-s free tier faster)."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : contains(["1"], s.cpu)])
    error_message = "cpu must be 1 (the JVM flags and the cost model assume one vCPU)."
  }
  validation {
    condition     = length(setsubtract(keys(var.services), ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink"])) == 0
    error_message = "services keys must be ingest-bridge, archive-sink, analytics-loader or alert-sink."
  }
}

variable "service_env" {
  description = "Extra plain environment variables per service (public / internal keys of docs/configuration.md). Never secrets: those come from Secret Manager."
  type        = map(map(string))
  default     = {}
}

variable "replay_job_timeout_seconds" {
  description = "Timeout of one replay task attempt (the job retries a task up to 3 times; tasks resume from their checkpoint)."
  type        = number
  default     = 3600
  validation {
    condition     = var.replay_job_timeout_seconds >= 60 && var.replay_job_timeout_seconds <= 86400
    error_message = "replay_job_timeout_seconds must be 60–86400."
  }
}

# --- BigQuery -----------------------------------------------------------------------------------

variable "dataset_id" {
  description = "BigQuery dataset of events_raw, events and events_dedup."
  type        = string
  default     = "fanout"
}

variable "events_expiry_days" {
  description = "Partition expiry of `events` (DAY partitions on the event time)."
  type        = number
  default     = 30
  validation {
    condition     = var.events_expiry_days >= 1 && var.events_expiry_days <= 30
    error_message = "events_expiry_days must be 1–30: 30 days of 1 M events/day is most of the 10 GB free storage (docs/cost.md)."
  }
}

variable "events_raw_expiry_days" {
  description = "Partition expiry of `events_raw` (DAY partitions on loaded_at): the landing zone; the archive keeps the long-term copy."
  type        = number
  default     = 7
  validation {
    condition     = var.events_raw_expiry_days >= 1 && var.events_raw_expiry_days <= 14
    error_message = "events_raw_expiry_days must be 1–14 (storage: 10 GB free)."
  }
}

# --- Cloudflare R2 ------------------------------------------------------------------------------

variable "cloudflare_account_id" {
  description = "Cloudflare account that owns the R2 bucket."
  type        = string
}

variable "r2_bucket_name" {
  description = "R2 bucket of the archive, the dead-letter store and the alert state (one per environment)."
  type        = string
}

variable "r2_location" {
  description = "R2 location hint (lower case; set explicitly, the provider diffs otherwise)."
  type        = string
  default     = "weur"
  validation {
    condition     = contains(["apac", "eeur", "enam", "weur", "wnam", "oc"], var.r2_location)
    error_message = "r2_location must be one of apac, eeur, enam, weur, wnam, oc (lower case)."
  }
}

variable "archive_retention_days" {
  description = "Age at which archive objects (events/) are deleted."
  type        = number
  default     = 90
  validation {
    condition     = var.archive_retention_days >= 7 && var.archive_retention_days <= 120
    error_message = "archive_retention_days must be 7–120: at 1 M events/day the archive grows ~75 MB a day, and 10 GB-month of R2 storage is free (docs/cost.md)."
  }
}

variable "dead_letter_retention_days" {
  description = "Age at which dead-letter objects (dead-letter/) are deleted."
  type        = number
  default     = 30
  validation {
    condition     = var.dead_letter_retention_days >= 7 && var.dead_letter_retention_days <= 90
    error_message = "dead_letter_retention_days must be 7–90."
  }
}

# --- Alert e-mail (public settings; the Resend key is a secret) ---------------------------------

variable "alert_from" {
  description = "Sender of alert e-mail (fanout.alerts.from), an address of a domain verified in Resend, e.g. \"Fanout alerts <alerts@example.org>\"."
  type        = string
  validation {
    condition     = can(regex("@", var.alert_from))
    error_message = "alert_from must contain an e-mail address."
  }
}

variable "alert_recipients" {
  description = "Recipients of alert e-mail (fanout.alerts.recipients). Resend's free tier counts every recipient of every e-mail (100/day, 3,000/month); the alert sink's budget divides by this count."
  type        = list(string)
  validation {
    # Resend accepts at most 50 `to` addresses; more than a few would leave almost no e-mails a day.
    condition     = length(var.alert_recipients) >= 1 && length(var.alert_recipients) <= 5
    error_message = "alert_recipients must list 1–5 addresses: each one counts against Resend's 100 e-mails a day."
  }
}
