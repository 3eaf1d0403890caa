/**
 * Guards of the apply workflow (docs/delivery.md, "Guards"): pure checks on GitHub API answers and Terraform's
 * plan JSON, plus thin async wrappers the workflows call through actions/github-script
 * (`require(`${process.env.GITHUB_WORKSPACE}/dist/delivery/github.cjs`)`, which re-exports this file).
 *
 *   environment   the deploy environment has required reviewers, prevents self review, admins cannot bypass
 *   head          the planned commit is still the head of main ("superseded by <sha>, approve the newest run")
 *   prior state   a plan made without prior state is refused once a state exists (Terraform does not catch it)
 *   changes       the main plan's changed addresses/actions compared with the merged PR's last plan comment
 *   destroy       delete/replace of stateful resources needs the `allow-destroy` label on the pull request
 */
import { createHash } from "node:crypto";
import { planCommentMarker, summarizePlan, type PlanJson, type ResourceSummary } from "./plan-summary";

type Api<P, R> = (params: P) => Promise<{ data: R }>;
interface RepoParams {
  owner: string;
  repo: string;
}

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

/** Same shape as github.ts's IssueComment (not imported: github.ts re-exports this file). */
interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login: string; type?: string } | null;
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
  if (env.can_admins_bypass !== false) {
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

// ---------------------------------------------------------------------------------------------------------
// 5. The main plan compared with the merged pull request's last plan

/** The plan's changes as sorted "address action" lines (no-ops and reads left out). */
export function planChanges(plan: PlanJson): string[] {
  return summarizePlan(plan)
    .resources.map((r) => `${r.address} ${r.action}`)
    .sort();
}

const CHANGES_RE = /<!-- cci-lite:plan-changes ([A-Za-z0-9+/=]+) -->/;
/** Beyond this, only a digest is stored (the comparison then says "differs" without the list). */
const CHANGES_LIST_LIMIT = 20_000;

interface ChangesPayload {
  sha256: string;
  changes?: string[];
}

function digest(changes: string[]): string {
  return createHash("sha256").update(changes.join("\n")).digest("hex");
}

/** Hidden, machine-readable record of a plan's changes, appended to the PR plan comment. */
export function changesMarker(changes: string[]): string {
  const sorted = [...changes].sort();
  const payload: ChangesPayload = { sha256: digest(sorted) };
  if (JSON.stringify(sorted).length <= CHANGES_LIST_LIMIT) payload.changes = sorted;
  return `<!-- cci-lite:plan-changes ${Buffer.from(JSON.stringify(payload)).toString("base64")} -->`;
}

export function parseChangesMarker(body: string): ChangesPayload | undefined {
  const m = CHANGES_RE.exec(body);
  if (!m) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1], "base64").toString("utf8")) as ChangesPayload;
  } catch {
    return undefined;
  }
}

export interface ChangesComparison {
  /** "same", "different", or "unknown" (no earlier plan comment with a changes record). */
  status: "same" | "different" | "unknown";
  onlyReviewed: string[];
  onlyApplied: string[];
}

export function compareChanges(reviewed: ChangesPayload | undefined, applied: string[]): ChangesComparison {
  if (!reviewed) return { status: "unknown", onlyReviewed: [], onlyApplied: [] };
  const sorted = [...applied].sort();
  if (reviewed.sha256 === digest(sorted)) return { status: "same", onlyReviewed: [], onlyApplied: [] };
  const r = new Set(reviewed.changes ?? []);
  const a = new Set(sorted);
  return {
    status: "different",
    onlyReviewed: [...r].filter((x) => !a.has(x)),
    onlyApplied: reviewed.changes ? sorted.filter((x) => !r.has(x)) : [],
  };
}

export function mainPlanMarker(stack: string): string {
  return `<!-- cci-lite:main-plan stack=${stack} -->`;
}

/** The paragraph for the PR comment and the job summary. */
export function renderComparison(stack: string, c: ChangesComparison, prNumber?: number): string {
  const pr = prNumber ? `#${prNumber}` : "the pull request";
  if (c.status === "same")
    return `✅ \`${stack}\`: the plan on \`main\` changes the same resources, with the same actions, as the last plan reviewed on ${pr}.`;
  if (c.status === "unknown") return `ℹ️ \`${stack}\`: no earlier plan comment on ${pr} to compare with; review this plan on its own before approving.`;
  const lines = [
    `> [!WARNING]`,
    `> **\`${stack}\`: the plan on \`main\` differs from the last plan reviewed on ${pr}** (drift, or another merge in between). Read it before approving.`,
  ];
  const list = (title: string, xs: string[]) => {
    if (!xs.length) return;
    lines.push(">", `> ${title}:`);
    for (const x of xs.slice(0, 50)) lines.push(`> - \`${x}\``);
    if (xs.length > 50) lines.push(`> - …and ${xs.length - 50} more`);
  };
  list("Only in the plan on `main` (not reviewed)", c.onlyApplied);
  list("Only in the reviewed plan", c.onlyReviewed);
  return lines.join("\n");
}

