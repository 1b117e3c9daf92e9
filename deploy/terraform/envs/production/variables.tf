# Inputs of this environment; validated again (free-tier bounds) by the module.
variable "project_id" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west1"
}

variable "github_repository" {
  type = string
}

variable "github_repository_id" {
  type = string
}

variable "github_repository_owner_id" {
  type = string
}

variable "cloudflare_account_id" {
  type = string
}

variable "r2_bucket_name" {
  type = string
}

variable "deploy_services" {
  type    = bool
  default = true
}

variable "image_tag" {
  type    = string
  default = ""
}

variable "services" {
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
}

variable "archive_retention_days" {
  type    = number
  default = 90
}

variable "alert_from" {
  type = string
}

variable "alert_recipients" {
  type = list(string)
}
