/**
 * The environment guard (scripts/delivery/guards.ts verifyEnvironment, run by the collect job's gate and again as the
 * first check of `apply <stack>`) against the fake GitHub API: reviewers, prevent self-review, administrator bypass
 * and (M4) the deployment-branch rule, which must restrict the environment to the main branch alone.
 */
import { checkEnvironmentProtection, type EnvironmentInfo, verifyEnvironment } from "../../scripts/delivery/github";
import type { BranchPolicyEntry } from "../../scripts/delivery/branch-policy";
import { fakeGitHub, MAIN_ONLY, PROTECTED_ENVIRONMENT as good } from "./fake-octokit";

const repo = { owner: "o", repo: "r", environment: "prod", branch: "main" };
const mainOnly = { mainBranch: "main", branchPolicies: MAIN_ONLY };
const verify = (env: EnvironmentInfo | undefined, branchPolicies?: BranchPolicyEntry[]) => {
  const gh = fakeGitHub({ environments: env ? { prod: env } : {}, branchPolicies: branchPolicies && { prod: branchPolicies } });
  return verifyEnvironment({ ...repo, octokit: gh }).then((r) => ({ ...r, calls: gh.state.calls }));
};

describe("environment protection", () => {
  test("as the github stack declares it (reviewers, self review prevented, no admin bypass, main only) passes", async () => {
    const r = await verify(good);
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    // The branch policies are read: the environment has custom ones.
    expect(r.calls).toEqual(["getEnvironment:prod", "listDeploymentBranchPolicies:prod"]);
  });

  test("missing reviewers fails and says what to set", async () => {
    const r = await verify({ ...good, protection_rules: [{ type: "branch_policy" }] });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/Settings → Environments → prod: "Required reviewers" is not set\. Tick it/)]);
    // A rule with an empty reviewer list protects nothing either.
    const empty = { ...good, protection_rules: [{ type: "required_reviewers", prevent_self_review: true, reviewers: [] }] };
    expect(checkEnvironmentProtection(empty, "prod", mainOnly).problems).toEqual([expect.stringContaining('"Required reviewers" is not set')]);
  });

  test("self review allowed fails, naming whom GitHub's rule stops: the user who started the run, not the PR author", () => {
    const env = { ...good, protection_rules: [{ ...good.protection_rules![0]!, prevent_self_review: false }] };
    const r = checkEnvironmentProtection(env, "prod", mainOnly);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'Settings → Environments → prod: tick "Prevent self-review", so the user who started the run (for this workflow: ' +
        "whoever merged or pushed to main) cannot approve its deployment.",
    ]);
    expect(r.problems[0]).not.toMatch(/author/);
  });

  test("admin bypass fails (also when the field is missing)", () => {
    expect(checkEnvironmentProtection({ ...good, can_admins_bypass: true }, "prod", mainOnly).problems).toEqual([
      expect.stringContaining('untick "Allow administrators to bypass configured protection rules"'),
    ]);
    const { can_admins_bypass: _, ...noField } = good;
    expect(checkEnvironmentProtection(noField, "prod", mainOnly).ok).toBe(false);
  });

  test("a missing can_admins_bypass field has its own message (the API did not say), not the untick one", () => {
    const { can_admins_bypass: _, ...noField } = good;
    const r = checkEnvironmentProtection(noField, "prod", mainOnly);
    expect(r.problems).toEqual([
      expect.stringMatching(/^Settings → Environments → prod: GitHub's answer does not say whether administrators can bypass .*no can_admins_bypass field/),
    ]);
    expect(r.problems[0]).not.toMatch(/^Settings → Environments → prod: untick/);
  });

  test("a missing environment (GitHub would create it unprotected) fails, naming the branch rule too; other API errors propagate", async () => {
    const r = await verify(undefined);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/The environment "prod" does not exist.*Create it.*deployments from the branch "main" only/)]);
    const broken = fakeGitHub();
    broken.rest.repos.getEnvironment = async () => {
      throw Object.assign(new Error("Server Error"), { status: 500 });
    };
    await expect(verifyEnvironment({ ...repo, octokit: broken })).rejects.toThrow("Server Error");
    const policiesBroken = fakeGitHub({ environments: { prod: good } });
    policiesBroken.rest.repos.listDeploymentBranchPolicies = async () => {
      throw Object.assign(new Error("Resource not accessible by integration"), { status: 403 });
    };
    await expect(verifyEnvironment({ ...repo, octokit: policiesBroken })).rejects.toThrow("Resource not accessible");
  });
});

