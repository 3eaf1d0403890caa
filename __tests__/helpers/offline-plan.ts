/**
 * The plan fixture: real offline Terraform plans of every configuration in plan-targets.ts, made once per jest run by
 * one background process (plan-fixture-run.ts) that jest's global setup starts as the run begins, two stacks at a
 * time, through a content-addressed cache in `.plan-cache/` (git-ignored, safe to delete). Tests that read a plan
 * wait only for the stack they need; the test sequencer runs them last, so no worker idles meanwhile.
 *
 * Who plans is decided without clocks or lock ages: the first process to create `<run>/pid` exclusively (`wx`,
 * O_EXCL) starts the planner; waiting tests check that the planner is alive (`kill(pid, 0)`) and fail with its log
 * when it died. Terraform missing is a failure, never a skip.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanIndex, StackPlan } from "../../scripts/terraform";
import { PLAN_RUNS_DIR, REPO_ROOT } from "./plan-paths";
import { PLAN_TARGETS, type PlanTargetName } from "./plan-targets";

export { REPO_ROOT } from "./plan-paths";

/** Generous: every configuration's stacks on two busy cores. */
export const PLAN_TIMEOUT_MS = 900_000;

/** This jest run's id (set by global-setup.js); a process outside jest plans on its own. An empty value is unset. */
export function testRunId(): string {
  return process.env.CCI_LITE_TEST_RUN || `standalone-${process.pid}`;
}

/** A run's folder under `.plan-cache/runs/`; the id must be one plain folder name (an empty one used to mean `runs/` itself). */
export function runDirOf(id: string = testRunId()): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    throw new Error(`CCI_LITE_TEST_RUN: "${id}" is not a run id (letters, digits, ".", "_" and "-", one folder name under .plan-cache/runs)`);
  }
  return path.join(PLAN_RUNS_DIR, id);
}

/**
 * Starts the planner for run `id` unless some process already did (exclusive create of `<run>/pid`).
 * Returns true when this call started it.
 */
export function startPlanFixture(id: string = testRunId()): boolean {
  const runDir = runDirOf(id);
  fs.mkdirSync(runDir, { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(path.join(runDir, "pid"), "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  const out = fs.openSync(path.join(runDir, "planner.out"), "a");
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(__dirname, "plan-fixture-run.ts"), runDir], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.writeSync(fd, String(child.pid));
  fs.closeSync(fd);
  fs.closeSync(out);
  child.unref();
  return true;
}

function sleep(ms: number): void {
  // A real sleep of the thread (no CPU), not a busy wait.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(none)";
  }
}

/** Waits for one stack of one target and returns its StackPlan. */
function waitForStack(target: PlanTargetName, stack: string): StackPlan {
  if (process.env.CCI_LITE_PLAN_FIXTURE === "off") {
    throw new Error(
      `this test reads the offline plan (${target}/${stack}), but this pass runs without Terraform: list its file under \`terraform\` in __tests__/tiers.js`,
    );
  }
  if (!(PLAN_TARGETS[target].stacks as readonly string[]).includes(stack))
    throw new Error(`plan target "${target}" does not plan ${stack} (it plans ${PLAN_TARGETS[target].stacks.join(", ")}): add it in helpers/plan-targets.ts`);
  startPlanFixture();
  const runDir = runDirOf();
  const file = path.join(runDir, target, `${stack}.json`);
  const started = performance.now();
  for (;;) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as StackPlan;
    const error = path.join(runDir, "error.txt");
    if (fs.existsSync(error)) throw new Error(`offline plan failed:\n${fs.readFileSync(error, "utf8")}`);
    const pid = Number(fs.readFileSync(path.join(runDir, "pid"), "utf8") || 0);
    if (pid && !alive(pid) && !fs.existsSync(file) && !fs.existsSync(error)) {
      throw new Error(`the plan fixture process ${pid} ended without planning ${target}/${stack}; its output:\n${tail(path.join(runDir, "planner.out"))}`);
    }
    if (performance.now() - started > PLAN_TIMEOUT_MS)
      throw new Error(`timed out waiting for the offline plan of ${target}/${stack}; log:\n${tail(path.join(runDir, "log.txt"))}`);
    sleep(250);
  }
}

/** Every stack of a plan target (waits for all of them). */
export function offlinePlanIndex(target: PlanTargetName = "default"): PlanIndex {
  return { stacks: PLAN_TARGETS[target].stacks.map((s) => waitForStack(target, s)) };
}

export interface LoadedPlan extends StackPlan {
  /** `terraform show -json` of the saved plan. */
  readonly json: any;
  /** `terraform show -no-color` of the saved plan (kept for the stacks plan-targets.ts lists under `text`). */
  readonly text: string;
}

/** One stack's plan (`bootstrap` or `cci-lite-<env>`) of a plan target. */
export function loadOfflinePlan(stack: string, target: PlanTargetName = "default"): LoadedPlan {
  const s = waitForStack(target, stack);
  const json = JSON.parse(fs.readFileSync(s.planJson, "utf8"));
  return {
    ...s,
    json,
    get text(): string {
      if (!fs.existsSync(s.planText)) throw new Error(`the plan text of ${target}/${stack} is not kept: add the stack to \`text\` in helpers/plan-targets.ts`);
      return fs.readFileSync(s.planText, "utf8");
    },
  };
}

/** Planned `after` values of every managed resource of a type. */
export function plannedResources(plan: LoadedPlan, type: string): Array<{ address: string; after: any; afterUnknown: any }> {
  return (plan.json.resource_changes as any[])
    .filter((rc) => rc.type === type && rc.mode === "managed")
    .map((rc) => ({ address: rc.address, after: rc.change.after, afterUnknown: rc.change.after_unknown }));
}
