/**
 * `plan-status` (scripts/delivery/plan-status.sh, the plan workflow's always-running job): run for real with the
 * `needs.*` results GitHub passes in each situation.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, workflow } from "./workflows";

const SCRIPT = join(REPO_ROOT, "scripts", "delivery", "plan-status.sh");

function status(env: Record<string, string>): { code: number; stdout: string; summary: string } {
  const dir = mkdtempSync(join(tmpdir(), "plan-status-"));
  try {
    const summary = join(dir, "summary");
    writeFileSync(summary, "");
    const r = spawnSync("bash", [SCRIPT], { encoding: "utf8", env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: summary, ...env } });
    return { code: r.status ?? -1, stdout: r.stdout, summary: readFileSync(summary, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const planned = {
  IS_FORK: "false",
  IS_DEPENDABOT: "false",
  PREPARE_RESULT: "success",
  HAS_STACKS: "true",
  PLAN_RESULT: "success",
  SCAN_RESULT: "success",
  REPORT_RESULT: "success",
};

describe("plan-status", () => {
  test("plan-status for forks: reports success with the reason (no OIDC for forks; main plans it before approval)", () => {
    // What GitHub passes for a fork: prepare is skipped by its `if`, so everything after it is skipped too.
    const r = status({ IS_FORK: "true", PREPARE_RESULT: "skipped", HAS_STACKS: "", PLAN_RESULT: "skipped", SCAN_RESULT: "skipped", REPORT_RESULT: "skipped" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::notice title=plan-status::Not planned: this pull request comes from a fork/m);
    expect(r.summary).toMatch(/### ✅ plan-status\n\nNot planned: .*forks get no OIDC token or secrets.*apply workflow plans every stack on main/s);
  });

  test("plan-status for a run Dependabot started: success, not planned, says why (GitHub runs it like a fork's)", () => {
    // What GitHub passes: the pull request's branch is in this repository, but prepare is skipped by its `if`.
    const skipped = { PREPARE_RESULT: "skipped", HAS_STACKS: "", PLAN_RESULT: "skipped", SCAN_RESULT: "skipped", REPORT_RESULT: "skipped" };
    const r = status({ IS_FORK: "false", IS_DEPENDABOT: "true", ...skipped });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::notice title=plan-status::Not planned: Dependabot started this run, and GitHub runs such runs like a fork's/m);
    expect(r.summary).toMatch(/no stack was planned with AWS credentials.*apply workflow plans every stack on main/s);
    // Not Dependabot, same skipped jobs: that is a failed synth, not a pass.
    expect(status({ IS_FORK: "false", IS_DEPENDABOT: "false", ...skipped }).code).toBe(1);
  });

  test("plan-status for an empty matrix: success, nothing to plan, says why", () => {
    const r = status({ ...planned, HAS_STACKS: "false", PLAN_RESULT: "skipped", SCAN_RESULT: "skipped", REPORT_RESULT: "skipped" });
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(/Nothing to plan: no stack with a remote backend/);
  });

  test("fails when any stack's plan failed", () => {
    const r = status({ ...planned, PLAN_RESULT: "failure", REPORT_RESULT: "success" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=plan-status::At least one stack's plan did not succeed \(plan jobs: failure\)/m);
    expect(r.summary).toMatch(/### ❌ plan-status/);
  });

  test("fails when the plans were cancelled, the synth failed, or the comments could not be posted", () => {
    expect(status({ ...planned, PLAN_RESULT: "cancelled" }).code).toBe(1);
    expect(status({ ...planned, PREPARE_RESULT: "failure", HAS_STACKS: "" }).stdout).toMatch(/synth or the stack matrix failed/);
    expect(status({ ...planned, REPORT_RESULT: "failure" }).stdout).toMatch(/plan comments could not be posted/);
  });

  test("success when every plan succeeded; a failed scan only warns", () => {
    expect(status(planned)).toMatchObject({ code: 0 });
    const r = status({ ...planned, SCAN_RESULT: "failure" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::warning title=Security scan::/m);
  });

  test("the workflow passes exactly these inputs", () => {
    const env = workflow("plan").doc.jobs["plan-status"]!.env!;
    expect(Object.keys(env).sort()).toEqual(Object.keys(planned).sort());
    for (const k of Object.keys(planned)) expect(readFileSync(SCRIPT, "utf8")).toContain(`\${${k}:-`);
  });

  test("plan-status.sh passes shellcheck", () => {
    const r = spawnSync("shellcheck", ["-s", "bash", SCRIPT], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });
});
