/**
 * One main branch: `github.mainBranch` (the bootstrap's OIDC trust, the github stack's environments and ruleset)
 * and the committed workflows (their push triggers, drift's ref check, the guards' `branch:`) name the same branch,
 * WORKFLOW_MAIN_BRANCH. A configuration folder naming another fails to load, naming the field.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../../modules/config/load";
import { WORKFLOW_MAIN_BRANCH } from "../../modules/config/sections";
import { BASE_CONFIG } from "../helpers/synth";
import { loadWorkflows } from "./workflows";

const workflows = loadWorkflows();

describe("the main branch", () => {
  test("every push trigger, drift's ref check and every guard's `branch:` name WORKFLOW_MAIN_BRANCH", () => {
    const pushes = workflows.filter((w) => (w.doc.on as { push?: unknown })?.push);
    expect(pushes.map((w) => w.file).sort()).toEqual(["apply.yml", "ci.yml"]);
    for (const w of pushes) expect([w.file, (w.doc.on as { push: { branches: string[] } }).push.branches]).toEqual([w.file, [WORKFLOW_MAIN_BRANCH]]);
    const texts = workflows.map((w) => w.text).join("\n");
    const guardBranches = [...texts.matchAll(/\bbranch: '([^']*)'/g)].map((m) => m[1]);
    expect(guardBranches.length).toBeGreaterThanOrEqual(5);
    expect(new Set(guardBranches)).toEqual(new Set([WORKFLOW_MAIN_BRANCH]));
    const refs = [...texts.matchAll(/refs\/heads\/([\w./-]+)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs)).toEqual(new Set([WORKFLOW_MAIN_BRANCH]));
  });

  test("a configuration folder naming another branch fails to load, naming the field, the environment and the workflows' branch", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-branch-"));
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify({ ...BASE_CONFIG, github: { ...BASE_CONFIG.github, mainBranch: "trunk" } }));
    expect(() => loadEnvironments(dir, "")).toThrow(/github\.mainBranch: prod names "trunk", but the workflows in \.github\/workflows run on pushes to "main"/);
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify({ ...BASE_CONFIG, github: { ...BASE_CONFIG.github, mainBranch: WORKFLOW_MAIN_BRANCH } }));
    expect(loadEnvironments(dir, "").map((c) => c.github.mainBranch)).toEqual([WORKFLOW_MAIN_BRANCH]);
  });
});
