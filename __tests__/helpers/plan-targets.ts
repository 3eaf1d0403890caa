/**
 * The configurations the tests plan with real offline Terraform, and the stacks of each they read. The plan fixture
 * (helpers/offline-plan.ts) plans all of them once per test run, two stacks at a time, through the plan cache.
 * A new configuration mode that a test plans goes here, never into a test's own `offlinePlan` call.
 */
import { modeTopLevel } from "../../modules/config/modes";
import type { CciLiteConfigInput } from "../../modules/config/schema";

export { EXISTING_NETWORK, HARDENING_ON } from "../../modules/config/modes";

/** prod's account (config/prod.json); dev has its own (config/dev.json) unless a target puts it here. */
export const SHARED_ACCOUNT = "111122223333";

export interface PlanTarget {
  /**
   * The environments of the configuration folder: each is `config/<env>.json` with these top-level fields replaced.
   * Environments not named are left out of the folder.
   */
  readonly environments: Readonly<Record<string, Partial<CciLiteConfigInput>>>;
  /** The stacks planned, in the order they are wanted. */
  readonly stacks: readonly string[];
  /** Stacks whose `terraform show -no-color` text is kept (the PR-comment tests read it). @default none */
  readonly text?: readonly string[];
}

export const PLAN_TARGETS = {
  /**
   * config/ as committed: prod (the default configuration) and dev, each in its own account (so each account has its
   * bootstrap stack, `bootstrap-prod` and `bootstrap-dev`). dev's settings are planned in `modes` (dev.json plus an
   * existing VPC), so its plain stack is synthesized here but not planned twice.
   */
  default: {
    environments: { prod: {}, dev: {} },
    stacks: ["cci-lite-prod", "bootstrap-prod"],
    text: ["cci-lite-prod", "bootstrap-prod"],
  },
  /**
   * Two modes of the configuration matrix (modules/config/modes.ts), combined so that each is planned once:
   * `prod-new-vpc-hardened` (a new VPC, CloudTrail and GuardDuty on) and `dev-existing-vpc` (QuickSight off, as
   * committed, in an existing VPC; docs/network.md, modules/hardening). The other modes are proven on their synthesized
   * JSON. And the shared-account configuration: dev in prod's account, one `bootstrap` stack with both environments'
   * roles (security/environments.test.ts simulates dev's roles against prod's stack and state).
   */
  modes: {
    environments: { prod: modeTopLevel("prod-new-vpc-hardened"), dev: { ...modeTopLevel("dev-existing-vpc"), accountId: SHARED_ACCOUNT } },
    stacks: ["cci-lite-prod", "cci-lite-dev", "bootstrap"],
  },
} as const satisfies Record<string, PlanTarget>;

export type PlanTargetName = keyof typeof PLAN_TARGETS;
