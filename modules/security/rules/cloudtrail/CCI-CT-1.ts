import type { Rule } from "../../rule";
import { isType } from "../iam/helpers";

/** CCI-CT-1: a trail records every region, validates its log files and encrypts them with a customer key. */
export const cloudtrail: Rule = {
  id: "CCI-CT-1",
  rationale: "API activity is recorded everywhere, tamper-evident and encrypted",
  reference: "Guide §12; AWS FSBP CloudTrail.1, CloudTrail.2, CloudTrail.4",
  check(node, ctx) {
    if (!isType(node, "aws_cloudtrail")) return [];
    const a = ctx.attrs(node);
    const out: string[] = [];
    if (a.is_multi_region_trail !== true) out.push("trail is not multi-region");
    if (a.enable_log_file_validation !== true) out.push("trail does not validate log files");
    if (!a.kms_key_id) out.push("trail logs are not encrypted with a customer-managed key");
    return out;
  },
};
