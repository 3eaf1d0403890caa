/**
 * The deployment-branch rule of a GitHub environment (M4): which refs may run a job in it. An environment job's OIDC
 * `sub` has `environment:<name>` where other jobs have their ref, so without this rule a workflow on ANY branch can run
 * a job in the environment and, once approved, read its secrets (the plan private key). The apply role's trust also
 * names `job_workflow_ref` (apply.yml on main), which keeps the role from other branches while the subject template
 * includes it; the branch rule is what keeps the environment itself, its approval prompt and its secret, to main.
 *
 * The guard (./guards.ts) and `npm run doctor -- --github` (scripts/doctor/checks/github-environments.ts) accept one
 * shape only, the one the github stack declares (modules/github/index.ts): custom branch policies
 * (`deployment_branch_policy: { protected_branches: false, custom_branch_policies: true }`) listing exactly one
 * policy, the main branch by its exact name, of type `branch`. Anything else is refused, because from the API's
 * answers alone it cannot be proved to mean "main only":
 *   - `deployment_branch_policy: null`: no rule, every branch may deploy;
 *   - `protected_branches: true`: every branch with a protection rule may deploy, and anyone allowed to protect one
 *     more branch (or add a ruleset) widens it without touching the environment;
 *   - a second policy, a wildcard (`*`, `?`, `[`) or a `tag` policy (a tag can be pushed by anyone with write access).
 * docs/delivery.md, "Guards", says the same.
 *
 * Shapes: GET /repos/{owner}/{repo}/environments/{name} → `deployment_branch_policy` (object or null);
 * GET /repos/{owner}/{repo}/environments/{name}/deployment-branch-policies → `{ total_count, branch_policies: [{ name,
 * type }] }` (`type` is "branch" or "tag"; answers from before tag policies existed have no `type`: a branch).
 */

/** `deployment_branch_policy` of GET .../environments/{name}; null: every branch may deploy. */
export interface DeploymentBranchPolicy {
  readonly protected_branches: boolean;
  readonly custom_branch_policies: boolean;
}

/** One entry of GET .../environments/{name}/deployment-branch-policies → `branch_policies`. */
export interface BranchPolicyEntry {
  readonly name: string;
  readonly type?: string;
}

/** True only when the environment provably deploys from `mainBranch` alone (the shape described above). */
export function deploysOnlyFrom(policy: DeploymentBranchPolicy | null | undefined, policies: readonly BranchPolicyEntry[], mainBranch: string): boolean {
  if (!policy || policy.protected_branches || !policy.custom_branch_policies || policies.length !== 1) return false;
  const [only] = policies as [BranchPolicyEntry];
  // Exact name: git refuses `*`, `?` and `[` in branch names, so a pattern equal to one has no wildcard.
  return (only.type ?? "branch") === "branch" && only.name === mainBranch;
}

/** What the environment deploys from, in words: "any branch", "any protected branch", "[main, tag v*]". */
export function describeDeploymentBranches(policy: DeploymentBranchPolicy | null | undefined, policies: readonly BranchPolicyEntry[]): string {
  if (!policy) return "any branch";
  if (policy.protected_branches) return "any protected branch";
  if (!policy.custom_branch_policies) return "whatever an undocumented rule allows (protected_branches and custom_branch_policies both false)";
  if (policies.length === 0) return "no branch at all (no rule listed)";
  return `[${policies.map((b) => `${b.type === "tag" ? "tag " : ""}${b.name}`).join(", ")}]`;
}
