import type { Rule } from "../../rule";
import { isBucket } from "./helpers";
import { actions, bucketStatements, everyone, hasCondition } from "./policy-helpers";

const SSE = "s3:x-amz-server-side-encryption";
const KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";

/**
 * CCI-S3-4: the bucket policy denies every upload that asks for an encryption other than the bucket's key (another
 * algorithm, `aws:kms` without a key id, another key id), and never denies an upload for carrying no header: such an
 * upload gets the bucket's default key, and multipart `UploadPart` requests cannot carry the header at all.
 */
export const s3EncryptionRequired: Rule = {
  id: "CCI-S3-4",
  rationale: "An upload asking for another algorithm or another key is refused; one without headers gets the bucket's key (guide §3.3 validation)",
  reference: "Guide §3.3",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const denies = bucketStatements(ctx, node).filter(
      (s) => s.Effect === "Deny" && everyone(s) && actions(s).some((a) => a === "s3:PutObject" || a === "s3:*"),
    );
    const found: string[] = [];
    const otherAlgorithm = denies.some((s) => hasCondition(s, /^StringNotEquals$/, SSE, "aws:kms") && hasCondition(s, /^Null$/, SSE, "false"));
    const kmsWithoutKeyId = denies.some((s) => hasCondition(s, /^StringEquals$/, SSE, "aws:kms") && hasCondition(s, /^Null$/, KEY_ID, "true"));
    const otherKey = denies.some((s) => hasCondition(s, /^StringNotEquals$/, KEY_ID) && hasCondition(s, /^Null$/, KEY_ID, "false"));
    if (!otherAlgorithm) found.push(`bucket policy does not deny s3:PutObject with an ${SSE} other than aws:kms (StringNotEquals with Null false)`);
    if (!kmsWithoutKeyId) found.push(`bucket policy does not deny s3:PutObject with aws:kms and no ${KEY_ID} (the object would use aws/s3)`);
    if (!otherKey) found.push(`bucket policy does not deny s3:PutObject whose ${KEY_ID} names another key`);
    if (denies.some((s) => hasCondition(s, /^Null$/, SSE, "true") || hasCondition(s, /IfExists$/, SSE))) {
      found.push(`bucket policy denies s3:PutObject without ${SSE}: multipart UploadPart requests cannot carry it, and the bucket default already applies`);
    }
    return found;
  },
};
