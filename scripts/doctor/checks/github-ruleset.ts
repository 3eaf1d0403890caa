/**
 * `github-ruleset`: the main branch's ruleset is active, has no bypass actors, requires pull requests approved after
 * their last push and by the code owners, and the required checks by their real names from GitHub Actions
 * (docs/doctor.md, "GitHub settings").
 */
import { GITHUB_ACTIONS_APP_ID } from "../../../modules/github/settings";
import type { Fact } from "../facts";
import type { RulesetFacts } from "../github/facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

export function rulesetIssues(r: RulesetFacts, ctx: GithubCheckContext): string[] {
  const { settings, requiredChecks } = ctx.expected;
  const issues: string[] = [];
  if (r.enforcement !== "active") issues.push(`enforcement is ${r.enforcement}, not active`);
  const include = r.conditions?.ref_name?.include ?? [];
  if (!include.includes(`refs/heads/${settings.mainBranch}`) && !include.includes("~DEFAULT_BRANCH"))
    issues.push(`it does not apply to ${settings.mainBranch}`);
  if ((r.bypass_actors ?? []).length > 0) issues.push(`${(r.bypass_actors ?? []).length} bypass actor(s)`);
  const rule = (type: string) => r.rules?.find((x) => x.type === type)?.parameters;
  const pr = rule("pull_request");
  if (!pr) issues.push("pull requests are not required");
  else {
    if (Number(pr.required_approving_review_count ?? 0) < settings.requiredApprovals)
      issues.push(`${String(pr.required_approving_review_count)} approval(s) required, configured ${settings.requiredApprovals}`);
    if (pr.require_last_push_approval !== true) issues.push("the last push need not be approved");
    if (pr.require_code_owner_review !== true) issues.push("code owners' review is not required");
  }
  const checks = rule("required_status_checks");
  const got = (checks?.required_status_checks ?? []) as Array<{ context: string; integration_id?: number }>;
  for (const c of requiredChecks) {
    const found = got.find((g) => g.context === c);
    if (!found) issues.push(`check "${c}" is not required`);
    else if (found.integration_id !== GITHUB_ACTIONS_APP_ID) issues.push(`check "${c}" is not pinned to GitHub Actions (integration ${GITHUB_ACTIONS_APP_ID})`);
  }
  if (checks && checks.strict_required_status_checks_policy !== true) issues.push("branches need not be up to date before merging");
  for (const t of ["non_fast_forward", "deletion"]) if (!rule(t) && !r.rules?.some((x) => x.type === t)) issues.push(`${t.replace(/_/g, "-")} is not blocked`);
  return issues;
}

export function checkGithubRuleset(f: Fact<RulesetFacts | null>, ctx: GithubCheckContext): CheckResult {
  const id = "github-ruleset";
  if (!f.ok) return githubUnavailable(id, f.error);
  const main = ctx.expected.settings.mainBranch;
  if (f.value === null)
    return { id, status: "problem", message: `no ruleset named ${main}: anyone with write access can push to ${main}`, fix: "apply the github stack" };
  return findings(
    id,
    rulesetIssues(f.value, ctx).map((i) => `ruleset ${main}: ${i}`),
    `ruleset ${main}: active, no bypass, last-push and code-owner approval, checks ${ctx.expected.requiredChecks.map((c) => `"${c}"`).join(", ")} from GitHub Actions`,
  );
}
