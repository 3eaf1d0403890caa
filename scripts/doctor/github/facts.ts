/**
 * `npm run doctor -- --github`: what the repository's settings are, as the GitHub REST API answers (the fields the
 * checks read, in the API's own names), and what the `github` stack declares they should be. Gathered by ./api.ts,
 * read by the `github-*` checks (../checks/). No I/O here.
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import { DELIVERY_LABELS, type DeliveryLabel } from "../../../modules/github/labels";
import {
  PLAN_PRIVATE_KEY_SECRET,
  pinnedActions,
  type RepositorySettings,
  readWorkflows,
  REQUIRED_CHECKS,
  repositorySettings,
  repositoryVariables,
} from "../../../modules/github/settings";
import { OIDC_SUBJECT_CLAIM_KEYS } from "../../../modules/iam/github-oidc";
import { planKeyVariable } from "../../delivery/matrix";
import type { Fact } from "../facts";

/** `GET /repos/{o}/{r}/environments/{name}` (null: 404) and its deployment branch policies. */
export interface EnvironmentFacts {
  readonly can_admins_bypass?: boolean;
  readonly protection_rules?: ReadonlyArray<{
    readonly type: string;
    readonly prevent_self_review?: boolean;
    readonly reviewers?: ReadonlyArray<{ readonly type: string; readonly reviewer?: { readonly id?: number } }>;
  }>;
  readonly deployment_branch_policy?: { readonly protected_branches: boolean; readonly custom_branch_policies: boolean } | null;
  /** `GET .../deployment-branch-policies` → `branch_policies[]`. */
  readonly branch_policies: ReadonlyArray<{ readonly name: string; readonly type?: string }>;
}

/** `GET /repos/{o}/{r}/rulesets/{id}` of the ruleset named after the main branch (null: none). */
export interface RulesetFacts {
  readonly name: string;
  readonly target?: string;
  readonly enforcement: string;
  readonly bypass_actors?: readonly unknown[];
  readonly conditions?: { readonly ref_name?: { readonly include?: readonly string[]; readonly exclude?: readonly string[] } };
  readonly rules?: ReadonlyArray<{ readonly type: string; readonly parameters?: Record<string, unknown> }>;
}

/** `GET .../actions/permissions`, `.../selected-actions` (when `selected`) and `.../workflow`. */
export interface ActionsFacts {
  readonly enabled: boolean;
  readonly allowed_actions?: string;
  readonly selected?: { readonly github_owned_allowed?: boolean; readonly verified_allowed?: boolean; readonly patterns_allowed?: readonly string[] };
  readonly workflow: { readonly default_workflow_permissions: string; readonly can_approve_pull_request_reviews: boolean };
}

export interface GithubFacts {
  readonly environments: Readonly<Record<string, Fact<EnvironmentFacts | null>>>;
  readonly ruleset: Fact<RulesetFacts | null>;
  readonly actions: Fact<ActionsFacts>;
  /** `GET .../actions/oidc/customization/sub`. */
  readonly oidc: Fact<{ readonly use_default: boolean; readonly include_claim_keys?: readonly string[] }>;
  /** Variable name → value (null: 404). */
  readonly variables: Readonly<Record<string, Fact<string | null>>>;
  /** Label name → exists. */
  readonly labels: Readonly<Record<string, Fact<boolean>>>;
  /** Environment → `PLAN_PRIVATE_KEY` exists there; and whether a repository secret of that name exists (it must not). */
  readonly secrets: { readonly environments: Readonly<Record<string, Fact<boolean>>>; readonly repository: Fact<boolean> };
  /** `GET .../branches/{main}` answered 200: the first push has happened. */
  readonly mainExists: Fact<boolean>;
  /** `GET .../codeowners/errors` → `errors[]` (null: no CODEOWNERS file on the default branch). */
  readonly codeowners: Fact<ReadonlyArray<{ readonly line: number; readonly message: string; readonly path: string }> | null>;
}

/** What the `github` stack (and scripts/setup-github.sh) make true: the checks compare the facts with it. */
export interface GithubExpected {
  readonly repository: string;
  readonly settings: RepositorySettings;
  readonly requiredChecks: readonly string[];
  readonly allowedActions: readonly string[];
  readonly claimKeys: readonly string[];
  /** Variables the stack sets, name → value. */
  readonly variables: Readonly<Record<string, string>>;
  /** Deploy environment → its plan public key variable (set by scripts/setup-github.sh; present, any value). */
  readonly planKeyVariables: Readonly<Record<string, string>>;
  readonly labels: readonly DeliveryLabel[];
  readonly secret: string;
}

/** From every configuration naming the repository, the same way main.ts builds the github stack. */
export function expectedGithub(envs: readonly CciLiteConfig[], workflows = readWorkflows()): GithubExpected {
  const settings = repositorySettings(envs);
  const first = envs[0] as CciLiteConfig;
  return {
    repository: `${settings.owner}/${settings.name}`,
    settings,
    requiredChecks: REQUIRED_CHECKS,
    allowedActions: pinnedActions(workflows),
    claimKeys: OIDC_SUBJECT_CLAIM_KEYS,
    variables: repositoryVariables({ region: first.region, artifactRetentionDays: settings.artifactRetentionDays }),
    planKeyVariables: Object.fromEntries(settings.environments.map((e) => [e.name, planKeyVariable(e.name)])),
    labels: DELIVERY_LABELS,
    secret: PLAN_PRIVATE_KEY_SECRET,
  };
}
