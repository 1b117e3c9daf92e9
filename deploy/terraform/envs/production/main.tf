# Fanout production. Same module as the other environment; only terraform.tfvars differ.
#   terraform -chdir=deploy/terraform/envs/production init -backend-config=bucket=<state bucket>
#   terraform -chdir=deploy/terraform/envs/production apply
# Credentials: Google application-default credentials of an operator (first apply) and
# CLOUDFLARE_API_TOKEN in the environment — never in a file (docs/operations.md).

terraform {
  required_version = ">= 1.6"
  backend "gcs" {
    prefix = "fanout/production"
  }
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.20"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "5.11.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

# Reads CLOUDFLARE_API_TOKEN (an API token with R2 edit on this account).
provider "cloudflare" {}

module "fanout" {
  source = "../../modules/fanout"

  environment                = "production"
  project_id                 = var.project_id
  region                     = var.region
  github_repository          = var.github_repository
  github_repository_id       = var.github_repository_id
  github_repository_owner_id = var.github_repository_owner_id
  cloudflare_account_id      = var.cloudflare_account_id
  r2_bucket_name             = var.r2_bucket_name
  deploy_services            = var.deploy_services
  image_tag                  = var.image_tag
  services                   = var.services
  archive_retention_days     = var.archive_retention_days
  alert_from                 = var.alert_from
  alert_recipients           = var.alert_recipients
  registry_readers = []
}

output "fanout" {
  value = module.fanout
}
