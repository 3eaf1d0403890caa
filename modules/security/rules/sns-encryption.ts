import { TerraformResource } from "cdktf";
import type { Rule } from "../rule";

/** CCI-SNS-1: SNS topics are encrypted with a customer-managed key. */
export const snsEncryption: Rule = {
  id: "CCI-SNS-1",
  rationale: "Alarm and budget messages name resources and tenants: encrypted at rest with the customer key",
  reference: "AWS FSBP SNS.1",
  check(node, ctx) {
    if (!(node instanceof TerraformResource) || node.terraformResourceType !== "aws_sns_topic") return [];
    const key = ctx.attrs(node).kms_master_key_id;
    return key && !String(key).includes("alias/aws/") ? [] : ["SNS topic is not encrypted with a customer-managed key (kms_master_key_id)"];
  },
};
