/**
 * Stale comments (issue 21, minor): a run a newer push cancelled or superseded must not post its plan comments, which
 * would overwrite the newer run's. plan.yml's scan and report jobs run on `!cancelled()` (not `always()`), and the
 * report's posting step, executed here as actions/github-script would run it (the bundle built from the commit, a fake
 * GitHub API), posts nothing when the pull request's head is no longer the planned commit.
 */
import { buildSync } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newerPullRequestHead, planCommentMarker } from "../../scripts/delivery/github";
import { fakeGitHub, SHA_A, SHA_B } from "./fake-octokit";
import { REPO_ROOT, type Step, workflow } from "./workflows";

const plan = workflow("plan");
const postStep = (): Step => plan.doc.jobs.report!.steps!.find((s) => s.name === "Post or update the plan comments")!;

describe("newerPullRequestHead", () => {
  const repo = { owner: "o", repo: "r", pullNumber: 7 };
  test("undefined while the pull request's head is the planned commit (any case); the new head once it moved", async () => {
    const gh = fakeGitHub({ pullHeads: { 7: SHA_A } });
    expect(await newerPullRequestHead({ ...repo, octokit: gh, sha: SHA_A })).toBeUndefined();
    expect(await newerPullRequestHead({ ...repo, octokit: gh, sha: SHA_A.toUpperCase() })).toBeUndefined();
    expect(await newerPullRequestHead({ ...repo, octokit: fakeGitHub({ pullHeads: { 7: SHA_B } }), sha: SHA_A })).toBe(SHA_B);
    expect(gh.state.calls).toEqual(["pulls.get:7", "pulls.get:7"]);
  });
});

describe("plan.yml: cancelled or superseded runs post no plan comment", () => {
  test("scan and report run after a failed plan but not in a cancelled run; plan-status still always reports", () => {
    const jobs = plan.doc.jobs;
    expect(jobs.scan!.if).toBe("!cancelled() && needs.prepare.outputs.has-stacks == 'true'");
    expect(jobs.report!.if).toBe("!cancelled() && needs.prepare.outputs.has-stacks == 'true'");
    // The required check: a skipped required check counts as passed, so it must run (and fail) in a cancelled run.
    expect(jobs["plan-status"]!.if).toBe("always()");
    // A newer push cancels the older run: that is what makes its report stale.
    expect((plan.doc as { concurrency?: unknown }).concurrency).toEqual({ group: "plan-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    // apply.yml keeps always(): each run reports its own commit on its own merged pull request (a cancelled apply's
    // errored state included), and a re-run attempt posts only its own results (apply-report.test.ts).
    expect(workflow("apply").doc.jobs.report!.if).toMatch(/^always\(\) && /);
  });

  describe("the posting step, run as actions/github-script runs it", () => {
    let workspace: string;
    beforeAll(() => {
      workspace = mkdtempSync(join(tmpdir(), "stale-runs-"));
      buildSync({
        entryPoints: [join(REPO_ROOT, "scripts", "delivery", "github.ts")],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        outfile: join(workspace, "dist", "delivery", "github.cjs"),
        logLevel: "silent",
      });
      mkdirSync(join(workspace, "comments"));
      writeFileSync(join(workspace, "comments", "cci-lite-prod.md"), `${planCommentMarker("cci-lite-prod")}\nPLAN of ${SHA_A}`);
    });
    afterAll(() => rmSync(workspace, { recursive: true, force: true }));

    async function runStep(prHeadNow: string) {
      const step = postStep();
      expect(step.env?.HEAD_SHA).toBe("${{ github.event.pull_request.head.sha }}");
      const gh = fakeGitHub({ pullHeads: { 7: prHeadNow } });
      const notices: string[] = [];
      const env = { GITHUB_WORKSPACE: workspace, COMMENTS_DIR: join(workspace, "comments"), HEAD_SHA: SHA_A };
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
      const script = new AsyncFunction("require", "github", "context", "core", "process", String(step.with!.script));
      const core = { notice: (m: string) => notices.push(m), info: () => {} };
      await script(require, gh, { repo: { owner: "o", repo: "r" }, issue: { number: 7 } }, core, { env });
      return { comments: gh.state.comments.filter((c) => c.issue_number === 7), notices };
    }

    test("still the head: the comment is posted", async () => {
      const r = await runStep(SHA_A);
      expect(r.comments.map((c) => c.body)).toEqual([`${planCommentMarker("cci-lite-prod")}\nPLAN of ${SHA_A}`]);
      expect(r.notices).toEqual([]);
    });

    test("superseded by a newer push: nothing is posted, and the notice says which run posts instead", async () => {
      const r = await runStep(SHA_B);
      expect(r.comments).toEqual([]);
      expect(r.notices).toEqual([`Plan comments not posted: this run planned ${SHA_A}, the pull request's head is now ${SHA_B}; its run posts them.`]);
    });
  });
});
