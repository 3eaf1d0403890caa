/** Comment upsert and drift issue upsert against a hand-written fake Octokit, with real plan bodies. */
import { loadOfflinePlan, type LoadedPlan } from "../helpers/offline-plan";
import { driftIssueTitle, syncDriftIssue, upsertComment } from "../../scripts/delivery/github";
import { planCommentMarker, renderPlanMarkdown, summarizePlan } from "../../scripts/delivery/plan-summary";
import { GITHUB_BODY_LIMIT } from "../../scripts/delivery/truncate";
import { fakeOctokit } from "./fake-octokit";

jest.setTimeout(600_000);

const repo = { owner: "acme", repo: "cci-lite" };
let prod: LoadedPlan;
let bootstrap: LoadedPlan;

beforeAll(() => {
  prod = loadOfflinePlan("cci-lite-prod");
  bootstrap = loadOfflinePlan("bootstrap-prod");
});

function planBody(plan: LoadedPlan, stack: string, runUrl: string): string {
  return renderPlanMarkdown({ stack, summary: summarizePlan(plan.json), planText: plan.text, runUrl, marker: planCommentMarker(stack) });
}

describe("upsertComment (plan comment per stack)", () => {
  test("creates one comment, then updates it in place on every push", async () => {
    const gh = fakeOctokit();
    const marker = planCommentMarker("cci-lite-prod");
    const first = await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker, body: planBody(prod, "cci-lite-prod", "https://run/1") });
    const second = await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker, body: planBody(prod, "cci-lite-prod", "https://run/2") });
    expect(first.action).toBe("created");
    expect(second).toMatchObject({ action: "updated", id: first.id });
    const mine = gh.state.comments.filter((c) => c.issue_number === 7);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain("https://run/2");
    expect(mine[0]!.body!.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(gh.state.calls.filter((c) => c === "createComment")).toHaveLength(1);
  });

  test("one comment per stack; other stacks, other PRs and human comments are left alone", async () => {
    const gh = fakeOctokit({
      comments: [
        { id: 1, issue_number: 7, body: "LGTM", user: { login: "alice", type: "User" } },
        { id: 2, issue_number: 7, body: `quoting: ${planCommentMarker("bootstrap")}`, user: { login: "bob", type: "User" } },
        { id: 3, issue_number: 8, body: planCommentMarker("bootstrap"), user: { login: "github-actions[bot]", type: "Bot" } },
      ],
    });
    await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker: planCommentMarker("cci-lite-prod"), body: planBody(prod, "cci-lite-prod", "u") });
    await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker: planCommentMarker("bootstrap"), body: planBody(bootstrap, "bootstrap", "u") });
    await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker: planCommentMarker("bootstrap"), body: planBody(bootstrap, "bootstrap", "u2") });
    const onPr = gh.state.comments.filter((c) => c.issue_number === 7);
    expect(onPr).toHaveLength(4);
    expect(onPr.find((c) => c.id === 1)!.body).toBe("LGTM");
    expect(onPr.find((c) => c.id === 2)!.body).toBe(`quoting: ${planCommentMarker("bootstrap")}`);
    expect(gh.state.comments.find((c) => c.id === 3)!.body).toBe(planCommentMarker("bootstrap"));
    const bot = onPr.filter((c) => c.user?.type === "Bot");
    expect(bot.map((c) => c.body!.split("\n")[0])).toEqual([planCommentMarker("cci-lite-prod"), planCommentMarker("bootstrap")]);
  });

  test("finds its comment beyond the first page of comments", async () => {
    const comments = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, issue_number: 7, body: `comment ${i}`, user: { login: "u", type: "User" } }));
    comments.push({ id: 999, issue_number: 7, body: `${planCommentMarker("cci-lite-prod")}\nold`, user: { login: "github-actions[bot]", type: "Bot" } });
    const gh = fakeOctokit({ comments });
    const r = await upsertComment({ ...repo, octokit: gh, issueNumber: 7, marker: planCommentMarker("cci-lite-prod"), body: "new body" });
    expect(r).toMatchObject({ action: "updated", id: 999 });
    expect(gh.state.calls).toEqual(["listComments:1", "listComments:2", "listComments:3", "updateComment"]);
    expect(gh.state.comments.find((c) => c.id === 999)!.body).toBe(`${planCommentMarker("cci-lite-prod")}\nnew body`);
  });
});

