import type { Rule } from "../../rule";
import { customerKeyFindings } from "../kms/helpers";

/** CCI-SNS-1: SNS topics are encrypted with a customer-managed key. */
export const snsEncryption: Rule = {
  id: "CCI-SNS-1",
  rationale: "Alarm and budget messages name resources and tenants: encrypted at rest with the customer key",
  reference: "AWS FSBP SNS.1",
  check(node, ctx) {
    return customerKeyFindings(node, ctx, "aws_sns_topic", "SNS topic");
  },
};
