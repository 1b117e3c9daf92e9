terraform {
  # optional() object attributes with defaults need 1.3; 1.6 is the oldest release still tested here.
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.20"
    }
    cloudflare = {
      source = "cloudflare/cloudflare"
      # Exact pin: 5.11.0 fixed the case-sensitive R2 `location` plan diff (provider PRs #6026,
      # #6211). Bump deliberately, after a plan shows no diff.
      version = "5.11.0"
    }
  }
}
