/**
 * Apply results: built from the real offline plan and Terraform's apply output, posted on the merged pull request
 * (found from the commit) and kept in one `apply-failed` issue per stack, against the fake GitHub API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOfflinePlan, PLAN_TIMEOUT_MS, type LoadedPlan } from "../helpers/offline-plan";
import { buildApplyResult, outcomeOf, parseApplyCounts, renderApplyResult } from "../../scripts/delivery/apply-result";
import { applyFailedIssueTitle, applyResultMarker, reportApplyResults, type GuardsOctokit, type PullRequestInfo } from "../../scripts/delivery/github";
import { summarizePlan } from "../../scripts/delivery/plan-summary";
import { main } from "../../scripts/delivery/cli";
import { fakeOctokit } from "./fake-octokit";

jest.setTimeout(PLAN_TIMEOUT_MS);

const SHA = "c".repeat(40);
const repo = { owner: "acme", repo: "cci-lite" };
let prod: LoadedPlan;

beforeAll(() => {
  prod = loadOfflinePlan("cci-lite-prod");
});

function fakeGitHub(pulls: PullRequestInfo[]) {
  const base = fakeOctokit();
  const repos = { listPullRequestsAssociatedWithCommit: async () => ({ data: pulls }) };
  return { ...base, rest: { ...base.rest, repos } } as unknown as ReturnType<typeof fakeOctokit> & GuardsOctokit;
}
const merged: PullRequestInfo = { number: 42, merged_at: "2026-11-29T10:00:00Z", merge_commit_sha: SHA, base: { ref: "main" } };

function successLog(plan: LoadedPlan): string {
  const s = summarizePlan(plan.json);
  return `aws_kms_key.key: Creating...\n\nApply complete! Resources: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed.\n`;
}
const FAIL_LOG =
  "aws_s3_bucket.input: Creating...\n\u001b[31mError: creating S3 Bucket (cci-lite-prod-input): BucketAlreadyExists\u001b[0m\n  with aws_s3_bucket.input\n";

describe("apply result", () => {
  test("counts from the real plan and from Terraform's apply output", () => {
    const s = summarizePlan(prod.json);
    const r = buildApplyResult({ stack: "cci-lite-prod", stepOutcome: "success", plan: prod.json, log: successLog(prod), sha: SHA, runUrl: "https://run/9" });
    expect(r).toMatchObject({ outcome: "success", planned: `${s.add} to add, 0 to change, 0 to destroy`, applied: { added: s.add, changed: 0, destroyed: 0 } });
    expect(r.errorTail).toBeUndefined();
    const md = renderApplyResult(r);
    expect(md).toContain(applyResultMarker("cci-lite-prod"));
    expect(md).toContain(`**Applied:** ${s.add} added, 0 changed, 0 destroyed`);
    expect(parseApplyCounts("nothing")).toBeUndefined();
    expect([outcomeOf("success"), outcomeOf("failure"), outcomeOf("skipped"), outcomeOf("cancelled"), outcomeOf("")]).toEqual([
      "success",
      "failure",
      "not-applied",
      "not-applied",
      "not-applied",
    ]);
  });

  test("a failure keeps the end of the log (colours stripped) and names the errored.tfstate artifact", () => {
    const r = buildApplyResult({
      stack: "cci-lite-prod",
      stepOutcome: "failure",
      plan: prod.json,
      log: FAIL_LOG,
      erroredStateArtifact: "errored-state-cci-lite-prod",
    });
    expect(r.errorTail).toContain("Error: creating S3 Bucket (cci-lite-prod-input): BucketAlreadyExists");
    expect(r.errorTail).not.toContain("\u001b");
    const md = renderApplyResult(r);
    expect(md).toMatch(/— ❌ apply failed/);
    expect(md).toMatch(/kept encrypted as the artifact `errored-state-cci-lite-prod`/);
  });

  test("cli apply-result writes the JSON the report job reads", () => {
    const dir = mkdtempSync(join(tmpdir(), "apply-result-"));
    try {
      writeFileSync(join(dir, "apply.log"), FAIL_LOG);
      const out = join(dir, "r.json");
      const env = { GITHUB_STEP_SUMMARY: join(dir, "s"), GITHUB_SHA: SHA };
      expect(
        main(
          ["apply-result", "--stack", "cci-lite-prod", "--outcome", "failure", "--plan-json", prod.planJson, "--log", join(dir, "apply.log"), "--out", out],
          env,
        ),
      ).toBe(0);
      expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ stack: "cci-lite-prod", outcome: "failure", sha: SHA });
      // A guard stopped the job: no apply log, no plan JSON yet.
      expect(
        main(["apply-result", "--stack", "cci-lite-dev", "--outcome", "", "--plan-json", join(dir, "none"), "--log", join(dir, "none"), "--out", out], env),
      ).toBe(0);
      expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ stack: "cci-lite-dev", outcome: "not-applied", sha: SHA });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("reportApplyResults (fake GitHub API)", () => {
  const ok = () => buildApplyResult({ stack: "cci-lite-prod", stepOutcome: "success", plan: prod.json, log: successLog(prod), sha: SHA });
  const failed = (n: number) =>
    buildApplyResult({ stack: "cci-lite-prod", stepOutcome: "failure", plan: prod.json, log: `${FAIL_LOG}attempt ${n}\n`, sha: SHA });

  test("success is posted on the merged pull request found from the commit, with the counts; one comment per stack", async () => {
    const gh = fakeGitHub([merged]);
    const r = await reportApplyResults({ ...repo, octokit: gh, sha: SHA, branch: "main", stacks: ["cci-lite-prod"], results: [ok()] });
    expect(r).toMatchObject({ prNumber: 42, failed: [] });
    const onPr = gh.state.comments.filter((c) => c.issue_number === 42);
    expect(onPr).toHaveLength(1);
    expect(onPr[0]!.body).toMatch(/### Apply on `main`: `cci-lite-prod` — ✅ applied/);
    expect(onPr[0]!.body).toMatch(/\*\*Applied:\*\* \d+ added, 0 changed, 0 destroyed/);
    expect(gh.state.issues).toEqual([]);
  });

  test("a failed apply opens an issue, a second failure updates it (not duplicated), a success closes it", async () => {
    const gh = fakeGitHub([merged]);
    const first = await reportApplyResults({ ...repo, octokit: gh, sha: SHA, branch: "main", stacks: ["cci-lite-prod"], results: [failed(1)] });
    expect(first.failed).toEqual(["cci-lite-prod"]);
    expect(gh.state.issues).toHaveLength(1);
    expect(gh.state.issues[0]).toMatchObject({ title: applyFailedIssueTitle("cci-lite-prod"), state: "open", labels: [{ name: "apply-failed" }] });
    expect(gh.state.issues[0]!.body).toContain("Merged pull request: #42");
    await reportApplyResults({ ...repo, octokit: gh, sha: SHA, branch: "main", stacks: ["cci-lite-prod"], results: [failed(2)] });
    expect(gh.state.issues).toHaveLength(1);
    expect(gh.state.issues[0]!.body).toContain("attempt 2");
    // The PR keeps one result comment per stack, updated in place.
    expect(gh.state.comments.filter((c) => c.issue_number === 42 && c.body?.includes(applyResultMarker("cci-lite-prod")))).toHaveLength(1);
    await reportApplyResults({ ...repo, octokit: gh, sha: SHA, branch: "main", stacks: ["cci-lite-prod"], results: [ok()] });
    expect(gh.state.issues[0]!.state).toBe("closed");
  });

  test("a re-run attempt does not repost an earlier attempt's result (nor reopen its issue); its own results are posted", async () => {
    const gh = fakeGitHub([merged]);
    const fromAttempt = (r: ReturnType<typeof ok>, runAttempt: number) => ({ ...r, runAttempt });
    await reportApplyResults({
      ...repo,
      octokit: gh,
      sha: SHA,
      branch: "main",
      stacks: ["cci-lite-prod"],
      results: [fromAttempt(failed(1), 1)],
      runAttempt: 1,
    });
    expect(gh.state.issues).toHaveLength(1);
    // The failure was fixed by hand and the issue closed; attempt 2 re-runs the report while prod's apply is not re-run.
    gh.state.issues[0]!.state = "closed";
    const callsBefore = gh.state.calls.length;
    const second = await reportApplyResults({
      ...repo,
      octokit: gh,
      sha: SHA,
      branch: "main",
      stacks: ["cci-lite-dev", "cci-lite-prod"],
      results: [fromAttempt(failed(1), 1), fromAttempt({ ...ok(), stack: "cci-lite-dev" }, 2)],
      runAttempt: 2,
    });
    expect(second.failed).toEqual([]);
    expect(second.summary).toContain("- `cci-lite-prod`: not run again in attempt 2; its result (attempt 1) was reported then.");
    expect(gh.state.issues.map((i) => i.state)).toEqual(["closed"]);
    const writes = gh.state.calls.slice(callsBefore).filter((c) => !c.startsWith("list"));
    expect(writes).toEqual(["createComment"]); // dev's result only
    expect(gh.state.comments.at(-1)!.body).toContain(applyResultMarker("cci-lite-dev"));
    // The CLI records the attempt from GITHUB_RUN_ATTEMPT.
    const dir = mkdtempSync(join(tmpdir(), "apply-result-"));
    try {
      const out = join(dir, "r.json");
      main(["apply-result", "--stack", "s", "--outcome", "success", "--out", out], { GITHUB_STEP_SUMMARY: join(dir, "s"), GITHUB_RUN_ATTEMPT: "3" });
      expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ stack: "s", outcome: "success", runAttempt: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a stack without a result (rejected, cancelled) is reported as not applied and opens no issue; no PR: summary only", async () => {
    const gh = fakeGitHub([]);
    const r = await reportApplyResults({ ...repo, octokit: gh, sha: SHA, branch: "main", stacks: ["cci-lite-dev", "cci-lite-prod"], results: [ok()] });
    expect(r.prNumber).toBeUndefined();
    expect(r.summary).toMatch(/`cci-lite-dev` — ⏭️ not applied/);
    expect(r.summary).toMatch(/No merged pull request found/);
    expect(gh.state.comments).toEqual([]);
    expect(gh.state.issues).toEqual([]);
  });
});
