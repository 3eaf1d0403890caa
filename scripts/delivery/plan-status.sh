#!/usr/bin/env bash
# The one status check branch protection requires from the plan workflow (`plan / plan-status`). It always runs
# (`if: always()`) and always reports, with one line saying why:
#
#   fork pull request            success: not planned (forks get no OIDC token); main plans it before any approval
#   run started by Dependabot    success: not planned (GitHub runs it like a fork's); main plans it before any approval
#   synth/matrix failed          failure
#   no stack with remote backend success: nothing to plan
#   any stack's plan failed      failure
#   plans ok, comments posted    success (a failed security scan only warns: the scan is advice for the reviewer)
#
# Inputs (env): IS_FORK, IS_DEPENDABOT (true/false), PREPARE_RESULT, HAS_STACKS, PLAN_RESULT, SCAN_RESULT, REPORT_RESULT
# (the `needs.<job>.result` values: success, failure, cancelled, skipped).
set -euo pipefail

summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"

finish() {
  # $1: exit code, $2: message
  local icon="✅"
  [[ "$1" -eq 0 ]] || icon="❌"
  printf '### %s plan-status\n\n%s\n' "$icon" "$2" >> "$summary"
  if [[ "$1" -eq 0 ]]; then
    echo "::notice title=plan-status::$2"
  else
    echo "::error title=plan-status::$2"
  fi
  exit "$1"
}

if [[ "${IS_FORK:-}" == "true" ]]; then
  finish 0 "Not planned: this pull request comes from a fork, and forks get no OIDC token or secrets, so no stack was planned with AWS credentials. After the merge, the apply workflow plans every stack on main and posts the plan on this pull request before anyone can approve it."
fi
if [[ "${IS_DEPENDABOT:-}" == "true" ]]; then
  finish 0 "Not planned: Dependabot started this run, and GitHub runs such runs like a fork's (read-only token, no Actions secrets, also when someone else re-runs them), so no stack was planned with AWS credentials. After the merge, the apply workflow plans every stack on main and posts the plan on this pull request before anyone can approve it."
fi
if [[ "${PREPARE_RESULT:-}" != "success" ]]; then
  finish 1 "The synth or the stack matrix failed (prepare job: ${PREPARE_RESULT:-unknown}); nothing could be planned. See the prepare job's log."
fi
if [[ "${HAS_STACKS:-}" != "true" ]]; then
  finish 0 "Nothing to plan: no stack with a remote backend was synthesized (stacks with a local backend, such as bootstrap, are applied by an administrator)."
fi
if [[ "${PLAN_RESULT:-}" != "success" ]]; then
  finish 1 "At least one stack's plan did not succeed (plan jobs: ${PLAN_RESULT:-unknown}); see the plan comments and the failed job's log."
fi
if [[ "${REPORT_RESULT:-}" != "success" ]]; then
  finish 1 "The plans succeeded but the plan comments could not be posted (report job: ${REPORT_RESULT:-unknown})."
fi
if [[ "${SCAN_RESULT:-}" != "success" ]]; then
  echo "::warning title=Security scan::the checkov job did not succeed (${SCAN_RESULT:-unknown}); the plan comments say so"
fi
finish 0 "Every stack was planned; the plan of each stack is in its pull request comment."