describe("deployment-branch rule (M4): the environment deploys from main only", () => {
  const refused = (r: { ok: boolean; problems: string[] }, deploysFrom: string) => {
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      `Settings → Environments → prod: "Deployment branches and tags" lets ${deploysFrom} deploy, not the branch "main" only. ` +
        "An environment job's OIDC subject names no branch, so a workflow on any branch allowed here can run a job in this " +
        'environment and, once approved, read its secrets (PLAN_PRIVATE_KEY). Choose "Selected branches and tags" with exactly one rule, the branch "main" (no ' +
        'pattern, no tag; "Protected branches only" is refused too: it follows whichever branches get protected), or apply the github stack.',
    ]);
  };

  test("no rule (deployment_branch_policy null, or absent) is refused: any branch", async () => {
    const nullPolicy = await verify({ ...good, deployment_branch_policy: null });
    refused(nullPolicy, "any branch");
    // Without custom policies the list is not read (GitHub has none to list).
    expect(nullPolicy.calls).toEqual(["getEnvironment:prod"]);
    const { deployment_branch_policy: _, ...absent } = good;
    refused(await verify(absent), "any branch");
  });

  test("protected branches only is refused: it cannot be proved to mean main alone", async () => {
    const r = await verify({ ...good, deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } });
    refused(r, "any protected branch");
    expect(r.calls).toEqual(["getEnvironment:prod"]);
  });

  test("custom policies with exactly the branch main pass (also from an API answer without `type`)", async () => {
    expect((await verify(good, [{ name: "main", type: "branch" }])).ok).toBe(true);
    expect((await verify(good, [{ name: "main" }])).ok).toBe(true);
  });

  test("custom policies with an extra branch, a wildcard, another branch or none are refused", async () => {
    refused(await verify(good, [...MAIN_ONLY, { name: "release/*", type: "branch" }]), "[main, release/*]");
    refused(await verify(good, [{ name: "*", type: "branch" }]), "[*]");
    refused(await verify(good, [{ name: "mai?", type: "branch" }]), "[mai?]");
    refused(await verify(good, [{ name: "develop", type: "branch" }]), "[develop]");
    refused(await verify(good, []), "no branch at all (no rule listed)");
  });

  test("a tag policy is refused, even one named main, and beside the main branch", async () => {
    refused(await verify(good, [{ name: "main", type: "tag" }]), "[tag main]");
    refused(await verify(good, [...MAIN_ONLY, { name: "v*", type: "tag" }]), "[main, tag v*]");
  });

  test("more policies than one page: still refused (a page of 100 already has more than one)", async () => {
    const many = Array.from({ length: 150 }, (_, n) => ({ name: n === 0 ? "main" : `b${n}`, type: "branch" }));
    const r = await verify(good, many);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/lets \[main, b1, .*, b99\] deploy/);
  });

  test("the main branch is the one the workflow names: `trunk` passes with a trunk policy, and main is refused there", async () => {
    const trunk = { ...repo, branch: "trunk" };
    const gh = (policies: BranchPolicyEntry[]) => fakeGitHub({ environments: { prod: good }, branchPolicies: { prod: policies } });
    expect((await verifyEnvironment({ ...trunk, octokit: gh([{ name: "trunk", type: "branch" }]) })).ok).toBe(true);
    const r = await verifyEnvironment({ ...trunk, octokit: gh(MAIN_ONLY) });
    expect(r.problems).toEqual([expect.stringContaining('lets [main] deploy, not the branch "trunk" only')]);
  });

  test("both flags false (not a shape GitHub documents) is refused", () => {
    const r = checkEnvironmentProtection({ ...good, deployment_branch_policy: { protected_branches: false, custom_branch_policies: false } }, "prod", mainOnly);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/lets whatever an undocumented rule allows/);
  });
});
