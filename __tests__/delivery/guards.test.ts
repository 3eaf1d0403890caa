/**
 * Apply guards (scripts/delivery/guards.ts) against a fake GitHub API and the real offline plan JSON. The environment
 * guard, which needs no plan, is in environment-guard.test.ts.
 */
import {
  changesMarker,
  checkDestroy,
  checkHead,
  checkPriorState,
  findMergedPullRequest,
  type PullRequestInfo,
  parseChangesMarker,
  planChanges,
  planCommentMarker,
  reviewMainPlans,
  statefulDestroys,
  verifyHead,
} from "../../scripts/delivery/github";
import { destroyNote, main } from "../../scripts/delivery/cli";
import { loadOfflinePlan, PLAN_TIMEOUT_MS } from "../helpers/offline-plan";
import { fakeGitHub, SHA_A, SHA_B } from "./fake-octokit";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

jest.setTimeout(PLAN_TIMEOUT_MS);

describe("merged pull request of a commit", () => {
  const pull = (number: number, merge_commit_sha: string, base = "main"): PullRequestInfo => ({
    number,
    merged_at: "2026-12-01T00:00:00Z",
    merge_commit_sha,
    base: { ref: base },
  });
  const find = (pulls: PullRequestInfo[]) =>
    findMergedPullRequest({ owner: "o", repo: "r", sha: SHA_A, base: "main", octokit: fakeGitHub({ pulls: { [SHA_A]: pulls } }) });

  test("only the pull request whose merge commit is the pushed commit, never another one the commit belongs to", async () => {
    expect((await find([pull(3, SHA_B), pull(4, SHA_A)]))?.number).toBe(4);
    // A direct push of a commit that was on another (merged) pull request's branch: no merged pull request.
    expect(await find([pull(3, SHA_B)])).toBeUndefined();
    expect(await find([pull(5, SHA_A, "release")])).toBeUndefined();
    expect(await find([{ ...pull(6, SHA_A), merged_at: null }])).toBeUndefined();
  });
});

describe("head guard", () => {
  test("superseded → refuse with the newest SHA", async () => {
    const r = await verifyHead({ owner: "o", repo: "r", branch: "main", plannedSha: SHA_A, octokit: fakeGitHub({ head: SHA_B }) });
    expect(r).toEqual({ ok: false, problems: [`superseded by ${SHA_B}, approve the newest run`] });
  });

  test("still the head → pass; a non-SHA planned commit is an error", async () => {
    expect(await verifyHead({ owner: "o", repo: "r", branch: "main", plannedSha: SHA_A, octokit: fakeGitHub({ head: SHA_A }) })).toEqual({
      ok: true,
      problems: [],
    });
    expect(() => checkHead("", SHA_A)).toThrow(/not a commit SHA/);
  });
});

