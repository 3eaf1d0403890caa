/**
 * Guards of the apply workflow (docs/delivery.md, "Guards"): pure checks on GitHub API answers and Terraform's
 * plan JSON, plus thin async wrappers the workflows call through actions/github-script
 * (`require(`${process.env.GITHUB_WORKSPACE}/dist/delivery/github.cjs`)`, which re-exports this file).
 *
 *   environment   the deploy environment has required reviewers, prevents self review, admins cannot bypass
 *   head          the planned commit is still the head of main ("superseded by <sha>, approve the newest run")
 *   prior state   a plan made without prior state is refused once a state exists (Terraform does not catch it)
 *   changes       the main plan's changed addresses/actions compared with the merged PR's last plan comment
 *                 (./main-plan.ts, with the collect job that runs it and the destroy guard for every stack)
 *   destroy       delete/replace of stateful resources needs the `allow-destroy` label on the pull request
 */
import type { PlanJson, ResourceSummary } from "./plan-summary";
import { summarizePlan } from "./plan-summary";
import type { Api, IssueComment, RepoParams } from "./octokit";
import { ALLOW_DESTROY_LABEL } from "../../modules/github/labels";

/** The part of GET /repos/{owner}/{repo}/environments/{environment_name} we read. */
export interface EnvironmentInfo {
  name?: string;
  can_admins_bypass?: boolean;
  protection_rules?: Array<{
    type: string;
    prevent_self_review?: boolean;
    reviewers?: Array<{ type?: string; reviewer?: { login?: string; slug?: string; name?: string } | null }>;
  }>;
}

export interface PullRequestInfo {
  number: number;
  state?: string;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  html_url?: string;
  base?: { ref?: string };
  labels?: Array<string | { name?: string }>;
}

/** The calls the guards make; Octokit as given to actions/github-script has all of them. */
export interface GuardsOctokit {
  paginate<P, R>(method: Api<P, R[]>, params: P): Promise<R[]>;
  rest: {
    issues: {
      listComments: Api<RepoParams & { issue_number: number; per_page?: number }, IssueComment[]>;
      createComment: Api<RepoParams & { issue_number: number; body: string }, IssueComment>;
      updateComment: Api<RepoParams & { comment_id: number; body: string }, IssueComment>;
    };
    repos: {
      getEnvironment: Api<RepoParams & { environment_name: string }, EnvironmentInfo>;
      getBranch: Api<RepoParams & { branch: string }, { name?: string; commit: { sha: string } }>;
      listPullRequestsAssociatedWithCommit: Api<RepoParams & { commit_sha: string; per_page?: number }, PullRequestInfo[]>;
    };
  };
}

export interface GuardResult {
  ok: boolean;
  /** One line per problem, each saying what to do. */
  problems: string[];
}

const result = (problems: string[]): GuardResult => ({ ok: problems.length === 0, problems });

// ---------------------------------------------------------------------------------------------------------
// 1. Environment protection

/** Problems with the deploy environment's protection rules; `undefined` means the environment does not exist. */
export function checkEnvironmentProtection(env: EnvironmentInfo | undefined, name: string): GuardResult {
  const where = `Settings → Environments → ${name}`;
  if (!env) {
    return result([
      `The environment "${name}" does not exist. GitHub would create it on first use WITHOUT protection, so nothing would wait for approval. ` +
        `Create it (Settings → Environments → New environment "${name}") with required reviewers, "Prevent self-review" ticked and ` +
        `"Allow administrators to bypass configured protection rules" unticked, then re-run this workflow.`,
    ]);
  }
  const problems: string[] = [];
  const rule = (env.protection_rules ?? []).find((r) => r.type === "required_reviewers");
  if (!rule || (rule.reviewers ?? []).length === 0) {
    problems.push(
      `${where}: "Required reviewers" is not set. Tick it and add the people or teams who approve production changes ` +
        `(required reviewers need a public repository, or GitHub Enterprise for private ones; see docs/delivery.md).`,
    );
  }
  if (rule && rule.prevent_self_review !== true) {
    problems.push(`${where}: tick "Prevent self-review", so the person who triggered the run cannot approve it.`);
  }
  if (env.can_admins_bypass === undefined) {
    problems.push(
      `${where}: GitHub's answer does not say whether administrators can bypass the protection rules (no can_admins_bypass ` +
        `field; older GitHub Enterprise Server versions omit it). Nothing is applied until it does: make sure "Allow ` +
        `administrators to bypass configured protection rules" is unticked, and run on a GitHub version that reports it.`,
    );
  } else if (env.can_admins_bypass !== false) {
    problems.push(`${where}: untick "Allow administrators to bypass configured protection rules".`);
  }
  return result(problems);
}

