import type { Rule } from "../../rule";
import { isBucket } from "./helpers";
import { actions, bucketStatements, everyone, hasCondition } from "./policy-helpers";

/** CCI-S3-4: the bucket policy denies uploads that do not ask for SSE-KMS. */
export const s3EncryptionRequired: Rule = {
  id: "CCI-S3-4",
  rationale: "An upload without aws:kms is refused rather than silently encrypted some other way (guide §3.3 validation)",
  reference: "Guide §3.3",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const denies = bucketStatements(ctx, node).filter(
      (s) => s.Effect === "Deny" && everyone(s) && actions(s).some((a) => a === "s3:PutObject" || a === "s3:*"),
    );
    const missingHeader = denies.some((s) => hasCondition(s, /^Null$/, "s3:x-amz-server-side-encryption", "true"));
    const otherValue = denies.some((s) => hasCondition(s, /^StringNotEquals(IfExists)?$/, "s3:x-amz-server-side-encryption", "aws:kms"));
    return missingHeader && otherValue
      ? []
      : ["bucket policy does not deny s3:PutObject without (or with another) s3:x-amz-server-side-encryption than aws:kms"];
  },
};
