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
export * from "./main-plan";
export * from "./issues";
export type { Issue, IssueComment, OctokitLike, UpsertResult } from "./octokit";
export { applyResultMarker, renderApplyResult, type ApplyResult } from "./apply-result";
import { applyResultMarker, renderApplyResult, type ApplyResult } from "./apply-result";
import { findMergedPullRequest, type GuardsOctokit } from "./guards";
import { APPLY_FAILED_LABEL, applyFailedIssueTitle, syncIssue } from "./issues";
import type { Api, OctokitLike, RepoParams, UpsertResult } from "./octokit";

export interface UpsertCommentInput extends RepoParams {
  octokit: OctokitLike;
  issueNumber: number;
  /** Hidden marker identifying the comment (e.g. planCommentMarker(stack)); prepended if the body lacks it. */
  marker: string;
  body: string;
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

/** The one call of newerPullRequestHead; Octokit as given to actions/github-script has it. */
export interface PullsOctokit {
  rest: { pulls: { get: Api<RepoParams & { pull_number: number }, { head: { sha: string } }> } };
}

/**
 * The pull request's head now, when it is no longer `sha` (the commit this run planned); undefined while it still is.
 * A newer push superseded the run: its plan comments would overwrite the newer run's, so the plan workflow's report
 * posts nothing then (the newer run posts its own). GET /repos/{owner}/{repo}/pulls/{pull_number} → head.sha.
 */
export async function newerPullRequestHead(i: RepoParams & { octokit: PullsOctokit; pullNumber: number; sha: string }): Promise<string | undefined> {
  const { data } = await i.octokit.rest.pulls.get({ owner: i.owner, repo: i.repo, pull_number: i.pullNumber });
  return data.head.sha.toLowerCase() === i.sha.toLowerCase() ? undefined : data.head.sha;
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
  /** GITHUB_RUN_ATTEMPT of this report: results of earlier attempts were reported by those attempts' reports. */
  runAttempt?: number;
}

export async function reportApplyResults(i: ApplyReportInput): Promise<{ prNumber?: number; summary: string; failed: string[] }> {
  const pr = await findMergedPullRequest({ octokit: i.octokit, owner: i.owner, repo: i.repo, sha: i.sha, base: i.branch });
  const byStack = new Map(i.results.map((r) => [r.stack, r]));
  const lines = ["### Apply results", ""];
  const failed: string[] = [];
  for (const stack of [...new Set([...i.stacks, ...byStack.keys()])].sort()) {
    const earlier = byStack.get(stack);
    // A re-run sees the artifacts of earlier attempts: a stack not applied again in this attempt must not have its
    // old result posted again (nor its issue reopened); that attempt's report said it already.
    if (earlier?.runAttempt !== undefined && i.runAttempt !== undefined && earlier.runAttempt < i.runAttempt) {
      lines.push(`- \`${stack}\`: not run again in attempt ${i.runAttempt}; its result (attempt ${earlier.runAttempt}) was reported then.`, "");
      continue;
    }
    const r: ApplyResult = earlier ?? { stack, outcome: "not-applied", runUrl: i.runUrl, sha: i.sha };
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