/** Reads the environment through the API (404 = missing) and checks it. */
export async function verifyEnvironment(i: RepoParams & { octokit: GuardsOctokit; environment: string }): Promise<GuardResult> {
  let env: EnvironmentInfo | undefined;
  try {
    ({ data: env } = await i.octokit.rest.repos.getEnvironment({ owner: i.owner, repo: i.repo, environment_name: i.environment }));
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw e;
    env = undefined;
  }
  return checkEnvironmentProtection(env, i.environment);
}

// ---------------------------------------------------------------------------------------------------------
// 3. Head guard

export function supersededMessage(head: string): string {
  return `superseded by ${head}, approve the newest run`;
}

/** The planned commit must still be the head of the branch; otherwise applying it could roll back a newer change. */
export function checkHead(plannedSha: string, headSha: string): GuardResult {
  if (!/^[0-9a-f]{40}$/i.test(plannedSha)) throw new Error(`not a commit SHA: ${JSON.stringify(plannedSha)}`);
  return result(plannedSha.toLowerCase() === headSha.toLowerCase() ? [] : [supersededMessage(headSha)]);
}

export async function verifyHead(i: RepoParams & { octokit: GuardsOctokit; branch: string; plannedSha: string }): Promise<GuardResult> {
  const { data } = await i.octokit.rest.repos.getBranch({ owner: i.owner, repo: i.repo, branch: i.branch });
  return checkHead(i.plannedSha, data.commit.sha);
}

// ---------------------------------------------------------------------------------------------------------
// 4. No prior state

interface StateModule {
  resources?: Array<{ address: string; mode?: string }>;
  child_modules?: StateModule[];
}

/** Managed resource addresses in the plan's `prior_state` (empty when the plan was made without a state). */
export function priorManagedAddresses(plan: PlanJson & { prior_state?: { values?: { root_module?: StateModule } } }): string[] {
  const out: string[] = [];
  const walk = (m: StateModule | undefined) => {
    for (const r of m?.resources ?? []) if (r.mode !== "data") out.push(r.address);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.prior_state?.values?.root_module);
  return out;
}

/** Managed addresses in `terraform state list` output (data sources left out). */
export function stateListAddresses(stateList: string): string[] {
  return stateList
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/(^|\.)data\./.test(l));
}

/**
 * Terraform refuses a saved plan whose state changed, EXCEPT when the plan was made with no prior state: such a
 * plan would try to create everything again on top of an existing state. Refuse it here.
 */
export function checkPriorState(plan: PlanJson, stateList: string): GuardResult {
  const prior = priorManagedAddresses(plan);
  const now = stateListAddresses(stateList);
  if (prior.length === 0 && now.length > 0) {
    return result([
      `The saved plan was made with no prior state, but the state now holds ${now.length} resource(s) ` +
        `(${now.slice(0, 5).join(", ")}${now.length > 5 ? ", …" : ""}). Another apply ran in between. Nothing was applied. ` +
        `Re-run this workflow with "Re-run all jobs" to plan against the current state, review it, and approve again.`,
    ]);
  }
  return result([]);
}

/**
 * The pull request merged as `sha` (GET /repos/{owner}/{repo}/commits/{sha}/pulls): only one whose merge commit IS
 * `sha`. The commit may be associated with other merged pull requests (it was on their branch, or a direct push
 * contains it); taking one of those would put its labels, `allow-destroy` included, on a change nobody reviewed there.
 */
export async function findMergedPullRequest(i: RepoParams & { octokit: GuardsOctokit; sha: string; base?: string }): Promise<PullRequestInfo | undefined> {
  const { data } = await i.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: i.owner, repo: i.repo, commit_sha: i.sha, per_page: 100 });
  return data.find((p) => p.merged_at && (!i.base || p.base?.ref === i.base) && p.merge_commit_sha === i.sha);
}

// ---------------------------------------------------------------------------------------------------------
// 6. Destroy guard

export { ALLOW_DESTROY_LABEL } from "../../modules/github/labels";

/** Resource types whose deletion loses data or breaks the state: buckets (and their settings), the key, logs, the catalog. */
export const STATEFUL_TYPE = /^(aws_s3_bucket.*|aws_kms_key|aws_cloudwatch_log_group|aws_glue_catalog_database)$/;

/** Stateful resources the plan deletes or replaces. */
export function statefulDestroys(plan: PlanJson): ResourceSummary[] {
  return summarizePlan(plan).resources.filter((r) => STATEFUL_TYPE.test(r.type) && (r.action === "delete" || r.action === "replace"));
}

export function labelNames(labels: PullRequestInfo["labels"]): string[] {
  return (labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
}

/** `destroys` as "address action" lines (see PlanMeta.statefulDestroys). */
export function checkDestroy(stack: string, destroys: string[], labels: string[], label = ALLOW_DESTROY_LABEL): GuardResult {
  if (destroys.length === 0 || labels.includes(label)) return result([]);
  return result([
    `${stack}: the plan deletes or replaces stateful resources (${destroys.join(", ")}). If that is intended, add the label ` +
      `"${label}" to the pull request and re-run this workflow ("Re-run all jobs"); otherwise revert the change.`,
  ]);
}
