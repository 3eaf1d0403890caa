/**
 * The `github` stack synthesizes the repository's delivery settings (issue 21 item 4): structure and attributes of
 * every resource, from the example configurations and the real workflows. It is never planned offline (the GitHub
 * provider is not in the mirror); the README gives the `terraform validate` command for machines with the provider.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp, GITHUB_STACK, GithubStack } from "../../main";
import { loadEnvironments } from "../../modules/config/load";
import { DELIVERY_LABELS } from "../../modules/github/labels";
import { GITHUB_ACTIONS_APP_ID, pinnedActions, readWorkflows, REQUIRED_CHECKS } from "../../modules/github/settings";
import { OIDC_SUBJECT_CLAIM_KEYS } from "../../modules/iam/github-oidc";
import { offlinePlannable, stacksOf } from "../../scripts/offline-plan";
import { fakeBundles } from "../helpers/synth";

const CONFIG_DIR = path.join(__dirname, "..", "..", "config");
const envs = loadEnvironments(CONFIG_DIR);
const json = JSON.parse(Testing.synth(new GithubStack(Testing.app(), GITHUB_STACK, envs)));
const res = (type: string): Record<string, any> => json.resource?.[type] ?? {};
const only = (type: string): any => {
  const all = Object.values(res(type));
  expect(all).toHaveLength(1);
  return all[0];
};

describe("github stack", () => {
  it("keeps its state local and uses the GitHub provider for the repository's owner", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "terraform.github.tfstate" } });
    expect(Object.keys(json.terraform.required_providers)).toEqual(["github"]);
    expect(json.provider.github).toEqual([{ owner: "conversant" }]);
  });

  it("declares one environment per deploy environment: reviewers, prevent self-review, no admin bypass, main only", () => {
    const byName = Object.fromEntries(Object.values(res("github_repository_environment")).map((e: any) => [e.environment, e]));
    expect(Object.keys(byName).sort()).toEqual(["dev", "prod"]);
    for (const [name, team] of [
      ["prod", 1111111],
      ["dev", 2222222],
    ] as const) {
      expect(byName[name]).toMatchObject({
        repository: "cci-lite",
        prevent_self_review: true,
        can_admins_bypass: false,
        reviewers: [{ users: [], teams: [team] }],
        deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      });
    }
    const policies = Object.values(res("github_repository_environment_deployment_policy"));
    expect(policies.map((p: any) => p.branch_pattern)).toEqual(["main", "main"]);
    expect(policies.every((p: any) => !("tag_pattern" in p))).toBe(true);
  });

  it("declares no reviewers block for an environment without configured reviewers", () => {
    const bare = envs.map((c) => ({ ...c, github: { ...c.github, reviewers: { users: [], teams: [] } } }));
    const j = JSON.parse(Testing.synth(new GithubStack(Testing.app(), GITHUB_STACK, bare)));
    for (const e of Object.values(j.resource.github_repository_environment) as any[]) expect(e.reviewers).toBeUndefined();
  });

  it("protects main with one ruleset: real check names from GitHub Actions, last-push and code-owner approval, no bypass", () => {
    const r = only("github_repository_ruleset");
    expect(r).toMatchObject({ repository: "cci-lite", target: "branch", enforcement: "active", conditions: { ref_name: { include: ["refs/heads/main"] } } });
    expect(r.bypass_actors ?? []).toEqual([]);
    expect(r.rules).toMatchObject({
      deletion: true,
      non_fast_forward: true,
      pull_request: {
        required_approving_review_count: 1,
        require_code_owner_review: true,
        require_last_push_approval: true,
        dismiss_stale_reviews_on_push: true,
      },
      required_status_checks: { strict_required_status_checks_policy: true },
    });
    expect(r.rules.required_status_checks.required_check).toEqual(REQUIRED_CHECKS.map((context) => ({ context, integration_id: GITHUB_ACTIONS_APP_ID })));
  });

  it("Actions: only the workflows' SHA-pinned actions, a read-only default token, no pull-request approval by Actions", () => {
    const p = only("github_actions_repository_permissions");
    expect(p).toMatchObject({ enabled: true, allowed_actions: "selected" });
    expect(p.allowed_actions_config).toEqual({ github_owned_allowed: false, verified_allowed: false, patterns_allowed: pinnedActions(readWorkflows()) });
    expect(p.allowed_actions_config.patterns_allowed.length).toBeGreaterThanOrEqual(7);
    for (const a of p.allowed_actions_config.patterns_allowed) expect(a).toMatch(/^(actions|aws-actions|hashicorp)\/[a-z-]+@[0-9a-f]{40}$/);
    expect(only("github_workflow_repository_permissions")).toMatchObject({ default_workflow_permissions: "read", can_approve_pull_request_reviews: false });
  });

  it("sets the OIDC subject template with job_workflow_ref (what the AWS roles' trust expects)", () => {
    expect(only("github_actions_repository_oidc_subject_claim_customization_template")).toEqual({
      repository: "cci-lite",
      use_default: false,
      include_claim_keys: [...OIDC_SUBJECT_CLAIM_KEYS],
    });
    expect(OIDC_SUBJECT_CLAIM_KEYS).toContain("job_workflow_ref");
  });

  it("sets the variables the workflows read, never a secret, and the delivery labels", () => {
    const vars = Object.fromEntries(Object.values(res("github_actions_variable")).map((v: any) => [v.variable_name, v.value]));
    expect(vars).toEqual({
      AWS_REGION: "eu-central-1",
      ARTIFACT_RETENTION_DAYS: "7",
    });
    const workflowText = readWorkflows()
      .map((w) => w.text)
      .join("\n");
    for (const name of Object.keys(vars)) expect(workflowText).toContain(`vars.${name}`);
    expect(Object.keys(json.resource).filter((t) => /secret/.test(t))).toEqual([]);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(
      Object.values(res("github_issue_label"))
        .map((l: any) => ({ name: l.name, color: l.color, description: l.description }))
        .sort(byName),
    ).toEqual(DELIVERY_LABELS.map((l) => ({ ...l })).sort(byName));
    expect(res("github_issue_labels")).toEqual({}); // that resource would delete every other label of the repository
  });

  it("refuses configurations that disagree on a repository-wide field, naming it", () => {
    const prod = envs.find((c) => c.environment === "prod");
    const dev = envs.find((c) => c.environment === "dev");
    const other = { ...dev!, github: { ...dev!.github, requiredApprovals: 2 } };
    expect(() => new GithubStack(Testing.app(), "github", [prod!, other])).toThrow(/github\.requiredApprovals: is 2 in dev but 1 in prod/);
    const sameEnv = { ...dev!, github: { ...dev!.github, deployEnvironment: "prod" } };
    expect(() => new GithubStack(Testing.app(), "github", [prod!, sameEnv])).toThrow(/github\.reviewers: .*share the GitHub environment prod/);
  });
});

describe("github stack in the app", () => {
  it("is synthesized beside the others and left out of the offline plan (its provider is not in the mirror)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "github-stack-"));
    try {
      buildApp({ outdir: out, configDir: CONFIG_DIR, bundles: fakeBundles() }).synth();
      const stacks = stacksOf(out);
      expect(stacks.map((s) => s.name).sort()).toEqual(["bootstrap-dev", "bootstrap-prod", "cci-lite-dev", "cci-lite-prod", GITHUB_STACK]);
      const { plannable, skipped } = offlinePlannable(stacks);
      expect(plannable.map((s) => s.name).sort()).toEqual(["bootstrap-dev", "bootstrap-prod", "cci-lite-dev", "cci-lite-prod"]);
      expect(skipped).toEqual([expect.objectContaining({ name: GITHUB_STACK, reason: "provider github is not in the offline mirror" })]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
