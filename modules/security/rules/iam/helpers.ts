import { TerraformResource } from "cdktf";
import { asArray, field, parsePolicy, type PolicyStatement, type RuleContext } from "../../rule";

export const isType = (node: unknown, ...types: string[]): node is TerraformResource =>
  node instanceof TerraformResource && types.includes(node.terraformResourceType);

/** Identity policy documents carried by a resource (inline role/user/group policies, managed policies, role inline_policy). */
export function identityPolicies(node: TerraformResource, ctx: RuleContext): PolicyStatement[][] {
  const a = ctx.attrs(node);
  switch (node.terraformResourceType) {
    case "aws_iam_role_policy":
    case "aws_iam_user_policy":
    case "aws_iam_group_policy":
    case "aws_iam_policy":
      return [parsePolicy(a.policy) ?? []];
    case "aws_iam_role":
      return asArray(a.inline_policy).map((p) => parsePolicy(field(p, "policy")) ?? []);
    default:
      return [];
  }
}

/** Every condition key a statement tests, lower-cased. */
export function conditionKeys(s: PolicyStatement): string[] {
  return Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));
}

/** Service principals of a statement. */
export const services = (s: PolicyStatement): string[] => (typeof s.Principal === "object" && s.Principal ? asArray(s.Principal.Service) : []);

/** Keys that tie a service's request to this account or resource (confused-deputy protection). */
export const DEPUTY_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"];
