/**
 * `quicksight-service-role`: the QuickSight service role the stack names exists, and it is the one QuickSight uses
 * for S3 and Athena in this account (docs/doctor.md, "The checks"). The application key's policy grants
 * `quicksight.serviceRoleName` by ARN (`aws:PrincipalArn`): a role that does not exist leaves QuickSight unable to
 * decrypt the results (it no longer fails the key's creation). Accounts whose QuickSight reads S3 and Athena as `aws-quicksight-s3-consumers-role-v0`
 * need that role named instead, or every refresh fails on the key.
 */
import { QUICKSIGHT_S3_CONSUMERS_ROLE } from "../aws/account";
import type { Fact, QuickSightRoleFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

export function checkQuickSightServiceRole(f: Fact<QuickSightRoleFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "quicksight-service-role";
  if (!ctx.cfg.quicksight.enabled) return { id, status: "skipped", message: "quicksight.enabled is false" };
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) return unavailableResult(id, f.error);
  const configured = ctx.cfg.quicksight.serviceRoleName;
  const usesConsumers = configured === QUICKSIGHT_S3_CONSUMERS_ROLE;
  if (!f.value.configured) {
    return {
      id,
      status: "problem",
      message: `the role ${configured} (quicksight.serviceRoleName) does not exist: the key policy grants it, so QuickSight cannot decrypt the results until it exists`,
      fix:
        f.value.s3Consumers && !usesConsumers
          ? `set quicksight.serviceRoleName to "${QUICKSIGHT_S3_CONSUMERS_ROLE}" in ${ctx.configFile} (QuickSight uses it in this account)`
          : `open QuickSight's "Manage QuickSight > Security & permissions" once (it creates its service role), or set quicksight.enabled: false in ${ctx.configFile}`,
    };
  }
  if (f.value.s3Consumers && !usesConsumers) {
    return {
      id,
      status: "problem",
      message: `QuickSight reads S3 and Athena as ${QUICKSIGHT_S3_CONSUMERS_ROLE} in this account, but the key and grants name ${configured}: refreshes would fail on the key`,
      fix: `set quicksight.serviceRoleName to "${QUICKSIGHT_S3_CONSUMERS_ROLE}" in ${ctx.configFile}`,
    };
  }
  return { id, status: "ok", message: `${configured} exists` };
}
