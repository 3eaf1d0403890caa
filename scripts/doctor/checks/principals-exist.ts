/**
 * `principals-exist`: every IAM role and user of this account the configuration names exists (docs/doctor.md, "The
 * checks"): the access groups (`access.*`) and the tenants' `readerPrincipals` and `uploaderPrincipals`. The stack
 * attaches the people policies to exactly those roles and names them in trust and key policies: a role that does
 * not exist fails the attachment (`NoSuchEntity`) on the first apply, and an assume-role trust naming it is refused
 * (`MalformedPolicyDocument`). Account roots and other accounts' principals are not asked (these credentials cannot).
 */
import type { Fact, PrincipalFacts } from "../facts";
import { type CheckContext, type CheckResult, list, unavailableResult } from "./shared";

/** The check over a list of principal facts; shared by the IAM and QuickSight checks (same outcomes, other fixes). */
export function principalsResult(
  id: string,
  f: Fact<readonly PrincipalFacts[]>,
  what: string,
  fix: (missing: readonly PrincipalFacts[]) => string,
): CheckResult {
  if (!f.ok) return unavailableResult(id, f.error);
  const missing = f.value.filter((p) => p.state === "missing");
  if (missing.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(missing.map((p) => `${p.arn} (${p.fields.join(", ")})`))} ${missing.length === 1 ? "does" : "do"} not exist`,
      fix: fix(missing),
    };
  }
  const checked = f.value.filter((p) => p.state === "exists").length;
  const notChecked = f.value.length - checked;
  if (f.value.length === 0) return { id, status: "ok", message: `no ${what} configured` };
  return { id, status: "ok", message: `${what} exist: ${checked} asked${notChecked ? `, ${notChecked} not asked (account roots or other accounts)` : ""}` };
}

export function checkPrincipalsExist(f: Fact<readonly PrincipalFacts[]>, ctx: CheckContext): CheckResult {
  return principalsResult("principals-exist", f, "IAM principals", (missing) => {
    const fields = [...new Set(missing.flatMap((p) => p.fields))];
    return `create them (the stack does not), or remove them from ${list(fields)} in ${ctx.configFile}`;
  });
}
