import { TerraformResource } from "cdktf";
import type { Rule } from "../rule";

/** CCI-SQS-1: SQS queues are encrypted with a customer-managed key. */
export const sqsEncryption: Rule = {
  id: "CCI-SQS-1",
  rationale: "Queued S3 events carry object keys (tenant and call ids): encrypted at rest with the customer key",
  reference: "AWS FSBP SQS.1",
  check(node, ctx) {
    if (!(node instanceof TerraformResource) || node.terraformResourceType !== "aws_sqs_queue") return [];
    const key = ctx.attrs(node).kms_master_key_id;
    return key && !String(key).includes("alias/aws/") ? [] : ["SQS queue is not encrypted with a customer-managed key (kms_master_key_id)"];
  },
};
