import { blocks, type Rule } from "../../rule";
import { companions, isBucket } from "./helpers";

/** CCI-S3-5: object ownership BucketOwnerEnforced (ACLs disabled). */
export const s3Ownership: Rule = {
  id: "CCI-S3-5",
  rationale: "ACLs are off, so access is decided by policies alone and the account owns every object",
  reference: "AWS FSBP S3.12",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const ok = companions(ctx, node, "aws_s3_bucket_ownership_controls").some((c) => blocks(c.rule).some((r) => r.object_ownership === "BucketOwnerEnforced"));
    return ok ? [] : ["bucket has no ownership controls with BucketOwnerEnforced"];
  },
};
