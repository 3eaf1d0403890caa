/**
 * `github-actions-permissions`: only the workflows' SHA-pinned actions are allowed (nothing GitHub-owned or verified
 * beyond them), the default workflow token is read-only and Actions may not approve pull requests
 * (docs/doctor.md, "GitHub settings").
 */
import type { Fact } from "../facts";
import type { ActionsFacts } from "../github/facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

export function checkGithubActionsPermissions(f: Fact<ActionsFacts>, ctx: GithubCheckContext): CheckResult {
  const id = "github-actions-permissions";
  if (!f.ok) return githubUnavailable(id, f.error);
  const a = f.value;
  const issues: string[] = [];
  if (!a.enabled) issues.push("Actions are disabled");
  if (a.allowed_actions !== "selected") issues.push(`allowed actions are "${a.allowed_actions}", not "selected"`);
  else {
    if (a.selected?.github_owned_allowed !== false) issues.push("every GitHub-owned action is allowed, at any ref");
    if (a.selected?.verified_allowed !== false) issues.push("every verified creator's action is allowed");
    const got = new Set(a.selected?.patterns_allowed ?? []);
    const want = new Set(ctx.expected.allowedActions);
    const missing = [...want].filter((p) => !got.has(p));
    const extra = [...got].filter((p) => !want.has(p));
    if (missing.length) issues.push(`not allowed but used by the workflows: ${missing.join(", ")}`);
    if (extra.length) issues.push(`allowed but not pinned in the workflows: ${extra.join(", ")}`);
  }
  if (a.workflow.default_workflow_permissions !== "read") issues.push(`the default workflow token may ${a.workflow.default_workflow_permissions}`);
  if (a.workflow.can_approve_pull_request_reviews !== false) issues.push("Actions may create and approve pull requests");
  return findings(
    id,
    issues,
    `${ctx.expected.allowedActions.length} SHA-pinned actions allowed, nothing else; read-only default token; Actions cannot approve pull requests`,
  );
}
