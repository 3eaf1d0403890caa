/**
 * Which test files belong to which tier (docs/testing.md). One home, read by jest.config.js, the test sequencer,
 * the plan fixture's start-up and scripts/test-shifted-clock.ts; __tests__/tooling/tiers.test.ts checks that every
 * file that runs Terraform or reads the plan fixture is listed under `terraform`.
 *
 * - `terraform`: reads the offline plan fixture (__tests__/helpers/offline-plan.ts) or runs terraform init/plan itself.
 *   The slow tier: part of `npm test` (`npm run test:full`) and of `npm run test:terraform`; left out of the developer
 *   loop `npm run test:fast` (scripts/test-suite.ts) and of the shifted-clock passes (Terraform is a Go binary that
 *   faketime does not shift, and the plans depend on no clock).
 * Everything else is a plain unit or integration test and runs in every pass.
 */
const terraform = [
  "delivery/apply-report.test.ts",
  "delivery/artifacts.test.ts",
  "delivery/cli.test.ts",
  "delivery/drift.test.ts",
  "delivery/github.test.ts",
  "delivery/guards.test.ts",
  "delivery/main-plan-comment.test.ts",
  "delivery/plan-summary.test.ts",
  "infra/terraform.test.ts",
  "network/plan.test.ts",
  "security/environments.test.ts",
  "security/hardening.test.ts",
  "security/service-requests.test.ts",
  "security/simulation.test.ts",
];

/** Jest path patterns (regular expressions) matching the files of a tier. */
const patternsOf = (files) => files.map((f) => `/__tests__/${f.replace(/[.]/g, "\\.")}$`);

/**
 * Jest without the terraform tier (`npm run test:fast` and the shifted-clock passes): its files ignored, and the plan
 * fixture off, so a test that reads a plan without being listed above fails and names this file.
 */
const withoutTerraform = {
  args: ["--testPathIgnorePatterns", ...patternsOf(terraform)],
  env: { CCI_LITE_PLAN_FIXTURE: "off" },
};

module.exports = { terraform, patternsOf, withoutTerraform };
