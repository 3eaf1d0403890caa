import type { Rule } from "../../rule";
import { isFunction } from "./helpers";

/** CCI-LAMBDA-2: reserved concurrency is set (caps spend and protects the account's pool). */
export const lambdaConcurrency: Rule = {
  id: "CCI-LAMBDA-2",
  rationale: "A flood of uploads cannot run away with cost or starve other functions",
  reference: "Guide §14",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    const c = ctx.attrs(node).reserved_concurrent_executions;
    return typeof c === "number" && c >= 0 ? [] : ["function has no reserved_concurrent_executions"];
  },
};
