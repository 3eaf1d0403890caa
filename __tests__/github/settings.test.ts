/**
 * What the github stack declares stays true to the repository: the committed CODEOWNERS is the one the configuration
 * renders, the required checks are real job names, the allow-list is the workflows' pins, and the artifact default
 * is the workflows' default.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../modules/config/load";
import {
  CODEOWNED_PATHS,
  PLAN_PRIVATE_KEY_SECRET,
  pinnedActions,
  readWorkflows,
  renderCodeowners,
  REQUIRED_CHECKS,
  repositorySettings,
} from "../../modules/github/settings";
import { DELIVERY_WORKFLOWS } from "../../modules/iam/github-oidc";
import { DEFAULT_ARTIFACT_RETENTION_DAYS, loadWorkflows, REPO_ROOT } from "../delivery/workflows";

const settings = repositorySettings(loadEnvironments(path.join(REPO_ROOT, "config")));

describe("CODEOWNERS (committed, checked here: the ruleset forbids a direct commit to main, so Terraform could not write it)", () => {
  const committed = fs.readFileSync(path.join(REPO_ROOT, ".github", "CODEOWNERS"), "utf8");

  it("is exactly what github.codeOwners renders", () => {
    expect(settings.codeOwners.length).toBeGreaterThan(0);
    expect(committed).toBe(renderCodeowners(settings.codeOwners));
  });

  it("gives .github/, scripts/delivery/, modules/bootstrap/ and config/ an owner, and those paths exist", () => {
    const owned = committed
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/\s+/));
    for (const p of ["/.github/", "/scripts/delivery/", "/modules/bootstrap/", "/config/"]) {
      const line = owned.find(([pattern]) => pattern === p);
      expect({ p, owners: line?.slice(1) }).toEqual({ p, owners: settings.codeOwners });
    }
    for (const p of CODEOWNED_PATHS) expect(fs.existsSync(path.join(REPO_ROOT, p))).toBe(true);
  });
});

describe("required checks", () => {
  it("are the names of jobs that run on every pull request (a check run is named by its job's name)", () => {
    const prJobs = loadWorkflows()
      .filter((w) => "pull_request" in (w.doc.on ?? {}))
      .flatMap((w) => Object.entries(w.doc.jobs).map(([id, j]) => j.name ?? id));
    for (const check of REQUIRED_CHECKS) expect({ check, isAPullRequestJob: prJobs.includes(check) }).toEqual({ check, isAPullRequestJob: true });
  });
});

describe("action allow-list", () => {
  it("is every uses: of the workflows, SHA-pinned, once", () => {
    const uses = new Set(readWorkflows().flatMap((w) => [...w.text.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1] as string)));
    expect(pinnedActions(readWorkflows())).toEqual([...uses].sort());
  });
  it("refuses a uses: pinned to a tag or branch, naming the workflow", () => {
    const text = "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n";
    expect(() => pinnedActions([{ file: "x.yml", text }])).toThrow(/\.github\/workflows\/x\.yml:\n {2}- uses: actions\/checkout@v4 is not pinned/);
    expect(() => repositorySettings([])).toThrow(/github:\n {2}- environments: no configuration to take the repository from/);
    expect(pinnedActions([{ file: "x.yml", text: "steps:\n  - uses: ./local-action\n" }])).toEqual([]);
  });
});

describe("names shared with the workflows", () => {
  it("the workflows the roles trust exist", () => {
    for (const file of Object.values(DELIVERY_WORKFLOWS)) expect(fs.existsSync(path.join(REPO_ROOT, ".github", "workflows", file))).toBe(true);
  });
  it("the plan private key's secret is the one apply.yml reads", () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "apply.yml"), "utf8")).toContain(`secrets.${PLAN_PRIVATE_KEY_SECRET}`);
  });
  it("the artifact retention default is the workflows' default", () => {
    expect(settings.artifactRetentionDays).toBe(DEFAULT_ARTIFACT_RETENTION_DAYS);
  });
});
