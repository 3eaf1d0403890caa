/**
 * The real offline plan of the default configuration, produced once per jest run (by the first test that
 * asks) with scripts/offline-plan.ts, shared by every test file through `.plan-work/`. Terraform missing is a
 * failure, never a skip.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanIndex, StackPlan } from "../../scripts/offline-plan";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PLAN_DIR = path.join(REPO_ROOT, ".plan-work");
const LOCK_DIR = path.join(REPO_ROOT, ".plan-work.lock");
const RUN_FILE = path.join(PLAN_DIR, "run-id");

/** Generous: init + validate + plan of every stack on two cores. */
export const PLAN_TIMEOUT_MS = 600_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function currentRun(): string {
  return process.env.CCI_LITE_TEST_RUN ?? "standalone";
}

function fresh(): boolean {
  try {
    return fs.readFileSync(RUN_FILE, "utf8") === currentRun() && fs.existsSync(path.join(PLAN_DIR, "index.json"));
  } catch {
    return false;
  }
}

/** Produces (once per run) and returns the plan index. */
export function offlinePlanIndex(): PlanIndex {
  const deadline = Date.now() + PLAN_TIMEOUT_MS;
  while (!fresh()) {
    let locked = false;
    try {
      fs.mkdirSync(LOCK_DIR);
      locked = true;
    } catch {
      // Another worker is planning; a lock older than the timeout is stale.
      try {
        if (Date.now() - fs.statSync(LOCK_DIR).mtimeMs > PLAN_TIMEOUT_MS) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
    }
    if (locked) {
      try {
        if (!fresh()) {
          execFileSync(
            process.execPath,
            [path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(REPO_ROOT, "scripts", "offline-plan.ts"), "--out", PLAN_DIR],
            {
              cwd: REPO_ROOT,
              stdio: ["ignore", "pipe", "pipe"],
              encoding: "utf8",
              maxBuffer: 64 * 1024 * 1024,
            },
          );
          fs.writeFileSync(RUN_FILE, currentRun());
        }
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`offline plan failed:\n${err.stderr || err.message}`);
      } finally {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error("timed out waiting for another worker's offline plan");
    sleep(500);
  }
  return JSON.parse(fs.readFileSync(path.join(PLAN_DIR, "index.json"), "utf8")) as PlanIndex;
}

export interface LoadedPlan extends StackPlan {
  /** `terraform show -json` of the saved plan. */
  readonly json: any;
  /** `terraform show -no-color` of the saved plan. */
  readonly text: string;
}

/** One stack's plan (`bootstrap` or `cci-lite-<env>`). */
export function loadOfflinePlan(stack: string): LoadedPlan {
  const index = offlinePlanIndex();
  const s = index.stacks.find((x) => x.name === stack);
  if (!s) throw new Error(`no stack "${stack}" in the offline plan (have: ${index.stacks.map((x) => x.name).join(", ")})`);
  return { ...s, json: JSON.parse(fs.readFileSync(s.planJson, "utf8")), text: fs.readFileSync(s.planText, "utf8") };
}

/** Planned `after` values of every managed resource of a type. */
export function plannedResources(plan: LoadedPlan, type: string): Array<{ address: string; after: any; afterUnknown: any }> {
  return (plan.json.resource_changes as any[])
    .filter((rc) => rc.type === type && rc.mode === "managed")
    .map((rc) => ({ address: rc.address, after: rc.change.after, afterUnknown: rc.change.after_unknown }));
}
