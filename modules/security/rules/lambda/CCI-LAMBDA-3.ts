import { field, isAttrs, type Rule } from "../../rule";
import { isFunction } from "./helpers";

const SECRET_NAME = /(^|_)(SECRETS?|PASSWORD|PASSWD|TOKEN|CREDENTIALS?|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)(_|$)/i;
const SECRET_VALUE = [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/];

/** CCI-LAMBDA-3: no secrets in environment variables (names or values that look like credentials). */
export const lambdaEnvSecrets: Rule = {
  id: "CCI-LAMBDA-3",
  rationale: "Environment variables are visible to anyone who can read the function configuration and the plan",
  reference: "Guide §12; AWS Lambda security best practices",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    const variables = field(ctx.attrs(node).environment, "variables");
    const vars = isAttrs(variables) ? variables : {};
    const out: string[] = [];
    for (const [k, v] of Object.entries(vars)) {
      if (SECRET_NAME.test(k)) out.push(`environment variable ${k} looks like a secret (use SSM SecureString or Secrets Manager)`);
      else if (SECRET_VALUE.some((re) => re.test(String(v)))) out.push(`environment variable ${k} holds a value that looks like a credential`);
    }
    return out;
  },
};
