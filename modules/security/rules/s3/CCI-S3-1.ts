import { blocks, type Rule } from "../../rule";
import { companions, isBucket } from "./helpers";

/** CCI-S3-1: default encryption SSE-KMS with the customer-managed key (never SSE-S3 or the AWS-managed aws/s3 key). */
export const s3Encryption: Rule = {
  id: "CCI-S3-1",
  rationale: "Call audio and results are encrypted at rest with the customer-managed key, so access needs a key grant too",
  reference: "Guide §2/§3; AWS FSBP S3.17",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const configs = companions(ctx, node, "aws_s3_bucket_server_side_encryption_configuration");
    const inline = blocks(ctx.attrs(node).server_side_encryption_configuration);
    const rules = [...configs, ...inline].flatMap((c) => blocks(c.rule));
    const byDefault = rules.flatMap((r) => blocks(r.apply_server_side_encryption_by_default));
    const ok = byDefault.some((d) => {
      const key = d.kms_master_key_id;
      return (d.sse_algorithm === "aws:kms" || d.sse_algorithm === "aws:kms:dsse") && typeof key === "string" && key !== "" && !key.includes("alias/aws/");
    });
    return ok ? [] : ["bucket has no default SSE-KMS encryption with a customer-managed key"];
  },
};
