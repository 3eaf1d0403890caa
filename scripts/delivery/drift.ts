/**
 * Drift classification (docs/delivery.md, Drift). Each stack gets two plans with the read-only role:
 *
 *   terraform plan -refresh-only -detailed-exitcode   what changed OUTSIDE Terraform (console, other tools):
 *                                                     `resource_drift` of the refresh-only plan
 *   terraform plan -detailed-exitcode                 what applying `main` would change: code merged but not
 *                                                     applied, plus the reverts of the drift above
 *
 * A resource changed outside Terraform is reported as drift only (its revert in the normal plan is the same
 * finding); every other change of the normal plan is "merged but not applied".
 */
import { classifyActions, type PlanJson, type PlanResourceChange } from "./plan-summary";

export interface DriftItem {
  address: string;
  type: string;
  /** create | update | delete | replace | forget (no-ops and reads are left out). */
  action: string;
}

export interface DriftClassification {
  /** Changed outside Terraform (refresh-only plan). */
  changedOutside: DriftItem[];
  /** In the code on `main`, not yet applied (normal plan minus the drifted resources). */
  unapplied: DriftItem[];
  /** Output changes of the normal plan (they follow from unapplied code). */
  outputs: string[];
}

function items(changes: PlanResourceChange[] | undefined): DriftItem[] {
  const out: DriftItem[] = [];
  for (const rc of changes ?? []) {
    if (rc.mode === "data") continue;
    const action = classifyActions(rc.change?.actions ?? []);
    if (action === "no-op" || action === "read") continue;
    out.push({ address: rc.address, type: rc.type, action });
  }
  return out;
}

export function classifyDrift(refreshOnly: PlanJson, plan: PlanJson): DriftClassification {
  // A refresh-only plan lists what it found in resource_drift; resource_changes stays empty (or no-op).
  const changedOutside = [...items(refreshOnly.resource_drift), ...items(refreshOnly.resource_changes)];
  const drifted = new Set(changedOutside.map((d) => d.address));
  const unapplied = items(plan.resource_changes).filter((c) => !drifted.has(c.address));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, oc]) => !["no-op", "read"].includes(classifyActions(oc.actions ?? [])))
    .map(([name]) => name)
    .sort();
  return { changedOutside, unapplied, outputs };
}

function table(xs: DriftItem[]): string {
  const rows = xs.slice(0, 200).map((x) => `| ${x.action} | \`${x.address.replace(/\|/g, "\\|")}\` |`);
  const more = xs.length > 200 ? `\n_…and ${xs.length - 200} more; see the workflow run._\n` : "";
  return `${["| Action | Resource |", "| --- | --- |", ...rows].join("\n")}\n${more}`;
}

export function renderDriftIssue(stack: string, c: DriftClassification, runUrl?: string): string {
  const run = runUrl ? ` ([workflow run](${runUrl}))` : "";
  return [
    `### Changed outside Terraform: \`${stack}\``,
    "",
    `A refresh-only plan${run} found ${c.changedOutside.length} resource(s) whose live configuration no longer matches the state ` +
      "Terraform recorded: someone or something changed them outside Terraform.",
    "",
    table(c.changedOutside),
    "Either restore the code's state (re-run the latest `apply` run, or ship any change, and approve), or put the change into the code " +
      "through a pull request. This issue is updated by every drift run and closed by the first run without drift (docs/delivery.md, Drift).",
    "",
  ].join("\n");
}

export function renderUnappliedIssue(stack: string, c: DriftClassification, runUrl?: string): string {
  const run = runUrl ? ` ([workflow run](${runUrl}))` : "";
  const outputs = c.outputs.length ? `\nOutputs that change: ${c.outputs.map((o) => `\`${o}\``).join(", ")}.\n` : "";
  return [
    `### Merged but not applied: \`${stack}\``,
    "",
    `The code on \`main\` differs from what is deployed${run}: ${c.unapplied.length} resource change(s) were merged but never applied ` +
      "(an apply still waiting for approval, refused by a guard, or failed).",
    "",
    table(c.unapplied),
    outputs,
    "Approve (or re-run with 'Re-run all jobs') the newest `apply` run for this stack. This issue closes on the first drift run " +
      "after the apply (docs/delivery.md, Drift).",
    "",
  ].join("\n");
}
