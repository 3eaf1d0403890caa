/**
 * `github-oidc-subject`: the repository's OIDC subject template includes `job_workflow_ref` as the bootstrap stack's
 * trust policies expect; with GitHub's default template no role can be assumed (docs/doctor.md, "GitHub settings").
 */
import type { Fact } from "../facts";
import type { GithubFacts } from "../github/facts";
import { type CheckResult, type GithubCheckContext, githubUnavailable } from "./shared";

export function checkGithubOidcSubject(f: GithubFacts["oidc"], ctx: GithubCheckContext): CheckResult {
  const id = "github-oidc-subject";
  if (!f.ok) return githubUnavailable(id, (f as Extract<Fact<unknown>, { ok: false }>).error);
  const want = ctx.expected.claimKeys;
  const got = f.value.use_default ? undefined : (f.value.include_claim_keys ?? []);
  if (got && JSON.stringify(got) === JSON.stringify(want)) return { id, status: "ok", message: `subject claims ${want.join(", ")}: the roles' trust matches` };
  return {
    id,
    status: "problem",
    message: `the subject template is ${got ? `[${got.join(", ")}]` : "GitHub's default"}, not [${want.join(", ")}]: the plan and apply roles' trust policies match no token`,
    fix: "apply the github stack",
  };
}
