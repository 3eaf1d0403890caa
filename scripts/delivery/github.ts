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
  const label = i.label ?? DRIFT_LABEL;
  const title = driftIssueTitle(i.stack);
  if (i.exitCode !== 0 && i.exitCode !== 2) {
    throw new Error(`terraform plan exit code ${i.exitCode} for ${i.stack}: the plan failed, no drift issue was changed`);
  }
  const open = await findOpenIssues(i.octokit, i.owner, i.repo, label, title);
  if (i.exitCode === 2) {
    if (!i.body) throw new Error("syncDriftIssue: a body is required when drift was found");
    const [existing] = open;
    if (existing) {
      const { data } = await i.octokit.rest.issues.update({ owner: i.owner, repo: i.repo, issue_number: existing.number, body: i.body });
      return { action: "updated", number: existing.number, url: data.html_url ?? existing.html_url };
    }
    const { data } = await i.octokit.rest.issues.create({ owner: i.owner, repo: i.repo, title, body: i.body, labels: [label] });
    return { action: "created", number: data.number, url: data.html_url };
  }
  if (open.length === 0) return { action: "none" };
  const where = i.runUrl ? ` in [this run](${i.runUrl})` : "";
  for (const issue of open) {
    await i.octokit.rest.issues.createComment({
      owner: i.owner,
      repo: i.repo,
      issue_number: issue.number,
      body: `✅ No drift detected${where}: the live account matches the code for \`${i.stack}\`. Closing.`,
    });
    await i.octokit.rest.issues.update({ owner: i.owner, repo: i.repo, issue_number: issue.number, state: "closed", state_reason: "completed" });
  }
  return { action: "closed", number: open[0]!.number };
}
