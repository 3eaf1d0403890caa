import type { Rule } from "../../rule";
import { functionLogGroupName, functionLogGroups, isFunction } from "./helpers";

/** CCI-LAMBDA-4: the function's log group is a managed resource of the stack (so CCI-LOG-1 governs it). */
export const lambdaLogGroup: Rule = {
  id: "CCI-LAMBDA-4",
  rationale: "Without a managed log group Lambda creates one with no retention and no customer key",
  reference: "Guide §9",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    return functionLogGroups(ctx, node).length ? [] : [`function logs to ${functionLogGroupName(ctx, node)}, which is not a log group of this stack`];
  },
};
