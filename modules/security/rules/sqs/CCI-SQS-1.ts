import type { Rule } from "../../rule";
import { customerKeyFindings } from "../kms/helpers";

/** CCI-SQS-1: SQS queues are encrypted with a customer-managed key. */
export const sqsEncryption: Rule = {
  id: "CCI-SQS-1",
  rationale: "Queued S3 events carry object keys (tenant and call ids): encrypted at rest with the customer key",
  reference: "AWS FSBP SQS.1",
  check(node, ctx) {
    return customerKeyFindings(node, ctx, "aws_sqs_queue", "SQS queue");
  },
};
