/**
 * The result of one stack's apply job (written by `cli.ts apply-result` in the apply job, read by the `report`
 * job, which posts it on the merged pull request and opens/updates/closes the stack's `apply-failed` issue).
 */
import { countsLine, summarizePlan, type PlanJson } from "./plan-summary";
import { codeBlock } from "./truncate";

export type ApplyOutcome = "success" | "failure" | "not-applied";

export interface ApplyResult {
  stack: string;
  outcome: ApplyOutcome;
  /** Counts of the reviewed plan ("3 to add, 0 to change, 0 to destroy"), when the plan was read. */
  planned?: string;
  /** Terraform's own "Resources: X added, Y changed, Z destroyed" of the apply, when it got that far. */
  applied?: { added: number; changed: number; destroyed: number };
  /** The end of the apply log (failures only). */
  errorTail?: string;
  /** A failed apply left errored.tfstate, kept encrypted as this artifact. */
  erroredStateArtifact?: string;
  runUrl?: string;
  sha?: string;
  /** GITHUB_RUN_ATTEMPT of the apply job that wrote it: a re-run's report job also sees earlier attempts' results. */
  runAttempt?: number;
}

/** `Apply complete! Resources: 3 added, 1 changed, 0 destroyed.` (also printed as far as it got on some failures). */
export function parseApplyCounts(log: string): ApplyResult["applied"] {
  const m = /Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(log);
  return m ? { added: Number(m[1]), changed: Number(m[2]), destroyed: Number(m[3]) } : undefined;
}

/** `steps.<id>.outcome` of the apply step: success, failure, or skipped/cancelled/empty (a guard stopped the job first). */
export function outcomeOf(stepOutcome: string): ApplyOutcome {
  if (stepOutcome === "success") return "success";
  if (stepOutcome === "failure") return "failure";
  return "not-applied";
}

export function buildApplyResult(i: {
  stack: string;
  stepOutcome: string;
  plan?: PlanJson;
  log?: string;
  erroredStateArtifact?: string;
  runUrl?: string;
  sha?: string;
  runAttempt?: number;
}): ApplyResult {
  const outcome = outcomeOf(i.stepOutcome);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC (\u001b)
  const log = (i.log ?? "").replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  const r: ApplyResult = { stack: i.stack, outcome };
  if (i.plan) r.planned = countsLine(summarizePlan(i.plan));
  const applied = parseApplyCounts(log);
  if (applied) r.applied = applied;
  if (outcome === "failure") r.errorTail = log.length > 6000 ? `[…]\n${log.slice(-6000)}` : log;
  if (i.erroredStateArtifact) r.erroredStateArtifact = i.erroredStateArtifact;
  if (i.runUrl) r.runUrl = i.runUrl;
  if (i.sha) r.sha = i.sha;
  if (i.runAttempt !== undefined) r.runAttempt = i.runAttempt;
  return r;
}

const ICON: Record<ApplyOutcome, string> = { success: "✅ applied", failure: "❌ apply failed", "not-applied": "⏭️ not applied" };

export function applyResultMarker(stack: string): string {
  return `<!-- cci-lite:apply-result stack=${stack} -->`;
}

/** Markdown for the merged pull request's comment and the failure issue. */
export function renderApplyResult(r: ApplyResult): string {
  const lines = [applyResultMarker(r.stack), `### Apply on \`main\`: \`${r.stack}\` — ${ICON[r.outcome]}`, ""];
  if (r.planned) lines.push(`**Reviewed plan:** ${r.planned}`);
  if (r.applied) lines.push(`**Applied:** ${r.applied.added} added, ${r.applied.changed} changed, ${r.applied.destroyed} destroyed`);
  const meta = [r.sha ? `commit \`${r.sha.slice(0, 12)}\`` : "", r.runUrl ? `[workflow run](${r.runUrl})` : ""].filter(Boolean);
  if (meta.length) lines.push("", `<sub>${meta.join(" · ")}</sub>`);
  if (r.outcome === "not-applied") {
    lines.push("", "A guard stopped the job before `terraform apply` (see the run's summary), or the job was cancelled. Nothing was applied.");
  }
  if (r.outcome === "failure") {
    lines.push(
      "",
      "`terraform apply` failed; resources created before the error exist and are in the state. Read the error below, fix it in a " +
        "pull request (or re-run if it was transient: 'Re-run all jobs', which plans again).",
    );
    if (r.erroredStateArtifact) {
      lines.push(
        "",
        `> [!IMPORTANT]\n> Terraform could not save the state and wrote \`errored.tfstate\`; it is kept encrypted as the artifact ` +
          `\`${r.erroredStateArtifact}\` of the run. Push it back before anything else runs (docs/delivery.md, "Failed apply").`,
      );
    }
    if (r.errorTail) lines.push("", "<details><summary>End of the apply log</summary>", "", codeBlock(r.errorTail, "text"), "</details>");
  }
  return `${lines.join("\n")}\n`;
}
