/**
 * The issues the workflows keep, one per title and label, opened, updated in place or closed: drift (`drift`
 * label: drift, merged-but-not-applied and drift-check-failed issues per stack, scripts/delivery/drift.ts) and
 * failed applies (`apply-failed`). docs/delivery.md, "Drift" and "Apply results".
 */
import { APPLY_FAILED_LABEL, DELIVERY_LABELS, DRIFT_LABEL } from "../../modules/github/labels";
import type { Issue, Label, OctokitLike, RepoParams, UpsertResult } from "./octokit";

// One home for the labels: the github stack declares them too (modules/github/labels.ts).
export { APPLY_FAILED_LABEL, DELIVERY_LABELS, DRIFT_LABEL };

/**
 * Creates each label that does not exist yet (GET, then POST on 404); an existing label is left as it is, and a
 * concurrent creation (422 already_exists) counts as existing. Returns the names it created.
 */
export async function ensureLabels(i: RepoParams & { octokit: OctokitLike; labels?: readonly Label[] }): Promise<string[]> {
  const created: string[] = [];
  for (const label of i.labels ?? DELIVERY_LABELS) {
    try {
      await i.octokit.rest.issues.getLabel({ owner: i.owner, repo: i.repo, name: label.name });
      continue;
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
    const known = DELIVERY_LABELS.find((l) => l.name === label.name);
    try {
      await i.octokit.rest.issues.createLabel({
        owner: i.owner,
        repo: i.repo,
        name: label.name,
        color: label.color ?? known?.color ?? "ededed",
        description: label.description ?? known?.description ?? undefined,
      });
      created.push(label.name);
    } catch (e) {
      if ((e as { status?: number }).status !== 422) throw e;
    }
  }
  return created;
}

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
    // The label must exist first: the next run finds this issue by its label, so without it every run would open another.
    await ensureLabels({ octokit: i.octokit, owner: i.owner, repo: i.repo, labels: [{ name: i.label }] });
    const { data } = await i.octokit.rest.issues.create({ owner: i.owner, repo: i.repo, title: i.title, body: i.body, labels: [i.label] });
    const names = (data.labels ?? []).map((l) => (typeof l === "string" ? l : l.name));
    if (!names.includes(i.label)) {
      throw new Error(
        `Issue #${data.number} was created without the label "${i.label}" (GitHub drops labels the token may not set): ` +
          `the next run could not find it and would open another. Give the workflow's token issues: write and add the label to #${data.number}.`,
      );
    }
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
