/**
 * `github-variables`: the repository variables the workflows read hold what the github stack sets, and each deploy
 * environment's plan public key variable is a PEM public key (scripts/setup-github.sh sets it with its private key;
 * docs/doctor.md, "GitHub settings").
 */
import type { Fact } from "../facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

const PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\r?\n[\s\S]+\r?\n-----END PUBLIC KEY-----\s*$/;

export function checkGithubVariables(vars: Readonly<Record<string, Fact<string | null>>>, ctx: GithubCheckContext): CheckResult {
  const id = "github-variables";
  const issues: string[] = [];
  for (const [name, want] of Object.entries(ctx.expected.variables)) {
    const f = vars[name];
    if (!f) continue;
    if (!f.ok) return githubUnavailable(id, f.error);
    if (f.value === null) issues.push(`${name} is not set`);
    else if (f.value !== want) issues.push(`${name} is ${JSON.stringify(f.value)}, the stack sets ${JSON.stringify(want)}`);
  }
  let keyIssue = false;
  for (const [env, name] of Object.entries(ctx.expected.planKeyVariables)) {
    const f = vars[name];
    if (!f) continue;
    if (!f.ok) return githubUnavailable(id, f.error);
    if (f.value === null || !PUBLIC_KEY.test(f.value)) {
      keyIssue = true;
      issues.push(`${name} (${env}'s plan public key) is ${f.value === null ? "not set" : "not a PEM public key"}`);
    }
  }
  const fix = keyIssue ? "run scripts/setup-github.sh <environment> (it sets the key pair); for the other variables apply the github stack" : undefined;
  return findings(id, issues, `${[...Object.keys(ctx.expected.variables), ...Object.values(ctx.expected.planKeyVariables)].join(", ")} as expected`, fix);
}
