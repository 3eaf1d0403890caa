#!/usr/bin/env bash
# Creates the plan encryption key pair of one deploy environment and stores it in GitHub, outside Terraform state:
# the private key as the environment secret PLAN_PRIVATE_KEY (only the apply job, inside that environment, can read
# it), the public key as the repository variable PLAN_PUBLIC_KEY_<ENVIRONMENT> (the plan job seals with it;
# scripts/delivery/seal.sh). Run it after applying the github stack (which creates the environment), once per deploy
# environment, and again to rotate (runs planned before the swap cannot be applied: re-run them). docs/delivery.md.
#
#   scripts/setup-github.sh <owner/repo> <deploy-environment> <backup-file>
#
# <backup-file> receives the private key (mode 600, must not exist yet): the administrators' offline copy, which
# decrypts an errored.tfstate (docs/delivery.md, "Recovery"). Move it to their safe and delete it here.
# Needs gh (authenticated as a repository administrator) and openssl. The key never appears on a command line: gh
# reads it from standard input.
set -euo pipefail

die() {
  echo "setup-github.sh: $*" >&2
  exit 1
}

[[ $# -eq 3 ]] || die "usage: setup-github.sh <owner/repo> <deploy-environment> <backup-file>"
repo="$1"
env="$2"
backup="$3"
[[ "$repo" =~ ^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$ ]] || die "repository ${repo} is not owner/name"
[[ "$env" =~ ^[A-Za-z0-9._-]+$ ]] || die "environment ${env} is not a GitHub environment name"
[[ ! -e "$backup" ]] || die "${backup} exists already: choose a new file for the backup of the private key"
command -v gh >/dev/null || die "gh (GitHub CLI) is not installed: https://cli.github.com"
command -v openssl >/dev/null || die "openssl is not installed"

# The variable the workflows read: PLAN_PUBLIC_KEY_<ENVIRONMENT>, upper case, other characters as _
# (scripts/delivery/matrix.ts, planKeyVariable; a test keeps the two in step).
upper="$(printf '%s' "$env" | tr '[:lower:]' '[:upper:]')"
variable="PLAN_PUBLIC_KEY_${upper//[^A-Z0-9]/_}"

gh api "repos/${repo}/environments/${env}" --silent \
  || die "environment ${env} does not exist in ${repo} (or gh may not read it): apply the github stack first"

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$work/plan.pem" 2>/dev/null
openssl pkey -in "$work/plan.pem" -pubout -out "$work/plan.pub.pem"

gh secret set PLAN_PRIVATE_KEY --repo "$repo" --env "$env" <"$work/plan.pem"
gh variable set "$variable" --repo "$repo" <"$work/plan.pub.pem"
cp "$work/plan.pem" "$backup"
chmod 600 "$backup"

echo "${env}: environment secret PLAN_PRIVATE_KEY and repository variable ${variable} set in ${repo}."
echo "The private key's offline copy is ${backup}: move it to the administrators' safe and delete it here."
echo "Next: npm run doctor -- --github"
