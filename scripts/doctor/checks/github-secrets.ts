/**
 * `github-secrets`: each deploy environment holds its plan private key as an environment secret, and no repository
 * secret of that name exists (every workflow could read it). Presence by name only: the API never returns a
 * secret's value (docs/doctor.md, "GitHub settings").
 */
import type { GithubFacts } from "../github/facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

export function checkGithubSecrets(f: GithubFacts["secrets"], ctx: GithubCheckContext): CheckResult {
  const id = "github-secrets";
  const secret = ctx.expected.secret;
  const issues: string[] = [];
  const missing: string[] = [];
  for (const { name } of ctx.expected.settings.environments) {
    const e = f.environments[name];
    if (!e) continue;
    if (!e.ok) return githubUnavailable(id, e.error);
    if (!e.value) missing.push(name);
  }
  if (missing.length) issues.push(`${secret} is missing in environment(s) ${missing.join(", ")}`);
  if (!f.repository.ok) return githubUnavailable(id, f.repository.error);
  if (f.repository.value) issues.push(`${secret} is also a repository secret: every workflow can read it; delete it (gh secret delete ${secret})`);
  const envs = ctx.expected.settings.environments.map((e) => e.name).join(", ");
  return findings(
    id,
    issues,
    `${secret} is an environment secret of ${envs} only`,
    "run scripts/setup-github.sh <environment>; delete any repository secret of that name",
  );
}
