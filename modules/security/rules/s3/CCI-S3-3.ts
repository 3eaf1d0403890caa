import type { Rule } from "../../rule";
import { isBucket } from "./helpers";
import { actions, bucketStatements, everyone, hasCondition } from "./policy-helpers";

/** CCI-S3-3: the bucket policy denies every request without TLS. */
export const s3TlsOnly: Rule = {
  id: "CCI-S3-3",
  rationale: "Call data never travels in clear text, whatever a client is configured to do",
  reference: "Guide §3.3; AWS FSBP S3.5",
  check(node, ctx) {
    if (!isBucket(node)) return [];
    const ok = bucketStatements(ctx, node).some(
      (s) =>
        s.Effect === "Deny" &&
        everyone(s) &&
        actions(s).some((a) => a === "s3:*" || a === "*") &&
        hasCondition(s, /^Bool(IfExists)?$/, "aws:SecureTransport", "false"),
    );
    return ok ? [] : ["bucket policy does not deny s3:* when aws:SecureTransport is false"];
  },
};
