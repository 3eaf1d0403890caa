/**
 * `github-environments`: every deploy environment exists with the configured required reviewers, prevent
 * self-review, no administrator bypass, and deployments from the main branch only (docs/doctor.md, "GitHub settings").
 */
import type { EnvironmentSettings } from "../../../modules/github/settings";
import type { Fact } from "../facts";
import type { EnvironmentFacts } from "../github/facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

const sameIds = (a: readonly number[], b: readonly number[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** What is wrong with one environment, as phrases; none when it is as declared. */
export function environmentIssues(want: EnvironmentSettings, got: EnvironmentFacts | null, mainBranch: string): string[] {
  const name = want.name;
  if (got === null) return [`environment ${name} does not exist (GitHub would create it without protection on the first apply)`];
  const issues: string[] = [];
  const rule = got.protection_rules?.find((r) => r.type === "required_reviewers");
  if (!rule) issues.push(`${name} has no required reviewers`);
  else {
    const ids = (type: string) => (rule.reviewers ?? []).filter((r) => r.type === type).map((r) => r.reviewer?.id ?? -1);
    if (!sameIds(ids("User"), want.reviewers.users) || !sameIds(ids("Team"), want.reviewers.teams))
      issues.push(
        `${name}'s reviewers are users [${ids("User")}] teams [${ids("Team")}], configured users [${want.reviewers.users}] teams [${want.reviewers.teams}]`,
      );
    if (rule.prevent_self_review !== true) issues.push(`${name} allows self-review`);
  }
  if (want.reviewers.users.length + want.reviewers.teams.length === 0) issues.push(`github.reviewers of ${name} is empty in the configuration`);
  if (got.can_admins_bypass !== false) issues.push(`administrators may bypass ${name}'s protection rules`);
  const p = got.deployment_branch_policy;
  const branches = got.branch_policies.map((b) => `${b.type === "tag" ? "tag " : ""}${b.name}`);
  if (!p || p.protected_branches || !p.custom_branch_policies || branches.length !== 1 || branches[0] !== mainBranch)
    issues.push(
      `${name} deploys from ${p ? (p.protected_branches ? "any protected branch" : `[${branches.join(", ")}]`) : "any branch"}, not ${mainBranch} only`,
    );
  return issues;
}

export function checkGithubEnvironments(envs: Readonly<Record<string, Fact<EnvironmentFacts | null>>>, ctx: GithubCheckContext): CheckResult {
  const id = "github-environments";
  const { settings } = ctx.expected;
  const issues: string[] = [];
  for (const want of settings.environments) {
    const f = envs[want.name];
    if (!f) continue;
    if (!f.ok) return githubUnavailable(id, f.error);
    issues.push(...environmentIssues(want, f.value, settings.mainBranch));
  }
  const names = settings.environments.map((e) => e.name).join(", ");
  return findings(
    id,
    issues,
    `${names}: required reviewers as configured, self-review prevented, no administrator bypass, ${settings.mainBranch} only`,
    "set github.reviewers in config/<env>.json where it is empty, then apply the github stack (docs/delivery.md)",
  );
}
