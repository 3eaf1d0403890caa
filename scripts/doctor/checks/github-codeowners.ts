/**
 * `github-codeowners`: the default branch has a CODEOWNERS file GitHub can read without errors (unknown owners,
 * bad patterns); the ruleset's code-owner review depends on it. Before the first push (no main branch) it is skipped
 * (docs/doctor.md, "GitHub settings").
 */
import type { GithubFacts } from "../github/facts";
import { type CheckResult, githubUnavailable } from "./shared";

export function checkGithubCodeowners(f: GithubFacts["codeowners"], mainExists: GithubFacts["mainExists"]): CheckResult {
  const id = "github-codeowners";
  if (!f.ok) return githubUnavailable(id, f.error);
  if (!mainExists.ok) return githubUnavailable(id, mainExists.error);
  if (f.value === null && !mainExists.value)
    return { id, status: "skipped", message: "the main branch does not exist yet: CODEOWNERS arrives with the first push; run the doctor again after it" };
  if (f.value === null)
    return {
      id,
      status: "problem",
      message: "no CODEOWNERS file on the default branch: the code-owner review rule requires nobody",
      fix: "merge .github/CODEOWNERS first",
    };
  if (f.value.length > 0)
    return {
      id,
      status: "problem",
      message: f.value.map((e) => `${e.path}:${e.line}: ${e.message}`).join("; "),
      fix: "set github.codeOwners to existing users or teams with write access, regenerate .github/CODEOWNERS and merge it",
    };
  return { id, status: "ok", message: "CODEOWNERS has no errors" };
}
