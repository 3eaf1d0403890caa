/** Reads a bucket's policy statements (from aws_s3_bucket_policy resources attached to it). */
import type { TerraformResource } from "cdktf";
import { asArray, parsePolicy, type PolicyStatement, type RuleContext } from "../../rule";
import { companions } from "./helpers";

export function bucketStatements(ctx: RuleContext, bucket: TerraformResource): PolicyStatement[] {
  const inline = parsePolicy(ctx.attrs(bucket).policy) ?? [];
  return [...inline, ...companions(ctx, bucket, "aws_s3_bucket_policy").flatMap((p) => parsePolicy(p.policy) ?? [])];
}

export const actions = (s: PolicyStatement): string[] => asArray(s.Action);
export const everyone = (s: PolicyStatement): boolean => s.Principal === "*" || (typeof s.Principal === "object" && asArray(s.Principal?.AWS).includes("*"));

/** Whether a condition block tests `key` with the operator family `op` and value `value`. */
export function hasCondition(s: PolicyStatement, op: RegExp, key: string, value?: string): boolean {
  return Object.entries(s.Condition ?? {}).some(
    ([o, block]) =>
      op.test(o) &&
      Object.entries(block).some(([k, v]) => k.toLowerCase() === key.toLowerCase() && (value === undefined || asArray(v).map(String).includes(value))),
  );
}
