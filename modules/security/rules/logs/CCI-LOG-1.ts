import { TerraformResource } from "cdktf";
import type { Rule } from "../../rule";

/** CCI-LOG-1: every log group has a retention and is encrypted with a customer-managed key. */
export const logGroup: Rule = {
  id: "CCI-LOG-1",
  rationale: "Logs may carry call metadata: they expire and are encrypted with the customer key",
  reference: "Guide §9; AWS FSBP CloudWatch.16",
  check(node, ctx) {
    if (!(node instanceof TerraformResource) || node.terraformResourceType !== "aws_cloudwatch_log_group") return [];
    const a = ctx.attrs(node);
    const out: string[] = [];
    if (!(typeof a.retention_in_days === "number" && a.retention_in_days > 0)) out.push("log group has no retention (retention_in_days)");
    if (!a.kms_key_id) out.push("log group is not encrypted with a customer-managed key (kms_key_id)");
    return out;
  },
};
