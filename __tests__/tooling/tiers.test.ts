/**
 * The test tiers (__tests__/tiers.js, docs/testing.md) and the plan fixture's machinery: every file that runs
 * Terraform or reads the plan fixture is in the terraform tier (the shifted-clock passes leave that tier out, so a
 * missing entry would fail there for the wrong reason); the sequencer runs that tier last; the fixture is started by
 * an exclusive create and a dead planner is reported, never waited on; the plan cache key covers what a plan depends on.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planCacheKey } from "../../scripts/plan-stacks";
import { busyProcesses, parseScope, STATIC_STEPS, suitePlan, workersFor } from "../../scripts/test-suite";
import { SHIFTS, shiftedCommand } from "../../scripts/test-shifted-clock";
import { loadOfflinePlan, runDirOf, startPlanFixture } from "../helpers/offline-plan";

const TESTS = path.join(__dirname, "..");
import * as tiers from "../tiers";
const Sequencer = require("../sequencer.js");

/** What makes a test file need Terraform: reading the plan fixture, or running the binary. */
const NEEDS_TERRAFORM = /\b(loadOfflinePlan|offlinePlanIndex)\(|\b(spawn|spawnSync|execFileSync|execFile)\(\s*"terraform"|\bterraformEnv\(/;

function testFiles(dir = TESTS): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith(".test.ts") ? [path.relative(TESTS, p)] : [];
  });
}

/** Test files plus the helpers they import from their own folder (a suite's shared setup may read the plan). */
function needsTerraform(file: string): boolean {
  const text = fs.readFileSync(path.join(TESTS, file), "utf8");
  if (NEEDS_TERRAFORM.test(text)) return true;
  const local = [...text.matchAll(/from "\.\/([\w-]+)"/g)].map((m) => path.join(path.dirname(file), `${m[1]}.ts`));
  return local.some((h) => fs.existsSync(path.join(TESTS, h)) && NEEDS_TERRAFORM.test(fs.readFileSync(path.join(TESTS, h), "utf8")));
}

describe("the terraform tier", () => {
  const self = path.relative(TESTS, __filename);
  it("lists exactly the test files that run Terraform or read the plan fixture", () => {
    const needing = testFiles()
      .filter((f) => f !== self && needsTerraform(f))
      .sort();
    expect([...tiers.terraform].sort()).toEqual(needing);
  });
  it("the detector sees a planted reader and a planted terraform call", () => {
    expect(NEEDS_TERRAFORM.test('const p = loadOfflinePlan("cci-lite-prod");')).toBe(true);
    expect(NEEDS_TERRAFORM.test('spawnSync("terraform", ["plan"])')).toBe(true);
    expect(NEEDS_TERRAFORM.test('synthApp({ network: { mode: "create" } })')).toBe(false);
  });
  it("its path patterns match its files and nothing else", () => {
    const patterns = tiers.patternsOf(tiers.terraform).map((p) => new RegExp(p));
    for (const f of testFiles()) expect([f, patterns.some((re) => re.test(path.join(TESTS, f)))]).toEqual([f, tiers.terraform.includes(f)]);
  });
  it("runs last: the sequencer keeps the order of everything else and moves the tier behind it", async () => {
    const cacheDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "cci-sequencer-"));
    const context = { config: { rootDir: TESTS, cacheDirectory, id: "tiers" }, hasteFS: { getSize: () => 100 } };
    const t = (f: string) => ({ path: path.join(TESTS, f), context });
    const files = ["lambda/core.test.ts", "infra/terraform.test.ts", "cli/commands.test.ts", "security/simulation.test.ts"];
    const sorted: Array<{ path: string }> = await new Sequencer({ contexts: [] }).sort(files.map(t));
    const order = sorted.map((x) => path.relative(TESTS, x.path));
    expect(order.slice(2).sort()).toEqual(["infra/terraform.test.ts", "security/simulation.test.ts"]);
  });
});

