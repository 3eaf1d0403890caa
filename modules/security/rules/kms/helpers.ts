/** Shared check of the SNS and SQS rules: a resource's `kms_master_key_id` names a customer-managed key. */
import { TerraformResource } from "cdktf";
import type { RuleContext } from "../../rule";

export function customerKeyFindings(node: unknown, ctx: RuleContext, type: string, what: string): string[] {
  if (!(node instanceof TerraformResource) || node.terraformResourceType !== type) return [];
  const key = ctx.attrs(node).kms_master_key_id;
  return key && !String(key).includes("alias/aws/") ? [] : [`${what} is not encrypted with a customer-managed key (kms_master_key_id)`];
}
