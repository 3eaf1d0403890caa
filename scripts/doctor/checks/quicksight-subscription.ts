/**
 * `quicksight-subscription`: the account has a QuickSight subscription the dashboards can use (docs/doctor.md, "The checks").
 */
import type { Fact, QuickSightFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

export function checkQuickSight(f: Fact<QuickSightFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "quicksight-subscription";
  if (!ctx.cfg.quicksight.enabled) return { id, status: "skipped", message: "quicksight.enabled is false" };
  const noSubscriptionFix = `subscribe to QuickSight Enterprise in the console, or set quicksight.enabled: false in ${ctx.configFile}`;
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) {
    const r = unavailableResult(id, f.error);
    // QuickSight answers AccessDeniedException also for an account that may not use it (API reference).
    return f.error.kind === "access-denied"
      ? { ...r, message: `${r.message}; QuickSight also answers so for an account without a subscription`, fix: `${r.fix}; or ${noSubscriptionFix}` }
      : r;
  }
  const q = f.value;
  if (!q.subscribed) {
    return {
      id,
      status: "problem",
      message: "the account has no QuickSight subscription (DescribeAccountSubscription: ResourceNotFoundException)",
      fix: noSubscriptionFix,
    };
  }
  const where = q.identityRegion ? ` (identity region ${q.identityRegion})` : "";
  if (q.status !== "ACCOUNT_CREATED") {
    return {
      id,
      status: "problem",
      message: `the QuickSight subscription is ${q.status ?? "of unknown status"}${where}, not ACCOUNT_CREATED`,
      fix: `finish (or renew) the QuickSight subscription in the console, or set quicksight.enabled: false in ${ctx.configFile}`,
    };
  }
  const principalRegion = /^arn:aws:quicksight:([a-z0-9-]+):/.exec(ctx.cfg.quicksight.principalArn ?? "")?.[1];
  if (q.identityRegion && principalRegion && principalRegion !== q.identityRegion) {
    return {
      id,
      status: "problem",
      message: `quicksight.principalArn names region ${principalRegion} but QuickSight users live in the identity region ${q.identityRegion}`,
      fix: `set quicksight.principalArn in ${ctx.configFile} to the user or group ARN in ${q.identityRegion}`,
    };
  }
  return { id, status: "ok", message: `subscription ACCOUNT_CREATED, edition ${q.edition ?? "unknown"}${where}` };
}