describe("the test commands", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(TESTS, "..", "package.json"), "utf8"));
  it("npm test is test:full, then the shifted clocks, then the emulated round trip; each scope is one script", () => {
    expect(pkg.scripts.test).toBe("npm run test:full && npm run test:shifted && npm run test:emulated");
    expect(pkg.scripts["test:emulated"]).toBe("tsx scripts/test-emulated.ts");
    for (const scope of ["full", "fast", "terraform"]) expect(pkg.scripts[`test:${scope}`]).toBe(`tsx scripts/test-suite.ts ${scope}`);
    expect(STATIC_STEPS).toEqual(["prerequisites", "typecheck", "lint", "lint:deps"]);
    for (const step of STATIC_STEPS) expect(pkg.scripts[step]).toEqual(expect.any(String));
  });
  it("test:full: the static checks, the plan fixture and every jest test (the caller's arguments only)", () => {
    expect(suitePlan("full", ["-t", "x"], "run-1")).toEqual({
      staticSteps: STATIC_STEPS,
      planFixture: true,
      jestArgs: ["-t", "x"],
      env: { CCI_LITE_TEST_RUN: "run-1" },
    });
  });
  it("test:fast: the static checks and jest without the terraform tier, with no plan fixture (a reader outside the tier fails)", () => {
    const p = suitePlan("fast", ["lambda"], "run-2");
    expect(p.staticSteps).toEqual(STATIC_STEPS);
    expect(p.planFixture).toBe(false);
    expect(p.env).toEqual({ CCI_LITE_TEST_RUN: "run-2", CCI_LITE_PLAN_FIXTURE: "off" });
    // The caller's arguments stay in front: the ignore list takes every argument after it.
    expect(p.jestArgs).toEqual(["lambda", "--testPathIgnorePatterns", ...tiers.patternsOf(tiers.terraform)]);
  });
  it("test:terraform: the plan fixture and the tier's files only, without the static checks", () => {
    const p = suitePlan("terraform", [], "run-3");
    expect(p).toEqual({ staticSteps: [], planFixture: true, jestArgs: tiers.patternsOf(tiers.terraform), env: { CCI_LITE_TEST_RUN: "run-3" } });
  });
  it("jest workers: one per core, plus one per process already running, at most twice the cores", () => {
    expect([0, 1, 2, 3, 9].map((busy) => workersFor(2, busy))).toEqual([2, 3, 4, 4, 4]);
    expect(workersFor(8, 3)).toBe(11);
    expect(workersFor(0, 0)).toBe(1);
    expect(workersFor(2, -1)).toBe(2);
  });
  it("busy processes: the running count of /proc/loadavg without the reader, the least of the readings; 0 when unreadable", () => {
    expect(busyProcesses(["2.10 1.00 0.50 3/412 99123\n"])).toBe(2);
    expect(busyProcesses(["0.00 0.01 0.05 1/300 42\n"])).toBe(0);
    // A process that ran for one reading (npm still starting this run) does not count; two stressors in every one do.
    expect(busyProcesses(["0.00 0.01 0.05 2/300 42\n", "0.00 0.01 0.05 1/300 42\n", "0.00 0.01 0.05 2/300 42\n"])).toBe(0);
    expect(busyProcesses(["1.90 0.80 0.30 3/300 42\n", "1.90 0.80 0.30 4/300 42\n", "1.90 0.80 0.30 3/301 43\n"])).toBe(2);
    expect(busyProcesses([undefined])).toBe(0);
    expect(busyProcesses(["garbage"])).toBe(0);
    expect(busyProcesses([])).toBe(0);
  });
  it("an unknown or missing scope is refused with the scopes named", () => {
    expect(parseScope("fast")).toBe("fast");
    expect(() => parseScope("quick")).toThrow('the first argument is the scope, one of fast, terraform, full (got "quick")');
    expect(() => parseScope(undefined)).toThrow("one of fast, terraform, full (got nothing)");
  });
  it("every test file runs in test:fast or test:terraform, never in neither (the tiers split the suite)", () => {
    const fast = suitePlan("fast", [], "r").jestArgs;
    const ignored = fast.slice(fast.indexOf("--testPathIgnorePatterns") + 1).map((p) => new RegExp(p));
    const selected = suitePlan("terraform", [], "r").jestArgs.map((p) => new RegExp(p));
    for (const f of testFiles()) {
      const abs = path.join(TESTS, f);
      expect([f, ignored.some((re) => re.test(abs)), selected.some((re) => re.test(abs))]).toEqual([
        f,
        tiers.terraform.includes(f),
        tiers.terraform.includes(f),
      ]);
    }
  });
  it("test:fast never runs the emulated round trip: no static step, no test file starts it (importing its parser is fine)", () => {
    expect(STATIC_STEPS).not.toContain("test:emulated");
    const STARTS = /\b(spawn|spawnSync|execFile|execFileSync|exec|execSync)\([^;]*test[-:]emulated/;
    expect(STARTS.test('spawnSync("npm", ["run", "test:emulated"])')).toBe(true);
    expect(STARTS.test('import { parseEmulatedArgs } from "../../scripts/test-emulated";')).toBe(false);
    const self = path.relative(TESTS, __filename);
    expect(testFiles().filter((f) => f !== self && STARTS.test(fs.readFileSync(path.join(TESTS, f), "utf8")))).toEqual([]);
  });
});

