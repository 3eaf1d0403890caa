/**
 * The changes guard of the apply workflow (docs/delivery.md, "Guards"): the plan on `main` after a merge, compared
 * with the merged pull request's last reviewed plan (a hidden record of its changes in the PR plan comment), posted
 * on that pull request; and the collect job that runs it, with the destroy guard, for every stack of a push to main.
 */
import { createHash } from "node:crypto";
import { checkDestroy, findMergedPullRequest, type GuardsOctokit, labelNames, type PullRequestInfo, verifyEnvironment } from "./guards";
import type { MatrixEntry } from "./matrix";
import type { IssueComment, RepoParams } from "./octokit";
import { planCommentMarker, summarizePlan, type PlanJson } from "./plan-summary";
import { DEFAULT_BODY_BUDGET, truncateMarkdown } from "./truncate";

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

export interface ReportInput extends RepoParams {
  octokit: GuardsOctokit;
  pr: PullRequestInfo;
  stack: string;
  /** planChanges() of the main plan. */
  changes: string[];
  /** Rendered main plan (Markdown), appended below the comparison. */
  planMarkdown: string;
  /** The workflow run: its page holds the job summaries and the artifacts. */
  runUrl?: string;
}

/** The artifact (uploaded by the plan job) that holds a stack's rendered plan, `<stack>.md`, in full. */
export function planMetaArtifact(stack: string): string {
  return `plan-meta-${stack}`;
}

/**
 * The main-plan comment: the heading and the comparison, then the plan, cut so the whole body stays within
 * `max` characters (GitHub rejects bodies over 65,536; JavaScript's length is never below GitHub's count).
 * A cut plan says so and points to the job summary and the artifact, which hold it in full.
 */
export function mainPlanCommentBody(i: { stack: string; comparison: string; planMarkdown: string; runUrl?: string; max?: number }): string {
  const max = i.max ?? DEFAULT_BODY_BUDGET;
  const head = `${mainPlanMarker(i.stack)}\n### Plan on \`main\` after merging: \`${i.stack}\`\n\n${i.comparison}\n\n`;
  const artifact = `\`${planMetaArtifact(i.stack)}\` (file \`${i.stack}.md\`)`;
  const where = i.runUrl
    ? `the [job summary](${i.runUrl}) of \`plan ${i.stack}\` and the artifact [${artifact}](${i.runUrl}#artifacts) of this run`
    : `the job summary of \`plan ${i.stack}\` and the artifact ${artifact} of this run`;
  const note = (omitted: number) =>
    `\n> [!NOTE]\n> This comment was truncated (${omitted} characters of the plan left out) to fit GitHub's 65,536-character ` +
    `comment limit; the full plan is in ${where}.\n`;
  const planBudget = max - head.length;
  const plan = planBudget > 1_000 ? truncateMarkdown(i.planMarkdown, planBudget, note) : { text: note(i.planMarkdown.length) };
  // A comparison longer than the budget on its own (thousands of long addresses): cut the whole body.
  return truncateMarkdown(head + plan.text, max, note).text;
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
  const body = mainPlanCommentBody({ stack: i.stack, comparison: markdown, planMarkdown: i.planMarkdown, runUrl: i.runUrl });
  const mine = comments.find((c) => isBot(c) && (c.body ?? "").includes(marker));
  const { data } = mine
    ? await i.octokit.rest.issues.updateComment({ owner: i.owner, repo: i.repo, comment_id: mine.id, body })
    : await i.octokit.rest.issues.createComment({ owner: i.owner, repo: i.repo, issue_number: i.pr.number, body });
  return { comparison, markdown, url: data.html_url };
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
  i: RepoParams & { octokit: GuardsOctokit; sha: string; branch: string; stacks: StackPlanReport[]; runUrl?: string },
): Promise<{ pr?: PullRequestInfo; summary: string; problems: string[]; differs: string[]; problemsByStack: Record<string, string[]> }> {
  const pr = await findMergedPullRequest({ octokit: i.octokit, owner: i.owner, repo: i.repo, sha: i.sha, base: i.branch });
  const labels = labelNames(pr?.labels);
  const lines = ["### Reviewed plan vs. plan on `main`", ""];
  const problems: string[] = [];
  const differs: string[] = [];
  if (!pr) lines.push(`No merged pull request found for commit \`${i.sha.slice(0, 12)}\` (a direct push?): nothing to compare with.`, "");
  const problemsByStack: Record<string, string[]> = {};
  for (const s of [...i.stacks].sort((a, b) => a.stack.localeCompare(b.stack))) {
    const destroy = checkDestroy(s.stack, s.statefulDestroys, labels).problems;
    problems.push(...destroy);
    if (destroy.length) problemsByStack[s.stack] = destroy;
    if (!pr || !s.hasChanges) continue;
    const r = await reportMainPlan({
      octokit: i.octokit,
      owner: i.owner,
      repo: i.repo,
      pr,
      stack: s.stack,
      changes: s.changes,
      planMarkdown: s.planMarkdown,
      runUrl: i.runUrl,
    });
    if (r.comparison.status === "different") differs.push(s.stack);
    lines.push(r.markdown, "");
  }
  if (problems.length) lines.push("### ❌ Destroy guard", "", ...problems.map((p) => `- ${p}`), "");
  return { pr, summary: lines.join("\n"), problems, differs, problemsByStack };
}

