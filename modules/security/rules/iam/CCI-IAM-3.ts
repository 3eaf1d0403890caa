import type { Rule } from "../../rule";
import { isType } from "./helpers";

/** CCI-IAM-3: no policies on IAM users (inline or attached); people and pipelines use roles. */
export const iamNoUserPolicies: Rule = {
  id: "CCI-IAM-3",
  rationale: "Permissions live on roles with short-lived credentials, never on long-lived users",
  reference: "AWS FSBP IAM.2",
  check(node, ctx) {
    if (isType(node, "aws_iam_user_policy", "aws_iam_user_policy_attachment")) return ["policy attached to an IAM user"];
    if (!isType(node, "aws_iam_policy_attachment")) return [];
    const users = ctx.attrs(node).users;
    return (Array.isArray(users) || typeof users === "string") && users.length ? ["policy attachment names IAM users"] : [];
  },
};
