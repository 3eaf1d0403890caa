/**
 * Drift: refresh-only ("changed outside Terraform") vs. normal plan ("merged but not applied"), classified from
 * REAL offline plan JSON (a refresh-only plan run here with real Terraform), and the issue handling (open, update,
 * close, errors, removed stacks) against the fake GitHub API.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOfflinePlan, PLAN_TIMEOUT_MS, type LoadedPlan } from "../helpers/offline-plan";
import { terraformEnv } from "../../scripts/offline-plan";
import { classifyDrift, renderDriftIssue, renderUnappliedIssue } from "../../scripts/delivery/drift";
import {
  applyFailedIssueTitle,
  closeIssuesOfRemovedStacks,
  driftErrorIssueTitle,
  driftIssueTitle,
  stackOfIssueTitle,
  syncDriftIssues,
  unappliedIssueTitle,
} from "../../scripts/delivery/github";
import { main } from "../../scripts/delivery/cli";
import type { PlanJson } from "../../scripts/delivery/plan-summary";
import { fakeOctokit } from "./fake-octokit";

jest.setTimeout(PLAN_TIMEOUT_MS);

const repo = { owner: "acme", repo: "cci-lite" };
let stack: LoadedPlan; // the stack the drift commands run on (bootstrap)
let refresh: { exitCode: number; json: PlanJson };
let work: string;

beforeAll(() => {
  // The smallest real stack: the refresh-only plan below is a second real Terraform run.
  stack = loadOfflinePlan("bootstrap-prod");
  work = mkdtempSync(join(tmpdir(), "drift-"));
  // The drift workflow's first command, for real, in the offline working copy (no state yet = nothing deployed).
  const out = join(work, "refresh.tfplan");
  const r = spawnSync("terraform", ["plan", "-refresh-only", "-input=false", "-lock=false", "-detailed-exitcode", "-no-color", `-out=${out}`], {
    cwd: stack.workDir,
    env: terraformEnv(),
    encoding: "utf8",
  });
  const json = JSON.parse(execFileSync("terraform", ["show", "-json", out], { cwd: stack.workDir, env: terraformEnv(), encoding: "utf8", maxBuffer: 1 << 28 }));
  refresh = { exitCode: r.status ?? -1, json };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe("drift refresh-only vs unapplied", () => {
  test("real refresh-only plan: exit code 2 from outputs alone is not 'changed outside Terraform'", () => {
    // Terraform reports the outputs it would record as changes (-detailed-exitcode 2) though no resource drifted:
    // the classification reads the JSON, not the exit code.
    expect(refresh.exitCode).toBe(2);
    expect(refresh.json.resource_drift ?? []).toEqual([]);
    const c = classifyDrift(refresh.json, stack.json);
    expect(c.changedOutside).toEqual([]);
  });

  test("real normal plan of an undeployed stack: everything is 'merged but not applied'", () => {
    const c = classifyDrift(refresh.json, stack.json);
    const creates = (stack.json.resource_changes as Array<{ address: string; mode: string; change: { actions: string[] } }>).filter(
      (rc) => rc.mode === "managed" && rc.change.actions.join() === "create",
    );
    expect(c.unapplied.map((u) => u.address)).toEqual(creates.map((rc) => rc.address));
    expect(c.unapplied.every((u) => u.action === "create")).toBe(true);
    expect(c.outputs.length).toBeGreaterThan(0);
  });

  test("drifted resources are reported as drift only; the rest of the plan as unapplied", () => {
    const rcs = stack.json.resource_changes as Array<{ address: string; type: string; mode: string; change: { actions: string[] } }>;
    const [a, b, c] = rcs.filter((rc) => rc.mode === "managed");
    // Refresh-only found two resources changed (one edited, one deleted in the console)...
    const refreshed = clone(refresh.json);
    refreshed.resource_drift = [
      { ...clone(a!), change: { actions: ["update"] } },
      { ...clone(b!), change: { actions: ["delete"] } },
    ] as never;
    // ...the normal plan reverts them and also changes a third resource from a merged commit.
    const plan = clone(stack.json) as PlanJson;
    plan.resource_changes = [
      { ...clone(a!), change: { actions: ["update"] } },
      { ...clone(b!), change: { actions: ["create"] } },
      { ...clone(c!), change: { actions: ["delete", "create"] } },
    ] as never;
    plan.output_changes = {};
    const r = classifyDrift(refreshed, plan);
    expect(r.changedOutside).toEqual([
      { address: a!.address, type: a!.type, action: "update" },
      { address: b!.address, type: b!.type, action: "delete" },
    ]);
    expect(r.unapplied).toEqual([{ address: c!.address, type: c!.type, action: "replace" }]);
    expect(renderDriftIssue("cci-lite-dev", r, "https://run/1")).toContain(`\`${a!.address}\``);
    expect(renderUnappliedIssue("cci-lite-dev", r, "https://run/1")).toMatch(/1 resource change\(s\) were merged but never applied/);
  });

  test("cli drift-report writes one report per finding and the outputs the workflow reads", () => {
    const dir = mkdtempSync(join(work, "out-"));
    const refreshJson = join(work, "refresh.json");
    writeFileSync(refreshJson, JSON.stringify(refresh.json));
    const outFile = join(work, "gh-output");
    writeFileSync(outFile, "");
    const env = { GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: join(work, "gh-summary") };
    expect(main(["drift-report", "--stack", "cci-lite-dev", "--refresh-json", refreshJson, "--plan-json", stack.planJson, "--out-dir", dir], env)).toBe(0);
    expect(readFileSync(outFile, "utf8")).toBe("drifted=false\nunapplied=true\n");
    expect(readFileSync(join(dir, "unapplied.md"), "utf8")).toMatch(/^### Merged but not applied: `cci-lite-dev`/);
    expect(() => readFileSync(join(dir, "drift.md"))).toThrow();
  });
});

describe("drift issues (fake GitHub API)", () => {
  const stack = "cci-lite-prod";
  const ok = (o: { drift?: string; unapplied?: string }) => ({ ...repo, stack, outcome: "ok" as const, driftBody: o.drift, unappliedBody: o.unapplied });

  test("drift and unapplied are separate issues: opened, updated in place, closed independently", async () => {
    const gh = fakeOctokit();
    const a = await syncDriftIssues({ ...ok({ drift: "d1", unapplied: "u1" }), octokit: gh });
    expect([a.drift.action, a.unapplied.action, a.error.action]).toEqual(["created", "created", "none"]);
    expect(gh.state.issues.map((i) => i.title).sort()).toEqual([driftIssueTitle(stack), unappliedIssueTitle(stack)].sort());
    expect(gh.state.issues.every((i) => i.labels.some((l) => l.name === "drift"))).toBe(true);
    const b = await syncDriftIssues({ ...ok({ drift: "d2" }), octokit: gh, runUrl: "https://run/2" });
    expect([b.drift.action, b.unapplied.action]).toEqual(["updated", "closed"]);
    expect(gh.state.issues).toHaveLength(2);
    expect(gh.state.issues.find((i) => i.title === driftIssueTitle(stack))!).toMatchObject({ state: "open", body: "d2" });
    expect(gh.state.issues.find((i) => i.title === unappliedIssueTitle(stack))!.state).toBe("closed");
    const c = await syncDriftIssues({ ...ok({}), octokit: gh });
    expect(c.drift.action).toBe("closed");
    expect(gh.state.issues.every((i) => i.state === "closed")).toBe(true);
  });

  test("a drift run that errors opens, then updates, one issue; the next good run closes it; findings untouched meanwhile", async () => {
    const gh = fakeOctokit();
    await syncDriftIssues({ ...ok({ drift: "d1" }), octokit: gh });
    const e1 = await syncDriftIssues({ ...repo, octokit: gh, stack, outcome: "error", errorBody: "AccessDenied 1" });
    const e2 = await syncDriftIssues({ ...repo, octokit: gh, stack, outcome: "error", errorBody: "AccessDenied 2" });
    expect([e1.error.action, e2.error.action]).toEqual(["created", "updated"]);
    expect(gh.state.issues.filter((i) => i.title === driftErrorIssueTitle(stack))).toHaveLength(1);
    expect(gh.state.issues.find((i) => i.title === driftErrorIssueTitle(stack))!.body).toBe("AccessDenied 2");
    // The error said nothing about drift: the drift issue stays open.
    expect(gh.state.issues.find((i) => i.title === driftIssueTitle(stack))!.state).toBe("open");
    const good = await syncDriftIssues({ ...ok({ drift: "d3" }), octokit: gh });
    expect([good.error.action, good.drift.action]).toEqual(["closed", "updated"]);
    await expect(syncDriftIssues({ ...repo, octokit: gh, stack, outcome: "error" })).rejects.toThrow(/error body/);
  });

  test("issues of stacks that no longer exist are closed; current stacks, other issues and pull requests are left alone", async () => {
    const open = (number: number, title: string, label = "drift", extra = {}) => ({ number, title, state: "open", labels: [{ name: label }], ...extra });
    const gh = fakeOctokit({
      issues: [
        open(1, driftIssueTitle("cci-lite-qa")),
        open(2, unappliedIssueTitle("cci-lite-qa")),
        open(3, driftErrorIssueTitle("cci-lite-qa")),
        open(4, applyFailedIssueTitle("cci-lite-qa"), "apply-failed"),
        open(5, driftIssueTitle("cci-lite-prod")),
        open(6, "Drift detected in the dashboard", "drift"),
        open(7, driftIssueTitle("cci-lite-old"), "drift", { pull_request: { url: "x" } }),
        open(8, applyFailedIssueTitle("cci-lite-dev"), "apply-failed"),
      ],
    });
    const closed = await closeIssuesOfRemovedStacks({ ...repo, octokit: gh, stacks: ["cci-lite-dev", "cci-lite-prod"] });
    expect(closed.sort()).toEqual([1, 2, 3, 4]);
    expect(gh.state.issues.filter((i) => i.state === "open").map((i) => i.number)).toEqual([5, 6, 7, 8]);
    expect(gh.state.comments.filter((c) => c.issue_number === 1)[0]!.body).toMatch(/`cci-lite-qa` no longer exists/);
    expect(stackOfIssueTitle(driftIssueTitle("a.b-c_d"))).toBe("a.b-c_d");
    expect(stackOfIssueTitle("Drift detected in stack x y")).toBeUndefined();
  });
});