export interface GateResult {
  pr?: PullRequestInfo;
  /** The stacks that passed every guard: the apply matrix. */
  matrix: { include: MatrixEntry[] };
  /** Stacks held back in this run, each with what to fix. */
  blocked: Record<string, string[]>;
  differs: string[];
  summary: string;
}

/**
 * The collect job's gate, one stack at a time. First the comparison with the reviewed plan and the destroy guard,
 * which post on the merged pull request whatever the environments say (so a private repository without required
 * reviewers still gets the comparison); then each environment's protection, read once. A stack failing a guard is
 * held back alone: the other stacks, in other environments, still go on to their approval.
 */
export async function gateStacks(
  i: RepoParams & { octokit: GuardsOctokit; sha: string; branch: string; stacks: StackPlanReport[]; matrix: { include: MatrixEntry[] }; runUrl?: string },
): Promise<GateResult> {
  const review = await reviewMainPlans(i);
  const blocked: Record<string, string[]> = {};
  for (const [stack, problems] of Object.entries(review.problemsByStack)) blocked[stack] = [...problems];
  const lines = [review.summary];
  for (const environment of [...new Set(i.matrix.include.map((e) => e.environment))].sort()) {
    const r = await verifyEnvironment({ octokit: i.octokit, owner: i.owner, repo: i.repo, environment, branch: i.branch });
    if (r.ok) continue;
    lines.push(`### ❌ Environment \`${environment}\` is not protected`, "", ...r.problems.map((p) => `- ${p}`), "");
    for (const e of i.matrix.include.filter((x) => x.environment === environment)) {
      blocked[e.stack] = [...(blocked[e.stack] ?? []), ...r.problems.map((p) => `${e.stack} (environment ${environment}): ${p}`)];
    }
  }
  const include = i.matrix.include.filter((e) => !blocked[e.stack]);
  const held = Object.keys(blocked).sort();
  if (held.length) {
    lines.push(
      "### ⛔ Held back in this run",
      "",
      ...held.map((s) => `- \`${s}\`: not applied; fix what is listed above, then **Re-run all jobs**`),
      "",
      include.length ? `The other stacks go on: ${include.map((e) => `\`${e.stack}\``).join(", ")}.` : "No stack goes on to approval.",
      "",
    );
  }
  return { pr: review.pr, matrix: { include }, blocked, differs: review.differs, summary: lines.join("\n") };
}
