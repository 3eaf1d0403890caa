/**
 * Terraform plan JSON (`terraform show -json <planfile>`) -> counts, resource list and Markdown.
 *
 * Counts follow Terraform's own "Plan: X to add, Y to change, Z to destroy" line: a replacement counts
 * once in "add" and once in "destroy".
 */
import { codeBlock, DEFAULT_BODY_BUDGET, fenceFor, tableCell, truncateText } from "./truncate";
import { renderFindings, type ScanReport } from "./scan";

/** The subset of Terraform's JSON plan format we read. */
export interface PlanJson {
  format_version?: string;
  terraform_version?: string;
  errored?: boolean;
  complete?: boolean;
  applyable?: boolean;
  resource_changes?: PlanResourceChange[];
  resource_drift?: PlanResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
}

export interface PlanResourceChange {
  address: string;
  previous_address?: string;
  mode?: "managed" | "data";
  type: string;
  name?: string;
  change: { actions: string[]; importing?: unknown };
  action_reason?: string;
}

export type ResourceAction = "create" | "update" | "delete" | "replace" | "read" | "forget" | "import" | "move" | "no-op";

export interface ResourceSummary {
  address: string;
  type: string;
  action: ResourceAction;
  previousAddress?: string;
  importing: boolean;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Included in add and destroy as well. */
  replace: number;
  import: number;
  move: number;
  forget: number;
  /** Resources changed outside Terraform (refresh-only drift Terraform noticed). */
  driftedOutsideTerraform: number;
  outputsChanged: string[];
  /** Resources with something to do (no-ops and data reads left out), in plan order. */
  resources: ResourceSummary[];
  /** True when applying the plan would change anything (resources or outputs). */
  hasChanges: boolean;
  errored: boolean;
  terraformVersion?: string;
}

export function classifyActions(actions: readonly string[]): Exclude<ResourceAction, "import" | "move"> {
  const a = [...actions].sort().join(",");
  switch (a) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "create,delete":
      return "replace";
    case "read":
      return "read";
    case "forget":
      return "forget";
    case "create,forget":
      // Terraform >= 1.7 "forget then create" counts like a create.
      return "create";
    case "no-op":
    case "":
      return "no-op";
    default:
      throw new Error(`Unknown Terraform plan actions: ${JSON.stringify(actions)}`);
  }
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  if (!plan || typeof plan !== "object" || (plan.format_version === undefined && plan.resource_changes === undefined)) {
    throw new Error("Not a Terraform plan JSON document (expected `terraform show -json <planfile>` output)");
  }
  const s: PlanSummary = {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    import: 0,
    move: 0,
    forget: 0,
    driftedOutsideTerraform: (plan.resource_drift ?? []).length,
    outputsChanged: [],
    resources: [],
    hasChanges: false,
    errored: plan.errored === true,
    terraformVersion: plan.terraform_version,
  };
  for (const rc of plan.resource_changes ?? []) {
    const base = classifyActions(rc.change?.actions ?? []);
    const importing = rc.change?.importing !== undefined && rc.change?.importing !== null;
    const moved = rc.previous_address !== undefined && rc.previous_address !== rc.address;
    if (importing) s.import++;
    if (moved) s.move++;
    switch (base) {
      case "create":
        s.add++;
        break;
      case "update":
        s.change++;
        break;
      case "delete":
        s.destroy++;
        break;
      case "replace":
        s.add++;
        s.destroy++;
        s.replace++;
        break;
      case "forget":
        s.forget++;
        break;
      default:
        break;
    }
    let action: ResourceAction = base;
    if (base === "no-op" && importing) action = "import";
    else if (base === "no-op" && moved) action = "move";
    if (action === "no-op" || action === "read") continue;
    s.resources.push({
      address: rc.address,
      type: rc.type,
      action,
      importing,
      ...(moved ? { previousAddress: rc.previous_address } : {}),
    });
  }
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    const kind = classifyActions(oc.actions ?? []);
    if (kind !== "no-op" && kind !== "read") s.outputsChanged.push(name);
  }
  s.hasChanges = s.resources.length > 0 || s.outputsChanged.length > 0;
  return s;
}

/** Terraform's own wording, e.g. "3 to add, 1 to change, 0 to destroy". */
export function countsLine(s: PlanSummary): string {
  const extras: string[] = [];
  if (s.replace) extras.push(`${s.replace} replaced`);
  if (s.import) extras.push(`${s.import} to import`);
  if (s.move) extras.push(`${s.move} moved`);
  if (s.forget) extras.push(`${s.forget} to forget`);
  const main = `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`;
  return extras.length ? `${main} (${extras.join(", ")})` : main;
}

const ACTION_LABEL: Record<ResourceAction, string> = {
  create: "➕ create",
  update: "🔧 update",
  delete: "🗑️ destroy",
  replace: "♻️ replace",
  read: "read",
  forget: "✂️ forget",
  import: "📥 import",
  move: "🚚 move",
  "no-op": "no-op",
};

/** Destructive actions first, then the rest in plan order. */
function ordered(resources: ResourceSummary[]): ResourceSummary[] {
  const rank = (r: ResourceSummary) => (r.action === "delete" ? 0 : r.action === "replace" ? 1 : 2);
  return resources
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}

export function renderResourceTable(resources: ResourceSummary[], maxRows = 200): string {
  if (resources.length === 0) return "_No resource changes._\n";
  const rows = ordered(resources);
  const shown = rows.slice(0, Math.max(0, maxRows));
  const lines = ["| Action | Resource |", "| --- | --- |"];
  for (const r of shown) {
    const from = r.previousAddress ? ` (from \`${tableCell(r.previousAddress)}\`)` : "";
    const imp = r.importing && r.action !== "import" ? " 📥" : "";
    lines.push(`| ${ACTION_LABEL[r.action]}${imp} | \`${tableCell(r.address)}\`${from} |`);
  }
  let out = `${lines.join("\n")}\n`;
  if (rows.length > shown.length) out += `\n_…and ${rows.length - shown.length} more resource(s); see the full plan._\n`;
  return out;
}

