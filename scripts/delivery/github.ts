/**
 * GitHub REST calls made from the workflows through actions/github-script:
 *   const d = require(`${process.env.GITHUB_WORKSPACE}/dist/delivery/github.cjs`);
 *   await d.upsertPlanComment({ octokit: github, ... });
 * (dist/delivery/github.cjs is this file bundled by esbuild in the workflow.)
 *
 * Only the few methods below are used, so tests pass a hand-written fake implementing them.
 */
export { planCommentMarker, renderPlanMarkdown, summarizePlan } from "./plan-summary";
export { readCheckovText } from "./scan";
export * from "./guards";
export { applyResultMarker, renderApplyResult, type ApplyResult } from "./apply-result";
import { applyResultMarker, renderApplyResult, type ApplyResult } from "./apply-result";
import { findMergedPullRequest, type GuardsOctokit } from "./guards";

type Api<P, R> = (params: P) => Promise<{ data: R }>;
interface RepoParams {
  owner: string;
  repo: string;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login: string; type?: string } | null;
}

export interface Issue {
  number: number;
  title: string;
  state: string;
  body?: string | null;
  html_url?: string;
  labels?: Array<string | { name?: string }>;
  /** Present when the "issue" is a pull request (the issues list API returns both). */
  pull_request?: unknown;
}

export interface OctokitLike {
  rest: {
    issues: {
      listComments: Api<RepoParams & { issue_number: number; per_page?: number }, IssueComment[]>;
      createComment: Api<RepoParams & { issue_number: number; body: string }, IssueComment>;
      updateComment: Api<RepoParams & { comment_id: number; body: string }, IssueComment>;
      listForRepo: Api<RepoParams & { labels?: string; state?: "open" | "closed" | "all"; per_page?: number }, Issue[]>;
      create: Api<RepoParams & { title: string; body: string; labels?: string[] }, Issue>;
      update: Api<
        RepoParams & {
          issue_number: number;
          title?: string;
          body?: string;
          state?: "open" | "closed";
          state_reason?: "completed" | "not_planned" | "reopened";
        },
        Issue
      >;
    };
  };
  /** Octokit's paginate: calls `method` for every page and concatenates the results. */
  paginate<P, R>(method: Api<P, R[]>, params: P): Promise<R[]>;
}

export interface UpsertCommentInput extends RepoParams {
  octokit: OctokitLike;
  issueNumber: number;
  /** Hidden marker identifying the comment (e.g. planCommentMarker(stack)); prepended if the body lacks it. */
  marker: string;
  body: string;
}

export interface UpsertResult {
  action: "created" | "updated" | "closed" | "none";
  id?: number;
  number?: number;
  url?: string;
}

/** Creates the marked comment on a PR, or updates it in place (one comment per marker, never a new one per push). */
export async function upsertComment(i: UpsertCommentInput): Promise<UpsertResult> {
  const body = i.body.includes(i.marker) ? i.body : `${i.marker}\n${i.body}`;
  const comments = await i.octokit.paginate(i.octokit.rest.issues.listComments, {
    owner: i.owner,
    repo: i.repo,
    issue_number: i.issueNumber,
    per_page: 100,
  });
  // Oldest first (the API's order); only comments written by a bot, so a quoted marker in a human comment is ignored.
  const mine = comments.find((c) => (c.body ?? "").includes(i.marker) && (c.user?.type === undefined || c.user?.type === "Bot"));
  if (mine) {
    const { data } = await i.octokit.rest.issues.updateComment({ owner: i.owner, repo: i.repo, comment_id: mine.id, body });
    return { action: "updated", id: data.id ?? mine.id, url: data.html_url };
  }
  const { data } = await i.octokit.rest.issues.createComment({ owner: i.owner, repo: i.repo, issue_number: i.issueNumber, body });
  return { action: "created", id: data.id, url: data.html_url };
}

export const DRIFT_LABEL = "drift";

export function driftIssueTitle(stack: string): string {
  return `Drift detected in stack ${stack}`;
}

/** Open issues (not pull requests) carrying `label` whose title is exactly `title`. */
export async function findOpenIssues(octokit: OctokitLike, owner: string, repo: string, label: string, title: string): Promise<Issue[]> {
  const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, labels: label, state: "open", per_page: 100 });
  return all.filter((x) => !x.pull_request && x.title === title);
}

export interface SyncIssueInput extends RepoParams {
  octokit: OctokitLike;
  title: string;
  label: string;
  /** true: open the issue (or replace the open one's body); false: close the open one(s) with `closeComment`. */
  open: boolean;
  body?: string;
  closeComment?: string;
}

