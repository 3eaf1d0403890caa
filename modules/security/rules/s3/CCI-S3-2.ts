import type { Rule } from "../../rule";
import { companions, isBucket } from "./helpers";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** CCI-S3-2: all four S3 Block Public Access settings on every bucket. */
export const s3PublicAccess: Rule = {
  id: "CCI-S3-2",
  rationale: "No policy or ACL mistake can make call data public",
  reference: "Guide §12; AWS FSBP S3.8",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const blocks = companions(ctx, node, "aws_s3_bucket_public_access_block");
    if (blocks.length === 0) return ["bucket has no public access block"];
    const missing = FLAGS.filter((f) => !blocks.some((b) => b[f] === true));
    return missing.length ? [`public access block does not set ${missing.join(", ")}`] : [];
  },
};
