import { asArray, parsePolicy, type Rule } from "../../rule";
import { conditionKeys, DEPUTY_KEYS, isType, services } from "./helpers";

const POLICY_ATTR: Record<string, string> = {
  aws_s3_bucket_policy: "policy",
  aws_sqs_queue_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_kms_key: "policy",
  aws_s3_access_point: "policy",
};

/**
 * CCI-IAM-5: resource policies (bucket, queue, topic, key, access point) and Lambda permissions that allow an AWS
 * service tie it to this account or resource: aws:SourceAccount, aws:SourceArn or, for KMS, an encryption
 * context naming this account's resources.
 */
export const resourcePolicyDeputy: Rule = {
  id: "CCI-IAM-5",
  rationale: "A service acting for another account cannot use our buckets, queues, topics or key (confused deputy)",
  reference: "IAM User Guide, cross-service confused deputy prevention",
  check(node, ctx) {
    if (isType(node, "aws_lambda_permission")) {
      const a = ctx.attrs(node);
      return String(a.principal ?? "").endsWith(".amazonaws.com") && !a.source_arn && !a.source_account
        ? [`lets ${a.principal} invoke without source_arn or source_account`]
        : [];
    }
    if (!isType(node, ...Object.keys(POLICY_ATTR))) return [];
    const statements = parsePolicy(ctx.attrs(node)[POLICY_ATTR[node.terraformResourceType]]) ?? [];
    return statements
      .filter((s) => s.Effect === "Allow" && services(s).length > 0)
      .filter((s) => !conditionKeys(s).some((k) => DEPUTY_KEYS.includes(k) || k.startsWith("kms:encryptioncontext:")))
      .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows ${asArray(services(s)).join(", ")} without aws:SourceAccount or aws:SourceArn`);
  },
};
