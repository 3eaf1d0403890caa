import { parsePolicy, type Rule } from "../../rule";
import { conditionKeys, DEPUTY_KEYS, isType, services } from "./helpers";

/** CCI-IAM-2: a role trusted by an AWS service is assumable only on behalf of this account (aws:SourceAccount / aws:SourceArn). */
export const iamServiceTrust: Rule = {
  id: "CCI-IAM-2",
  rationale: "A service cannot be tricked into assuming the role for another account (confused deputy)",
  reference: "IAM User Guide, cross-service confused deputy prevention; Guide §4",
  check(node, ctx) {
    if (!isType(node, "aws_iam_role")) return [];
    const statements = parsePolicy(ctx.attrs(node).assume_role_policy);
    if (!statements) return ["trust policy is not known JSON at synth"];
    return statements
      .filter((s) => s.Effect === "Allow" && services(s).length > 0)
      .filter((s) => !conditionKeys(s).some((k) => DEPUTY_KEYS.includes(k)))
      .map((s) => `trust statement ${s.Sid ?? "(no Sid)"} lets ${services(s).join(", ")} assume the role without aws:SourceAccount or aws:SourceArn`);
  },
};