describe("syncDriftIssue (one issue per stack, labelled drift)", () => {
  const driftBody = (run: string) =>
    renderPlanMarkdown({ stack: "cci-lite-prod", summary: summarizePlan(prod.json), planText: prod.text, runUrl: run, title: "Drift" });

  test("exit 2 opens an issue, exit 2 again updates the same one, exit 0 closes it with a comment", async () => {
    const gh = fakeOctokit();
    const a = await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 2, body: driftBody("https://run/1") });
    expect(a.action).toBe("created");
    expect(gh.state.issues).toHaveLength(1);
    expect(gh.state.issues[0]).toMatchObject({ title: driftIssueTitle("cci-lite-prod"), state: "open", labels: [{ name: "drift" }] });
    expect(gh.state.issues[0]!.body!.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);

    const b = await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 2, body: driftBody("https://run/2") });
    expect(b).toMatchObject({ action: "updated", number: a.number });
    expect(gh.state.issues).toHaveLength(1);
    expect(gh.state.issues[0]!.body).toContain("https://run/2");

    const c = await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 0, runUrl: "https://run/3" });
    expect(c).toMatchObject({ action: "closed", number: a.number });
    expect(gh.state.issues[0]!.state).toBe("closed");
    expect(gh.state.comments.find((x) => x.issue_number === a.number)!.body).toContain("https://run/3");

    // Nothing open any more: exit 0 does nothing; new drift opens a fresh issue.
    expect((await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 0 })).action).toBe("none");
    expect((await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 2, body: driftBody("r4") })).action).toBe("created");
  });

  test("matches by label AND exact title, skipping pull requests and other stacks", async () => {
    const title = driftIssueTitle("cci-lite-prod");
    const gh = fakeOctokit({
      issues: [
        { number: 1, title, state: "open", labels: [{ name: "drift" }], pull_request: { url: "x" } }, // a PR with the same title
        { number: 2, title, state: "open", labels: [{ name: "bug" }] }, // not labelled drift
        { number: 3, title: `${title} (old)`, state: "open", labels: [{ name: "drift" }] }, // not the exact title
        { number: 4, title: driftIssueTitle("cci-lite-dev"), state: "open", labels: [{ name: "drift" }] },
        { number: 5, title, state: "open", labels: [{ name: "drift" }, { name: "infra" }] }, // the one
      ],
    });
    const r = await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 2, body: "drift!" });
    expect(r).toMatchObject({ action: "updated", number: 5 });
    expect(gh.state.issues.filter((i) => i.body === "drift!").map((i) => i.number)).toEqual([5]);
    await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 0 });
    expect(gh.state.issues.filter((i) => i.state === "closed").map((i) => i.number)).toEqual([5]);
  });

  test("finds the issue beyond the first page", async () => {
    const issues = Array.from({ length: 130 }, (_, i) => ({ number: i + 1, title: `other ${i}`, state: "open", labels: [{ name: "drift" }] }));
    issues.push({ number: 500, title: driftIssueTitle("cci-lite-prod"), state: "open", labels: [{ name: "drift" }] });
    const gh = fakeOctokit({ issues });
    const r = await syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 2, body: "b" });
    expect(r).toMatchObject({ action: "updated", number: 500 });
    expect(gh.state.calls.filter((c) => c.startsWith("listForRepo"))).toEqual(["listForRepo:1", "listForRepo:2"]);
  });

  test("exit 1 (plan error) changes nothing and throws", async () => {
    const gh = fakeOctokit({ issues: [{ number: 9, title: driftIssueTitle("cci-lite-prod"), state: "open", labels: [{ name: "drift" }] }] });
    await expect(syncDriftIssue({ ...repo, octokit: gh, stack: "cci-lite-prod", exitCode: 1 })).rejects.toThrow(/exit code 1/);
    expect(gh.state.calls).toEqual([]);
    expect(gh.state.issues[0]!.state).toBe("open");
  });
});

describe("the bundle the workflows require from actions/github-script", () => {
  test("esbuild bundles scripts/delivery/github.ts into one CommonJS file that works with an Octokit", async () => {
    // Same command as the workflows: npx esbuild scripts/delivery/github.ts --bundle --platform=node --target=node20 --format=cjs
    const { buildSync } = await import("esbuild");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "delivery-bundle-"));
    try {
      const outfile = join(dir, "github.cjs");
      buildSync({
        entryPoints: [join(__dirname, "..", "..", "scripts", "delivery", "github.ts")],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        outfile,
        logLevel: "silent",
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const delivery = require(outfile) as typeof import("../../scripts/delivery/github");
      const gh = fakeOctokit();
      const r = await delivery.upsertComment({ ...repo, octokit: gh, issueNumber: 3, marker: delivery.planCommentMarker("bootstrap"), body: "plan" });
      expect(r.action).toBe("created");
      expect(typeof delivery.syncDriftIssue).toBe("function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