/** The pull request merged as `sha` (GET /repos/{owner}/{repo}/commits/{sha}/pulls). */
export async function findMergedPullRequest(i: RepoParams & { octokit: GuardsOctokit; sha: string; base?: string }): Promise<PullRequestInfo | undefined> {
  const { data } = await i.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: i.owner, repo: i.repo, commit_sha: i.sha, per_page: 100 });
  const merged = data.filter((p) => p.merged_at && (!i.base || p.base?.ref === i.base));
  return merged.find((p) => p.merge_commit_sha === i.sha) ?? merged[0];
}

export interface ReportInput extends RepoParams {
  octokit: GuardsOctokit;
  pr: PullRequestInfo;
  stack: string;
  /** planChanges() of the main plan. */
  changes: string[];
  /** Rendered main plan (Markdown), appended below the comparison. */
  planMarkdown: string;
}

/**
 * Posts the main plan on the merged pull request (one comment per stack, updated in place) with the comparison
 * against that PR's last plan comment. Returns the comparison and its Markdown for the job summary.
 */
export async function reportMainPlan(i: ReportInput): Promise<{ comparison: ChangesComparison; markdown: string; url?: string }> {
  const comments: IssueComment[] = await i.octokit.paginate(i.octokit.rest.issues.listComments, {
    owner: i.owner,
    repo: i.repo,
    issue_number: i.pr.number,
    per_page: 100,
  });
  const isBot = (c: IssueComment) => c.user?.type === undefined || c.user?.type === "Bot";
  const last = comments.filter((c) => isBot(c) && (c.body ?? "").includes(planCommentMarker(i.stack))).at(-1);
  const comparison = compareChanges(last ? parseChangesMarker(last.body ?? "") : undefined, i.changes);
  const markdown = renderComparison(i.stack, comparison, i.pr.number);
  const marker = mainPlanMarker(i.stack);
  const body = `${marker}\n### Plan on \`main\` after merging: \`${i.stack}\`\n\n${markdown}\n\n${i.planMarkdown}`;
  const mine = comments.find((c) => isBot(c) && (c.body ?? "").includes(marker));
  const { data } = mine
    ? await i.octokit.rest.issues.updateComment({ owner: i.owner, repo: i.repo, comment_id: mine.id, body })
    : await i.octokit.rest.issues.createComment({ owner: i.owner, repo: i.repo, issue_number: i.pr.number, body });
  return { comparison, markdown, url: data.html_url };
}

// ---------------------------------------------------------------------------------------------------------
// 6. Destroy guard

export const ALLOW_DESTROY_LABEL = "allow-destroy";

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

// ---------------------------------------------------------------------------------------------------------
// Collect job: 5 and 6 for every stack of a push to main, before anyone approves.

export interface StackPlanReport {
  stack: string;
  hasChanges: boolean;
  /** planChanges() of the main plan. */
  changes: string[];
  /** statefulDestroys() as "address action" lines. */
  statefulDestroys: string[];
  planMarkdown: string;
}

export async function reviewMainPlans(
  i: RepoParams & { octokit: GuardsOctokit; sha: string; branch: string; stacks: StackPlanReport[] },
): Promise<{ pr?: PullRequestInfo; summary: string; problems: string[]; differs: string[] }> {
  const pr = await findMergedPullRequest({ octokit: i.octokit, owner: i.owner, repo: i.repo, sha: i.sha, base: i.branch });
  const labels = labelNames(pr?.labels);
  const lines = ["### Reviewed plan vs. plan on `main`", ""];
  const problems: string[] = [];
  const differs: string[] = [];
  if (!pr) lines.push(`No merged pull request found for commit \`${i.sha.slice(0, 12)}\` (a direct push?): nothing to compare with.`, "");
  for (const s of [...i.stacks].sort((a, b) => a.stack.localeCompare(b.stack))) {
    problems.push(...checkDestroy(s.stack, s.statefulDestroys, labels).problems);
    if (!pr || !s.hasChanges) continue;
    const r = await reportMainPlan({ octokit: i.octokit, owner: i.owner, repo: i.repo, pr, stack: s.stack, changes: s.changes, planMarkdown: s.planMarkdown });
    if (r.comparison.status === "different") differs.push(s.stack);
    lines.push(r.markdown, "");
  }
  if (problems.length) lines.push("### ❌ Destroy guard", "", ...problems.map((p) => `- ${p}`), "");
  return { pr, summary: lines.join("\n"), problems, differs };
}
