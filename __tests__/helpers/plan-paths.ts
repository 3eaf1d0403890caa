/** Where the plan fixture lives: `.plan-cache/` (git-ignored, safe to delete at any time between runs). */
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PLAN_CACHE_ROOT = path.join(REPO_ROOT, ".plan-cache");
/** Content-addressed plans (scripts/plan-stacks.ts), kept across runs. */
export const PLAN_CACHE_DIR = path.join(PLAN_CACHE_ROOT, "plans");
/** One folder per test run: its synthesized configurations and which cached plan each stack got. */
export const PLAN_RUNS_DIR = path.join(PLAN_CACHE_ROOT, "runs");