/** One issue per title and label: opened, updated in place (never duplicated), or closed. */
export async function syncIssue(i: SyncIssueInput): Promise<UpsertResult> {
  const open = await findOpenIssues(i.octokit, i.owner, i.repo, i.label, i.title);
  if (i.open) {
    if (!i.body) throw new Error(`syncIssue: a body is required to open "${i.title}"`);
    const [existing] = open;
    if (existing) {
      const { data } = await i.octokit.rest.issues.update({ owner: i.owner, repo: i.repo, issue_number: existing.number, body: i.body });
      return { action: "updated", number: existing.number, url: data.html_url ?? existing.html_url };
    }
    const { data } = await i.octokit.rest.issues.create({ owner: i.owner, repo: i.repo, title: i.title, body: i.body, labels: [i.label] });
    return { action: "created", number: data.number, url: data.html_url };
  }
  if (open.length === 0) return { action: "none" };
  for (const issue of open) {
    if (i.closeComment) await i.octokit.rest.issues.createComment({ owner: i.owner, repo: i.repo, issue_number: issue.number, body: i.closeComment });
    await i.octokit.rest.issues.update({ owner: i.owner, repo: i.repo, issue_number: issue.number, state: "closed", state_reason: "completed" });
  }
  return { action: "closed", number: open[0].number };
}

export interface DriftInput extends RepoParams {
  octokit: OctokitLike;
  stack: string;
  /** `terraform plan -detailed-exitcode` status: 0 no changes, 2 drift. */
  exitCode: number;
  /** Issue body (the rendered plan) for exit code 2. */
  body?: string;
  runUrl?: string;
  label?: string;
}

/**
 * Exit 2: opens the stack's drift issue, or updates the open one in place (body = latest plan).
 * Exit 0: closes the open drift issue(s) of the stack with a comment.
 * Anything else is an error for the caller to fail on; nothing is touched.
 */
