/**
 * The configurations the tests plan with real offline Terraform, and the stacks of each they read. The plan fixture
 * (helpers/offline-plan.ts) plans all of them once per test run, two stacks at a time, through the plan cache.
 * A new configuration mode that a test plans goes here, never into a test's own `offlinePlan` call.
 */
import type { CciLiteConfigInput } from "../../modules/config/schema";

/** The existing-VPC settings the network tests plan (placeholders of the right shapes). */
export const EXISTING_NETWORK = {
  mode: "existing" as const,
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
  routeTableIds: ["rtb-0ccccccccccccccc3"],
};

/** prod's account (config/prod.json); dev has its own (config/dev.json) unless a target puts it here. */
export const SHARED_ACCOUNT = "111122223333";

/** Account hardening on: CloudTrail and GuardDuty (guide §12). */
export const HARDENING_ON = { cloudtrail: { enabled: true }, guardduty: { enabled: true } };

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
   * The other modes, combined so that each is planned once: prod in a new VPC (`network.mode: "create"`) with
   * CloudTrail and GuardDuty on, dev (QuickSight off, as committed) in an existing VPC (`"existing"`; docs/network.md,
   * modules/hardening). And the shared-account configuration: dev in prod's account, one `bootstrap` stack with both
   * environments' roles (security/environments.test.ts simulates dev's roles against prod's stack and state).
   */
  modes: {
    environments: {
      prod: { network: { mode: "create" as const }, ...HARDENING_ON },
      dev: { network: EXISTING_NETWORK, accountId: SHARED_ACCOUNT },
    },
    stacks: ["cci-lite-prod", "cci-lite-dev", "bootstrap"],
  },
} as const satisfies Record<string, PlanTarget>;

export type PlanTargetName = keyof typeof PLAN_TARGETS;