describe("with the real offline plan (cci-lite-prod, made without prior state)", () => {
  const plan = () => loadOfflinePlan("cci-lite-prod").json;

  test("no-prior-state plan is refused when a state now exists", () => {
    const p = plan();
    const addresses = (p.resource_changes as Array<{ address: string }>).map((r) => r.address);
    const r = checkPriorState(p, `${[...addresses, "data.aws_caller_identity.current"].join("\n")}\n`);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(new RegExp(`made with no prior state, but the state now holds ${addresses.length} resource\\(s\\).*Nothing was applied`));
    // Still no state (or only data sources): fine.
    expect(checkPriorState(p, "").ok).toBe(true);
    expect(checkPriorState(p, "data.aws_caller_identity.current\nmodule.x.data.aws_region.r\n").ok).toBe(true);
    // A plan made WITH prior state is Terraform's own stale check's business.
    const withPrior = { ...p, prior_state: { values: { root_module: { resources: [{ address: addresses[0], mode: "managed" }] } } } };
    expect(checkPriorState(withPrior, addresses.join("\n")).ok).toBe(true);
  });

  test("CLI prior-state-guard exits 1 with a summary", () => {
    const dir = mkdtempSync(join(tmpdir(), "guard-"));
    writeFileSync(join(dir, "state.txt"), "aws_s3_bucket.input\n");
    const env = { GITHUB_STEP_SUMMARY: join(dir, "summary.md"), GITHUB_OUTPUT: join(dir, "out") };
    const planJson = loadOfflinePlan("cci-lite-prod").planJson;
    expect(main(["prior-state-guard", "--plan-json", planJson, "--state-list", join(dir, "state.txt")], env)).toBe(1);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8")).toContain("Refused: plan made without prior state");
    writeFileSync(join(dir, "empty.txt"), "");
    expect(main(["prior-state-guard", "--plan-json", planJson, "--state-list", join(dir, "empty.txt")], env)).toBe(0);
  });

  test("destroy guard: deleting or replacing a bucket, the key, a log group or the Glue database needs the allow-destroy label", () => {
    const p = plan();
    expect(statefulDestroys(p)).toEqual([]); // all creates
    const rc = p.resource_changes as Array<{ address: string; type: string; change: { actions: string[] } }>;
    const bucket = rc.find((r) => r.type === "aws_s3_bucket")!;
    const key = rc.find((r) => r.type === "aws_kms_key")!;
    const role = rc.find((r) => r.type === "aws_iam_role")!;
    const mutated = {
      ...p,
      resource_changes: rc.map((r) =>
        r === bucket
          ? { ...r, change: { ...r.change, actions: ["delete", "create"] } }
          : r === key || r === role
            ? { ...r, change: { ...r.change, actions: ["delete"] } }
            : r,
      ),
    };
    const destroys = statefulDestroys(mutated).map((r) => `${r.address} ${r.action}`);
    expect(destroys.sort()).toEqual([`${bucket.address} replace`, `${key.address} delete`].sort());
    const refused = checkDestroy("cci-lite-prod", destroys, ["infra"]);
    expect(refused.ok).toBe(false);
    expect(refused.problems[0]).toMatch(/deletes or replaces stateful resources .* add the label "allow-destroy" to the pull request/);
    expect(checkDestroy("cci-lite-prod", destroys, ["allow-destroy"]).ok).toBe(true);
    // The PR comment warns early; drift issues do not.
    expect(destroyNote("pr", destroys)).toMatch(/deletes or replaces stateful resources: .*label `allow-destroy`/);
    expect(destroyNote("drift", destroys)).toBeUndefined();
    expect(destroyNote("pr", [])).toBeUndefined();
  });

  test("merged-PR plan comment: a difference from the last reviewed plan is flagged in the comment and the summary", async () => {
    const p = plan();
    const reviewed = planChanges(p);
    // One change per planned resource (the count follows the stack; every resource is a create without prior state).
    expect(reviewed).toHaveLength(p.resource_changes.length);
    expect(parseChangesMarker(`x\n${changesMarker(reviewed)}\n`)?.changes).toEqual(reviewed);
    const gh = fakeGitHub({
      pulls: { [SHA_A]: [{ number: 7, merged_at: "2026-11-29T10:00:00Z", merge_commit_sha: SHA_A, base: { ref: "main" }, labels: [{ name: "infra" }] }] },
    });
    // The PR's last plan comment (as render-plan --kind pr writes it), plus an older one and a human quoting the marker.
    gh.state.comments.push(
      { id: 1, issue_number: 7, body: `${planCommentMarker("cci-lite-prod")}\nold\n${changesMarker([])}`, user: { login: "github-actions[bot]", type: "Bot" } },
      {
        id: 2,
        issue_number: 7,
        body: `${planCommentMarker("cci-lite-prod")}\nlatest\n${changesMarker(reviewed)}`,
        user: { login: "github-actions[bot]", type: "Bot" },
      },
      { id: 3, issue_number: 7, body: `quoting ${planCommentMarker("cci-lite-prod")} ${changesMarker([])}`, user: { login: "alice", type: "User" } },
    );
    // On main, another merge added a change and one reviewed change is gone.
    const onMain = [...reviewed.slice(1), "aws_sqs_queue.extra create"];
    const stack = { stack: "cci-lite-prod", hasChanges: true, changes: onMain, statefulDestroys: [], planMarkdown: "PLAN" };
    const r = await reviewMainPlans({ octokit: gh, owner: "o", repo: "r", sha: SHA_A, branch: "main", stacks: [stack] });
    expect(r.pr?.number).toBe(7);
    expect(r.differs).toEqual(["cci-lite-prod"]);
    expect(r.problems).toEqual([]);
    expect(r.summary).toContain("differs from the last plan reviewed on #7");
    expect(r.summary).toContain("`aws_sqs_queue.extra create`");
    expect(r.summary).toContain(`\`${reviewed[0]}\``);
    const posted = gh.state.comments.filter((c) => c.issue_number === 7 && c.id > 3);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body).toMatch(/^<!-- cci-lite:main-plan stack=cci-lite-prod -->\n### Plan on `main` after merging/);
    expect(posted[0]!.body).toContain("differs from the last plan reviewed on #7");
    expect(posted[0]!.body).toContain("PLAN");

    // Same set: no flag, and the main-plan comment is updated in place.
    const same = await reviewMainPlans({ octokit: gh, owner: "o", repo: "r", sha: SHA_A, branch: "main", stacks: [{ ...stack, changes: reviewed }] });
    expect(same.differs).toEqual([]);
    expect(same.summary).toContain("changes the same resources, with the same actions");
    expect(gh.state.comments.filter((c) => c.issue_number === 7)).toHaveLength(4);
    expect(gh.state.calls).toContain("updateComment");
  });

  test("destroy guard through the collect step: no label on the merged PR → problem; direct push → problem", async () => {
    const stack = { stack: "cci-lite-prod", hasChanges: true, changes: ["aws_kms_key.k delete"], statefulDestroys: ["aws_kms_key.k delete"], planMarkdown: "" };
    const pr = { number: 8, merged_at: "x", merge_commit_sha: SHA_A, base: { ref: "main" } };
    const without = await reviewMainPlans({
      octokit: fakeGitHub({ pulls: { [SHA_A]: [{ ...pr, labels: [] }] } }),
      owner: "o",
      repo: "r",
      sha: SHA_A,
      branch: "main",
      stacks: [stack],
    });
    expect(without.problems).toEqual([expect.stringContaining('"allow-destroy"')]);
    expect(without.summary).toContain("Destroy guard");
    const withLabel = await reviewMainPlans({
      octokit: fakeGitHub({ pulls: { [SHA_A]: [{ ...pr, labels: [{ name: "allow-destroy" }] }] } }),
      owner: "o",
      repo: "r",
      sha: SHA_A,
      branch: "main",
      stacks: [stack],
    });
    expect(withLabel.problems).toEqual([]);
    const direct = await reviewMainPlans({ octokit: fakeGitHub(), owner: "o", repo: "r", sha: SHA_A, branch: "main", stacks: [stack] });
    expect(direct.pr).toBeUndefined();
    expect(direct.problems).toHaveLength(1);
  });

  test("render-plan --kind pr ends the comment with the changes record; the meta carries changes and stateful destroys", () => {
    const dir = mkdtempSync(join(tmpdir(), "render-"));
    const loaded = loadOfflinePlan("cci-lite-prod");
    const env = { GITHUB_OUTPUT: join(dir, "out"), GITHUB_STEP_SUMMARY: join(dir, "sum") };
    const args = ["--stack", "cci-lite-prod", "--plan-json", loaded.planJson, "--plan-text", loaded.planText];
    main(["render-plan", "--kind", "pr", ...args, "--out", join(dir, "c.md"), "--meta", join(dir, "m.json")], env);
    const body = readFileSync(join(dir, "c.md"), "utf8");
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(parseChangesMarker(body)?.changes).toEqual(planChanges(loaded.json));
    const meta = JSON.parse(readFileSync(join(dir, "m.json"), "utf8"));
    expect(meta.changes).toEqual(planChanges(loaded.json));
    expect(meta.statefulDestroys).toEqual([]);
  });
});
