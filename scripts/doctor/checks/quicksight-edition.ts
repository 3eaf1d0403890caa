/**
 * `quicksight-edition`: the QuickSight subscription is Enterprise (docs/doctor.md, "The checks"). The dashboard keeps
 * tenants apart with row-level security and shares through groups, and Standard edition has neither: creating the
 * data set's row-level-security rules fails on a Standard account.
 */
import type { Fact, QuickSightFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

/** The editions with row-level security (DescribeAccountSubscription `AccountInfo.Edition`). */
export const ENTERPRISE_EDITIONS: ReadonlySet<string> = new Set(["ENTERPRISE", "ENTERPRISE_AND_Q"]);

export function checkQuickSightEdition(f: Fact<QuickSightFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "quicksight-edition";
  if (!ctx.cfg.quicksight.enabled) return { id, status: "skipped", message: "quicksight.enabled is false" };
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) return unavailableResult(id, f.error);
  if (!f.value.subscribed) return { id, status: "skipped", message: "no subscription (see quicksight-subscription)" };
  const edition = f.value.edition;
  if (edition && ENTERPRISE_EDITIONS.has(edition)) return { id, status: "ok", message: `edition ${edition} (row-level security available)` };
  return {
    id,
    status: "problem",
    message: `the QuickSight subscription is ${edition ?? "of unknown edition"}: the dashboard's row-level security (one tenant's rows per group) needs Enterprise`,
    fix: `upgrade the subscription to Enterprise ("Manage QuickSight > Your subscriptions"), or set quicksight.enabled: false in ${ctx.configFile}`,
  };
}
