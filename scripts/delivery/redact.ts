/**
 * The plan JSON the security scan (checkov, in a job without credentials) receives: the planned configuration
 * without state values. Kept: `format_version`, `terraform_version`, `planned_values` (resources only),
 * `resource_changes` (actions and `after`), `configuration` (expressions, no state), the outputs' actions (not their
 * values), `errored`/`complete`/`applyable`. Removed: `prior_state`, `resource_drift`, `variables`,
 * `relevant_attributes`, `checks`, every `before` value and the outputs' values. Every value Terraform marks sensitive (`sensitive_values`, `after_sensitive`) is replaced by
 * {@link REDACTED}. What is left is what the pull request's plan comment already shows in clear.
 */
import type { PlanJson } from "./plan-summary";

export const REDACTED = "(redacted: sensitive)";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `value` with every part that `sensitive` (Terraform's sensitivity mask: true, or a nested object/array of them) marks replaced. */
export function maskSensitive(value: Json | undefined, sensitive: Json | undefined): Json | undefined {
  if (sensitive === true) return value === null || value === undefined ? value : REDACTED;
  if (value === null || value === undefined || sensitive === undefined || sensitive === null || sensitive === false) return value;
  if (Array.isArray(value)) return value.map((v, i) => maskSensitive(v, Array.isArray(sensitive) ? sensitive[i] : undefined) as Json);
  if (typeof value === "object" && typeof sensitive === "object" && !Array.isArray(sensitive)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSensitive(v, sensitive[k]) as Json]));
  }
  return value;
}

interface PlannedModule {
  resources?: Array<Record<string, Json> & { values?: Json; sensitive_values?: Json }>;
  child_modules?: PlannedModule[];
}

function redactModule(m: PlannedModule): PlannedModule;
function redactModule(m: PlannedModule | undefined): PlannedModule | undefined;
function redactModule(m: PlannedModule | undefined): PlannedModule | undefined {
  if (!m) return m;
  return {
    ...m,
    resources: (m.resources ?? []).map((r) => ({ ...r, values: maskSensitive(r.values, r.sensitive_values) as Json })),
    child_modules: (m.child_modules ?? []).map((c) => redactModule(c)),
  };
}

export function redactPlanForScan(plan: PlanJson & Record<string, unknown>): Record<string, unknown> {
  if (!plan || typeof plan !== "object" || plan.format_version === undefined) {
    throw new Error("Not a Terraform plan JSON document (expected `terraform show -json <planfile>` output)");
  }
  const planned = plan.planned_values as { root_module?: PlannedModule } | undefined;
  return {
    format_version: plan.format_version,
    terraform_version: plan.terraform_version,
    ...(planned ? { planned_values: { root_module: redactModule(planned.root_module) } } : {}),
    resource_changes: (plan.resource_changes ?? []).map((rc) => {
      const { before: _b, before_sensitive: _bs, ...rest } = rc.change as unknown as Record<string, Json>;
      return { ...rc, change: { ...rest, after: maskSensitive(rest.after, rest.after_sensitive) } };
    }),
    ...(plan.configuration ? { configuration: plan.configuration } : {}),
    output_changes: Object.fromEntries(Object.entries(plan.output_changes ?? {}).map(([k, v]) => [k, { actions: v.actions }])),
    ...Object.fromEntries((["errored", "complete", "applyable"] as const).filter((k) => plan[k] !== undefined).map((k) => [k, plan[k]])),
  };
}
