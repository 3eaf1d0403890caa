import { asArray, type Rule } from "../../rule";
import { identityPolicies, isType } from "./helpers";

/** AWS managed policies that grant every action on every resource. */
const FULL_ACCESS = ["arn:aws:iam::aws:policy/AdministratorAccess"];

/**
 * CCI-IAM-1: no identity policy allows `*` or `service:*` (or NotAction) on `Resource: "*"`, and no
 * AdministratorAccess attachment.
 */
export const iamNoWildcard: Rule = {
  id: "CCI-IAM-1",
  rationale: "Every principal gets named actions on named resources (least privilege)",
  reference: "Guide §4/§12; AWS FSBP IAM.1 and IAM.21",
  check(node, ctx) {
    if (isType(node, "aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment")) {
      const arn = ctx.attrs(node).policy_arn;
      return typeof arn === "string" && FULL_ACCESS.includes(arn) ? [`attaches ${arn} (every action on every resource)`] : [];
    }
    if (!isType(node, "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_policy", "aws_iam_role")) return [];
    const out: string[] = [];
    for (const statements of identityPolicies(node, ctx)) {
      for (const s of statements) {
        if (s.Effect !== "Allow") continue;
        const onEverything = asArray(s.Resource).includes("*") || s.NotResource !== undefined;
        const broad = asArray(s.Action).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
        if (s.NotAction !== undefined && onEverything) out.push(`statement ${s.Sid ?? "(no Sid)"} allows NotAction on Resource "*"`);
        if (broad.length && onEverything) out.push(`statement ${s.Sid ?? "(no Sid)"} allows ${broad.join(", ")} on Resource "*"`);
      }
    }
    return out;
  },
};