export async function syncDriftIssue(i: DriftInput): Promise<UpsertResult> {
  if (i.exitCode !== 0 && i.exitCode !== 2) {
    throw new Error(`terraform plan exit code ${i.exitCode} for ${i.stack}: the plan failed, no drift issue was changed`);
  }
  if (i.exitCode === 2 && !i.body) throw new Error("syncDriftIssue: a body is required when drift was found");
  const where = i.runUrl ? ` in [this run](${i.runUrl})` : "";
  return syncIssue({
    ...i,
    title: driftIssueTitle(i.stack),
    label: i.label ?? DRIFT_LABEL,
    open: i.exitCode === 2,
    closeComment: `✅ No drift detected${where}: the live account matches the code for \`${i.stack}\`. Closing.`,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Drift run with two plans (scripts/delivery/drift.ts): one issue per stack and finding, all labelled `drift`.

export function unappliedIssueTitle(stack: string): string {
  return `Merged but not applied: stack ${stack}`;
}

export function driftErrorIssueTitle(stack: string): string {
  return `Drift check failed for stack ${stack}`;
}

export const APPLY_FAILED_LABEL = "apply-failed";

export function applyFailedIssueTitle(stack: string): string {
  return `Apply failed for stack ${stack}`;
}

/** The stack an issue of these workflows is about, from its exact title (undefined for any other issue). */
export function stackOfIssueTitle(title: string): string | undefined {
  const m = /^(?:Drift detected in stack|Merged but not applied: stack|Drift check failed for stack|Apply failed for stack) ([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(
    title,
  );
  return m?.[1];
}

export interface DriftRunInput extends RepoParams {
  octokit: OctokitLike;
  stack: string;
  /** "ok": both plans ran (bodies say what they found); "error": init or a plan failed. */
  outcome: "ok" | "error";
  /** Rendered "changed outside Terraform" report, when the refresh-only plan found something. */
  driftBody?: string;
  /** Rendered "merged but not applied" report, when the normal plan has changes beyond the drift. */
  unappliedBody?: string;
  /** Rendered failure (end of the log), for outcome "error". */
  errorBody?: string;
  runUrl?: string;
}

/**
 * Keeps the three issues of a stack in step with one drift run. An error opens or updates "Drift check failed"
 * and leaves the other two alone (nothing is known); a successful run closes it and opens, updates or closes
 * "Drift detected" and "Merged but not applied" by what the two plans found.
 */
export async function syncDriftIssues(i: DriftRunInput): Promise<Record<"drift" | "unapplied" | "error", UpsertResult>> {
  const base = { octokit: i.octokit, owner: i.owner, repo: i.repo, label: DRIFT_LABEL };
  const where = i.runUrl ? ` in [this run](${i.runUrl})` : "";
  const none: UpsertResult = { action: "none" };
  if (i.outcome === "error") {
    if (!i.errorBody) throw new Error("syncDriftIssues: an error body is required for outcome error");
    const error = await syncIssue({ ...base, title: driftErrorIssueTitle(i.stack), open: true, body: i.errorBody });
    return { drift: none, unapplied: none, error };
  }
  const error = await syncIssue({
    ...base,
    title: driftErrorIssueTitle(i.stack),
    open: false,
    closeComment: `✅ The drift check of \`${i.stack}\` ran again${where}. Closing.`,
  });
  const drift = await syncIssue({
    ...base,
    title: driftIssueTitle(i.stack),
    open: Boolean(i.driftBody),
    body: i.driftBody,
    closeComment: `✅ No drift detected${where}: the live account matches the state for \`${i.stack}\`. Closing.`,
  });
  const unapplied = await syncIssue({
    ...base,
    title: unappliedIssueTitle(i.stack),
    open: Boolean(i.unappliedBody),
    body: i.unappliedBody,
    closeComment: `✅ Everything merged is applied${where} for \`${i.stack}\`. Closing.`,
  });
  return { drift, unapplied, error };
}

/**
 * Closes the open `drift` and `apply-failed` issues of stacks that are no longer synthesized (removed from
 * config/). Issues whose title names no stack are left alone.
 */
export async function closeIssuesOfRemovedStacks(i: RepoParams & { octokit: OctokitLike; stacks: string[] }): Promise<number[]> {
  const current = new Set(i.stacks);
  const closed: number[] = [];
  for (const label of [DRIFT_LABEL, APPLY_FAILED_LABEL]) {
    const open = await i.octokit.paginate(i.octokit.rest.issues.listForRepo, { owner: i.owner, repo: i.repo, labels: label, state: "open", per_page: 100 });
    for (const issue of open) {
      if (issue.pull_request || closed.includes(issue.number)) continue;
      const stack = stackOfIssueTitle(issue.title);
      if (!stack || current.has(stack)) continue;
      await i.octokit.rest.issues.createComment({
        owner: i.owner,
        repo: i.repo,
        issue_number: issue.number,
        body: `The stack \`${stack}\` no longer exists (it is not synthesized from config/ any more). Closing.`,
      });
      await i.octokit.rest.issues.update({ owner: i.owner, repo: i.repo, issue_number: issue.number, state: "closed", state_reason: "not_planned" });
      closed.push(issue.number);
    }
  }
  return closed;
}

// ---------------------------------------------------------------------------------------------------------
// Apply results: posted on the merged pull request; a failure opens or updates the stack's `apply-failed` issue.

export interface ApplyReportInput extends RepoParams {
  octokit: OctokitLike & GuardsOctokit;
  /** The pushed commit (found on its merged pull request). */
  sha: string;
  branch: string;
  /** Stacks the run wanted to apply (the apply matrix). */
  stacks: string[];
  /** Results the apply jobs uploaded (a stack without one was not run: rejected, cancelled or skipped). */
  results: ApplyResult[];
  runUrl?: string;
}

export async function reportApplyResults(i: ApplyReportInput): Promise<{ prNumber?: number; summary: string; failed: string[] }> {
  const pr = await findMergedPullRequest({ octokit: i.octokit, owner: i.owner, repo: i.repo, sha: i.sha, base: i.branch });
  const byStack = new Map(i.results.map((r) => [r.stack, r]));
  const lines = ["### Apply results", ""];
  const failed: string[] = [];
  for (const stack of [...new Set([...i.stacks, ...byStack.keys()])].sort()) {
    const r: ApplyResult = byStack.get(stack) ?? { stack, outcome: "not-applied", runUrl: i.runUrl, sha: i.sha };
    const body = renderApplyResult(r);
    lines.push(body);
    if (pr) await upsertComment({ octokit: i.octokit, owner: i.owner, repo: i.repo, issueNumber: pr.number, marker: applyResultMarker(stack), body });
    if (r.outcome === "failure") failed.push(stack);
    // A failure opens (or updates) the stack's issue; a success closes it. "Not applied" says nothing new about the stack.
    if (r.outcome !== "not-applied") {
      await syncIssue({
        octokit: i.octokit,
        owner: i.owner,
        repo: i.repo,
        title: applyFailedIssueTitle(stack),
        label: APPLY_FAILED_LABEL,
        open: r.outcome === "failure",
        body: `${body}
${
  pr
    ? `Merged pull request: #${pr.number}
`
    : ""
}`,
        closeComment: `✅ \`${stack}\` applied successfully${r.runUrl ? ` in [this run](${r.runUrl})` : ""}. Closing.`,
      });
    }
  }
  if (!pr) lines.push(`No merged pull request found for commit \`${i.sha.slice(0, 12)}\`: the results are only in this summary.`);
  return { prNumber: pr?.number, summary: lines.join("\n"), failed };
}
