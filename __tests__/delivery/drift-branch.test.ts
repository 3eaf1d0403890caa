/**
 * Manual drift runs from another branch (issue 21, minor): refused once, clearly, by the first step of `prepare`,
 * before any stack's job runs and without opening or closing an issue. The step's `run:` block is executed for real.
 */
import { spawnSync } from "node:child_process";
import { workflow } from "./workflows";

const drift = workflow("drift");
const prepare = drift.doc.jobs.prepare!;
const refuse = prepare.steps![0]!;

function runRefusal(ref: string) {
  const r = spawnSync("bash", ["-e", "-o", "pipefail", "-c", refuse.run!], { encoding: "utf8", env: { PATH: process.env.PATH, GITHUB_REF: ref } });
  return { code: r.status, stdout: r.stdout };
}

describe("drift.yml: runs from any branch but main are refused once", () => {
  test("the first step of prepare, before the checkout, synth and matrix", () => {
    expect(refuse.name).toBe("Refuse runs from any branch but main");
    expect(refuse.if).toBeUndefined();
    expect(prepare.steps!.findIndex((s) => s.uses?.startsWith("actions/checkout@"))).toBeGreaterThan(0);
  });

  test("another branch: exit 1 with one error saying nothing was checked and where to run it", () => {
    const r = runRefusal("refs/heads/feature/x");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "::error title=Drift runs on main only::this run is for refs/heads/feature/x; nothing was checked and no issue was opened or closed. " +
        "Run it from main (Actions → drift → Run workflow, branch main).\n",
    );
    expect(runRefusal("refs/tags/main").code).toBe(1);
  });

  test("main (every scheduled run, and manual runs from main): passes silently", () => {
    expect(runRefusal("refs/heads/main")).toEqual({ code: 0, stdout: "" });
  });

  test("no job that writes issues runs without a successful prepare", () => {
    const writers = Object.entries(drift.doc.jobs).filter(([, j]) => typeof j.permissions === "object" && j.permissions.issues === "write");
    expect(writers.map(([name]) => name).sort()).toEqual(["cleanup", "drift"]);
    for (const [, job] of writers) {
      expect([job.needs].flat()).toContain("prepare");
      // Without always()/!cancelled(), a job is skipped when a job it needs failed; with them, it must ask for prepare's success.
      if (/always\(\)|cancelled\(\)/.test(job.if ?? "")) expect(job.if).toContain("needs.prepare.result == 'success'");
    }
  });
});
