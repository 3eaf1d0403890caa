/**
 * The collect job's gate (scripts/delivery/main-plan.ts gateStacks): M8, the comparison and the destroy guard come
 * before the environment checks; M9, each stack's gate is independent of the others'.
 */
import { changesMarker, type EnvironmentInfo, gateStacks, type PullRequestInfo } from "../../scripts/delivery/github";
import type { MatrixEntry } from "../../scripts/delivery/matrix";
import { fakeGitHub, SHA_A } from "./fake-octokit";

const protectedEnv: EnvironmentInfo = {
  can_admins_bypass: false,
  protection_rules: [{ type: "required_reviewers", prevent_self_review: true, reviewers: [{ type: "Team", reviewer: { slug: "ops" } }] }],
};
/** What a private repository without Enterprise gets: the environment exists, with no required reviewers. */
const laxEnv: EnvironmentInfo = { can_admins_bypass: false, protection_rules: [{ type: "branch_policy" }] };

const entry = (stack: string, environment: string): MatrixEntry => ({
  stack,
  environment,
  workingDirectory: `cdktf.out/stacks/${stack}`,
  lockFile: `tf/locks/${stack}.terraform.lock.hcl`,
  backend: "s3",
  planRoleArn: `arn:aws:iam::123456789012:role/${environment}-plan`,
  applyRoleArn: `arn:aws:iam::123456789012:role/${environment}-apply`,
  planKeyVariable: `PLAN_PUBLIC_KEY_${environment.toUpperCase()}`,
});
const report = (stack: string, statefulDestroys: string[] = []) => ({
  stack,
  hasChanges: true,
  changes: ["aws_sqs_queue.q create"],
  statefulDestroys,
  planMarkdown: `PLAN ${stack}`,
});
const pr = (labels: string[] = []): PullRequestInfo => ({
  number: 5,
  merged_at: "2026-12-01T00:00:00Z",
  merge_commit_sha: SHA_A,
  base: { ref: "main" },
  labels: labels.map((name) => ({ name })),
});
const matrix = { include: [entry("cci-lite-dev", "dev"), entry("cci-lite-prod", "prod")] };
const base = { owner: "o", repo: "r", sha: SHA_A, branch: "main", matrix, stacks: [report("cci-lite-dev"), report("cci-lite-prod")] };

test("M8: with no protected environment at all, the comparison is still posted on the merged PR, before the environments are read", async () => {
  const gh = fakeGitHub({ environments: { dev: laxEnv }, pulls: { [SHA_A]: [pr()] } });
  gh.state.comments.push({
    id: 1,
    issue_number: 5,
    body: `<!-- cci-lite:terraform-plan stack=cci-lite-prod -->\n${changesMarker(["aws_sqs_queue.q create"])}`,
    user: { login: "b", type: "Bot" },
  });
  const r = await gateStacks({ ...base, octokit: gh });
  const posted = gh.state.comments.filter((c) => c.id !== 1).map((c) => c.body ?? "");
  expect(posted).toEqual([expect.stringContaining("stack=cci-lite-dev"), expect.stringContaining("stack=cci-lite-prod")]);
  expect(posted[1]).toContain("changes the same resources, with the same actions");
  const firstEnvironmentRead = gh.state.calls.findIndex((c) => c.startsWith("getEnvironment"));
  expect(gh.state.calls.lastIndexOf("createComment")).toBeLessThan(firstEnvironmentRead);
  expect(r.matrix.include).toEqual([]);
  expect(Object.keys(r.blocked)).toEqual(["cci-lite-dev", "cci-lite-prod"]);
  expect(r.blocked["cci-lite-dev"]).toEqual([expect.stringMatching(/^cci-lite-dev \(environment dev\): .*"Required reviewers" is not set/)]);
  expect(r.blocked["cci-lite-prod"]).toEqual([expect.stringMatching(/The environment "prod" does not exist/)]);
  expect(r.summary).toContain("changes the same resources");
  expect(r.summary).toContain("No stack goes on to approval.");
});

test("M9: a lax dev environment holds back the dev stack only; prod goes on to its approval", async () => {
  const gh = fakeGitHub({ environments: { dev: laxEnv, prod: protectedEnv }, pulls: { [SHA_A]: [pr()] } });
  const r = await gateStacks({ ...base, octokit: gh });
  expect(r.matrix.include.map((e) => e.stack)).toEqual(["cci-lite-prod"]);
  expect(Object.keys(r.blocked)).toEqual(["cci-lite-dev"]);
  expect(r.summary).toMatch(/### ❌ Environment `dev` is not protected/);
  expect(r.summary).toMatch(/- `cci-lite-dev`: not applied; fix what is listed above, then \*\*Re-run all jobs\*\*/);
  expect(r.summary).toContain("The other stacks go on: `cci-lite-prod`.");
  // Each environment is read once, whatever the number of its stacks.
  expect(gh.state.calls.filter((c) => c.startsWith("getEnvironment"))).toEqual(["getEnvironment:dev", "getEnvironment:prod"]);
});

test("M9: the destroy guard holds back its own stack only; with every guard passing, every stack goes on", async () => {
  const gh = fakeGitHub({ environments: { dev: protectedEnv, prod: protectedEnv }, pulls: { [SHA_A]: [pr()] } });
  const destroying = { ...base, stacks: [report("cci-lite-dev", ["aws_kms_key.k delete"]), report("cci-lite-prod")] };
  const r = await gateStacks({ ...destroying, octokit: gh });
  expect(r.matrix.include.map((e) => e.stack)).toEqual(["cci-lite-prod"]);
  expect(r.blocked).toEqual({ "cci-lite-dev": [expect.stringContaining('add the label "allow-destroy"')] });
  const labelled = fakeGitHub({ environments: { dev: protectedEnv, prod: protectedEnv }, pulls: { [SHA_A]: [pr(["allow-destroy"])] } });
  const ok = await gateStacks({ ...destroying, octokit: labelled });
  expect(ok.matrix).toEqual(matrix);
  expect(ok.blocked).toEqual({});
  expect(ok.summary).not.toContain("Held back");
});
