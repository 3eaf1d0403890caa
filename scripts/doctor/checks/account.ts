/**
 * `account`: the credentials belong to the configured account (docs/doctor.md, "The checks").
 */
import type { AccountFacts } from "../facts";
import type { CheckContext, CheckResult } from "./shared";

export function checkAccount(caller: AccountFacts["caller"], ctx: CheckContext): CheckResult {
  if (caller.account === ctx.cfg.accountId) {
    return { id: "account", status: "ok", message: `credentials are ${caller.arn} in account ${caller.account}` };
  }
  return {
    id: "account",
    status: "problem",
    message: `credentials are for account ${caller.account} (${caller.arn}) but accountId is ${ctx.cfg.accountId}; every other check would look at the wrong account`,
    fix: `use credentials for account ${ctx.cfg.accountId}, or set accountId in ${ctx.configFile}`,
  };
}
