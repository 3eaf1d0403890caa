import { blocks, type Rule } from "../../rule";
import { companions, isBucket } from "./helpers";

/** CCI-S3-6: a lifecycle configuration with at least one enabled rule. */
export const s3Lifecycle: Rule = {
  id: "CCI-S3-6",
  rationale: "Call data is kept only as long as the retention settings say (guide §3, §14)",
  reference: "Guide §3.1/§3.2/§14; AWS FSBP S3.13",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const ok = companions(ctx, node, "aws_s3_bucket_lifecycle_configuration").some((c) => blocks(c.rule).some((r) => r.status === "Enabled"));
    return ok ? [] : ["bucket has no lifecycle configuration with an enabled rule"];
  },
};
