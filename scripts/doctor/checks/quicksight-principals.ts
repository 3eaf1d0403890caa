/**
 * `quicksight-principals`: the QuickSight user or group of `quicksight.principalArn`, `quicksight.operatorsGroup` and
 * every tenant's `quicksightGroups` exist in the namespace (docs/doctor.md, "The checks"). The data source, data sets
 * and dashboard grant them permissions and the row-level-security rules name the groups: a missing one fails the apply
 * (`ResourceNotFoundException`) or leaves a tenant's people without their rows.
 */
import type { Fact, PrincipalFacts } from "../facts";
import { principalsResult } from "./principals-exist";
import type { CheckContext, CheckResult } from "./shared";

export function checkQuickSightPrincipals(f: Fact<readonly PrincipalFacts[]> | undefined, ctx: CheckContext): CheckResult {
  const id = "quicksight-principals";
  if (!ctx.cfg.quicksight.enabled) return { id, status: "skipped", message: "quicksight.enabled is false" };
  if (!f) return { id, status: "skipped", message: "not gathered" };
  return principalsResult(id, f, "QuickSight users and groups", (missing) => {
    const fields = [...new Set(missing.flatMap((p) => p.fields))].join(", ");
    return `create them in QuickSight (namespace ${ctx.cfg.quicksight.namespace}: \`aws quicksight create-group\` or the console's "Manage users"), or change ${fields} in ${ctx.configFile}`;
  });
}