describe("the shifted-clock passes (npm run test:shifted)", () => {
  it("shift 400 days ahead and 30 days back", () => {
    expect(SHIFTS).toEqual(["+400 days", "-30 days"]);
  });
  it("run jest under faketime without the terraform tier and with the plan fixture off", () => {
    const c = shiftedCommand("+400 days", ["lambda"]);
    expect(c.command).toBe("faketime");
    expect(c.args[0]).toBe("+400 days");
    expect(c.args.slice(c.args.indexOf("--testPathIgnorePatterns") + 1, c.args.indexOf("--"))).toEqual(tiers.patternsOf(tiers.terraform));
    expect(c.args.slice(c.args.indexOf("--") + 1)).toEqual(["lambda"]);
    expect(c.env.CCI_LITE_PLAN_FIXTURE).toBe("off");
  });
});

describe("the plan fixture: who plans is decided by an exclusive create and process liveness, never by a clock", () => {
  // These tests own the fixture's variables: a shifted-clock pass sets CCI_LITE_PLAN_FIXTURE=off for every test.
  const saved = { run: process.env.CCI_LITE_TEST_RUN, fixture: process.env.CCI_LITE_PLAN_FIXTURE };
  const restore = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  let id: string;
  beforeEach(() => {
    id = `tiers-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    process.env.CCI_LITE_TEST_RUN = id;
    delete process.env.CCI_LITE_PLAN_FIXTURE;
  });
  afterEach(() => {
    fs.rmSync(runDirOf(id), { recursive: true, force: true });
    restore("CCI_LITE_TEST_RUN", saved.run);
    restore("CCI_LITE_PLAN_FIXTURE", saved.fixture);
  });

  it("a second start finds the planner already started (pid file created exclusively)", () => {
    fs.mkdirSync(runDirOf(id), { recursive: true });
    fs.writeFileSync(path.join(runDirOf(id), "pid"), String(process.pid));
    expect(startPlanFixture(id)).toBe(false);
  });
  it("a planner that died without a result fails the waiting test at once, with its output", () => {
    fs.mkdirSync(runDirOf(id), { recursive: true });
    // A pid that cannot be alive: above the kernel's pid_max.
    fs.writeFileSync(path.join(runDirOf(id), "pid"), "4194305");
    fs.writeFileSync(path.join(runDirOf(id), "planner.out"), "killed by the OOM killer\n");
    expect(() => loadOfflinePlan("cci-lite-prod")).toThrow(
      /the plan fixture process 4194305 ended without planning default\/cci-lite-prod; its output:\nkilled by the OOM killer/,
    );
  });
  it("a planner's error is every waiting test's error", () => {
    fs.mkdirSync(runDirOf(id), { recursive: true });
    fs.writeFileSync(path.join(runDirOf(id), "pid"), String(process.pid));
    fs.writeFileSync(path.join(runDirOf(id), "error.txt"), "terraform plan failed in bootstrap");
    expect(() => loadOfflinePlan("bootstrap-prod")).toThrow(/offline plan failed:\nterraform plan failed in bootstrap/);
  });
  it("a pass without Terraform names the tier list instead of planning", () => {
    process.env.CCI_LITE_PLAN_FIXTURE = "off";
    expect(() => loadOfflinePlan("bootstrap-prod")).toThrow(/list its file under `terraform` in __tests__\/tiers\.js/);
    expect(fs.existsSync(runDirOf(id))).toBe(false);
  });
  it("a run id is one plain folder name: an empty CCI_LITE_TEST_RUN counts as unset, a path is refused", () => {
    for (const bad of ["", "..", "../x", "a/b"]) expect(() => runDirOf(bad)).toThrow(/CCI_LITE_TEST_RUN: ".*" is not a run id/);
    const saved = process.env.CCI_LITE_TEST_RUN;
    process.env.CCI_LITE_TEST_RUN = "";
    try {
      expect(runDirOf()).toMatch(/runs\/standalone-\d+$/);
    } finally {
      process.env.CCI_LITE_TEST_RUN = saved;
    }
  });
  it("asking for a stack a target does not plan names the targets file", () => {
    expect(() => loadOfflinePlan("bootstrap-prod", "modes")).toThrow(/plan target "modes" does not plan bootstrap-prod .*helpers\/plan-targets\.ts/);
  });
});

describe("the plan cache key", () => {
  const base = ["{}", "lock", "1.11.4", true] as const;
  it("is stable for the same inputs and changes with each of them", () => {
    const k = planCacheKey(...base);
    expect(planCacheKey(...base)).toBe(k);
    expect(planCacheKey("{ }", "lock", "1.11.4", true)).not.toBe(k);
    expect(planCacheKey("{}", "lock2", "1.11.4", true)).not.toBe(k);
    expect(planCacheKey("{}", "lock", "1.11.5", true)).not.toBe(k);
    expect(planCacheKey("{}", "lock", "1.11.4", false)).not.toBe(k);
  });
});
