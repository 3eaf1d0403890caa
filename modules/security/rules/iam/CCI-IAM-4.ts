import { asArray, parsePolicy, type Rule } from "../../rule";
import { isType } from "./helpers";

/** CCI-IAM-4: a web-identity (OIDC) trust pins both the audience and the subject, never with ForAllValues. */
export const iamOidcTrust: Rule = {
  id: "CCI-IAM-4",
  rationale: "Only the configured repository's approved workflows can assume delivery roles",
  reference: "GitHub OIDC hardening; docs/delivery.md",
  check(node, ctx) {
    if (!isType(node, "aws_iam_role")) return [];
    const out: string[] = [];
    for (const s of parsePolicy(ctx.attrs(node).assume_role_policy) ?? []) {
      const federated = typeof s.Principal === "object" && s.Principal ? asArray(s.Principal.Federated) : [];
      if (s.Effect !== "Allow" || federated.length === 0) continue;
      const ops = Object.entries(s.Condition ?? {});
      const keys = (re: RegExp) => ops.filter(([op]) => re.test(op)).flatMap(([, b]) => Object.keys(b));
      if (ops.some(([op]) => op.startsWith("ForAllValues:"))) out.push(`trust statement ${s.Sid ?? ""} uses ForAllValues (passes when the claim is missing)`);
      if (!keys(/^StringEquals$/).some((k) => k.endsWith(":aud")))
        out.push(`trust statement ${s.Sid ?? ""} does not pin the audience (:aud) with StringEquals`);
      if (!keys(/^String(Equals|Like)$/).some((k) => k.endsWith(":sub"))) out.push(`trust statement ${s.Sid ?? ""} does not pin the subject (:sub)`);
      const subs = ops.flatMap(([, b]) =>
        Object.entries(b)
          .filter(([k]) => k.endsWith(":sub"))
          .flatMap(([, v]) => asArray(v)),
      );
      if (subs.some((v) => /^repo:\*|^\*$/.test(String(v)))) out.push(`trust statement ${s.Sid ?? ""} accepts any repository`);
    }
    return out;
  },
};