export interface RenderOptions {
  stack: string;
  summary: PlanSummary;
  /** `terraform show -no-color <planfile>` output, or the plan log when the plan failed. */
  planText: string;
  /** Link to the workflow run (full plan in the job log and job summary). */
  runUrl?: string;
  commitSha?: string;
  scan?: ScanReport;
  /** Title prefix, e.g. "Terraform plan" or "Drift". */
  title?: string;
  /** Hidden marker placed first (used to find the comment again). */
  marker?: string;
  /** Max body length; default stays under GitHub's 65,536-character limit. */
  maxLength?: number;
  /** Extra paragraph under the headline. */
  note?: string;
}

/** Hidden marker identifying the plan comment of one stack on a pull request. */
export function planCommentMarker(stack: string): string {
  return `<!-- cci-lite:terraform-plan stack=${stack} -->`;
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC (\u001b)
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

/**
 * Markdown for a plan comment / job summary / drift issue: headline with counts first, the resource list,
 * scan findings, then the full plan collapsed in <details>, truncated so the whole body fits `maxLength`.
 */
export function renderPlanMarkdown(o: RenderOptions): string {
  const max = o.maxLength ?? DEFAULT_BODY_BUDGET;
  const s = o.summary;
  const status = s.errored ? "❌ plan failed" : s.hasChanges ? "⚠️ changes" : "✅ no changes";
  const head: string[] = [];
  if (o.marker) head.push(o.marker);
  head.push(`### ${o.title ?? "Terraform plan"}: \`${o.stack}\` — ${status}`);
  head.push("");
  head.push(`**Plan:** ${countsLine(s)}${s.outputsChanged.length ? `; outputs changed: ${s.outputsChanged.map((n) => `\`${n}\``).join(", ")}` : ""}`);
  if (s.driftedOutsideTerraform) head.push(`\n**Changed outside Terraform:** ${s.driftedOutsideTerraform} resource(s) (see the plan).`);
  const meta: string[] = [];
  if (o.commitSha) meta.push(`commit \`${o.commitSha.slice(0, 12)}\``);
  if (s.terraformVersion) meta.push(`Terraform ${s.terraformVersion}`);
  if (o.runUrl) meta.push(`[workflow run](${o.runUrl})`);
  if (meta.length) head.push(`\n<sub>${meta.join(" · ")}</sub>`);
  if (o.note) head.push(`\n${o.note}`);
  head.push("");
  const headText = `${head.join("\n")}\n`;

  const scanText = o.scan ? `${renderFindings(o.scan)}\n` : "";
  const planText = stripAnsi(o.planText);
  const where = o.runUrl ? `the [workflow run](${o.runUrl}) (job log and job summary)` : "the workflow run's job log";
  const truncNote = (n: number) =>
    `\n> [!NOTE]\n> The plan output above was truncated (${n} characters left out) to fit GitHub's comment limit; the full plan is in ${where}.\n`;
  const tail = (rows: number, plan: string, omitted: number) =>
    `${renderResourceTable(s.resources, rows)}\n${scanText}<details><summary>Full plan output</summary>\n\n${codeBlock(plan, "text")}${omitted ? truncNote(omitted) : ""}</details>\n`;

  // Shrink the resource table first if the fixed parts alone do not fit.
  const worstOmitted = Math.max(1, planText.length);
  let rows = 200;
  while (rows > 0 && headText.length + tail(rows, "", worstOmitted).length > max) rows = Math.floor(rows / 2);
  const fixed = headText.length + tail(rows, "", worstOmitted).length;
  // Truncation only removes backticks, so the fence never grows; the extra line break is covered by the margin.
  const fenceExtra = 2 * (fenceFor(planText).length - 3) + 1;
  const budget = Math.max(0, max - fixed - fenceExtra - 8);
  const cut = truncateText(planText, budget, () => "[... truncated ...]\n");
  let body = headText + tail(rows, cut.text, cut.omitted);
  if (body.length > max) body = body.slice(0, max); // last resort, should not happen
  return body;
}

/** Markdown when `terraform init` or `plan` failed: the tail of the log, which holds the error. */
export function renderPlanFailure(o: {
  stack: string;
  log: string;
  runUrl?: string;
  commitSha?: string;
  marker?: string;
  title?: string;
  maxLength?: number;
}): string {
  const max = o.maxLength ?? DEFAULT_BODY_BUDGET;
  const head = [
    ...(o.marker ? [o.marker] : []),
    `### ${o.title ?? "Terraform plan"}: \`${o.stack}\` — ❌ plan failed`,
    "",
    `Terraform could not produce a plan${o.commitSha ? ` for commit \`${o.commitSha.slice(0, 12)}\`` : ""}.` +
      ` The end of the log is below${o.runUrl ? `; the full log is in the [workflow run](${o.runUrl})` : ""}.`,
    "",
  ].join("\n");
  const log = stripAnsi(o.log);
  const fenceExtra = 2 * (fenceFor(log).length - 3);
  const budget = Math.max(0, max - head.length - fenceExtra - 64);
  // Keep the END of the log, where Terraform prints the error.
  const kept = log.length > budget ? `[... ${log.length - budget} characters left out ...]\n${log.slice(log.length - budget + 64)}` : log;
  return `${head}\n${codeBlock(kept, "text")}`;
}
