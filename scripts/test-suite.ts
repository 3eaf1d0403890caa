/**
 * The jest runs of `npm test` and of the developer loop (the table at the top of docs/testing.md), one scope each:
 *
 *   npm run test:fast       [-- <jest arguments…>]   the developer loop: static checks beside every jest test outside
 *                                                    the terraform tier (__tests__/tiers.js); no Terraform runs
 *   npm run test:terraform  [-- <jest arguments…>]   the terraform tier alone: the plan fixture and the tests that read
 *                                                    it or run Terraform themselves
 *   npm run test:full       [-- <jest arguments…>]   npm test's first step: static checks beside every jest test, the
 *                                                    terraform tier included (it runs last)
 *
 * What runs side by side from the first second, so a busy machine's cores are shared by all of them instead of one
 * waiting for the other:
 *   - the plan fixture, in the background (__tests__/helpers/offline-plan.ts), when the scope has the terraform tier;
 *   - the static checks, one after another: the prerequisite check, `tsc`, Biome and the dependency rules
 *     ({@link STATIC_STEPS}); each one's output is printed, whole, when it ends;
 *   - jest (the run id of the fixture travels in CCI_LITE_TEST_RUN; a scope without the tier sets
 *     CCI_LITE_PLAN_FIXTURE=off, so a test that reads a plan without being listed in the tier fails and says so).
 * Every check runs to the end, so one run shows every failure; the exit code is the first failing step's (static
 * checks first, then jest), 0 when all pass.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startPlanFixture } from "../__tests__/helpers/offline-plan";
import { exitOnUsageError, UsageError } from "./args";

const REPO_ROOT = path.resolve(__dirname, "..");
import * as tiers from "../__tests__/tiers";

/** The static checks, as npm scripts of package.json, in the order they run (beside jest). */
export const STATIC_STEPS: readonly string[] = ["prerequisites", "typecheck", "lint", "lint:deps"];

/** The scopes, by the npm script that runs each (`test:<scope>`). */
export const SCOPES = ["fast", "terraform", "full"] as const;
export type Scope = (typeof SCOPES)[number];

export interface SuitePlan {
  /** The npm scripts run beside jest ({@link STATIC_STEPS}, or none). */
  readonly staticSteps: readonly string[];
  /** Whether the plan fixture starts with the run. */
  readonly planFixture: boolean;
  /** Jest's arguments: the scope's path selection, then the caller's. */
  readonly jestArgs: readonly string[];
  /** Variables added to the environment of jest and the static checks. */
  readonly env: Readonly<Record<string, string>>;
}

/** What one scope runs (pure: the command line is a function of the scope, the caller's jest arguments and the run id). */
export function suitePlan(scope: Scope, jestArgs: readonly string[], runId: string): SuitePlan {
  switch (scope) {
    case "fast":
      return {
        staticSteps: STATIC_STEPS,
        planFixture: false,
        // The caller's arguments first: the ignore list takes every argument after it.
        jestArgs: [...jestArgs, ...tiers.withoutTerraform.args],
        env: { CCI_LITE_TEST_RUN: runId, ...tiers.withoutTerraform.env },
      };
    case "terraform":
      return { staticSteps: [], planFixture: true, jestArgs: [...tiers.patternsOf(tiers.terraform), ...jestArgs], env: { CCI_LITE_TEST_RUN: runId } };
    case "full":
      return { staticSteps: STATIC_STEPS, planFixture: true, jestArgs: [...jestArgs], env: { CCI_LITE_TEST_RUN: runId } };
  }
}

/**
 * Jest workers for a run that starts while `busy` other processes are running: one per core, plus one per busy
 * process, at most twice the cores. Linux gives each runnable process of a session an equal share of the cores, so
 * next to two CPU-bound processes two workers get half of a 2-core machine and four get two thirds; on an idle machine
 * more workers than cores only cost (docs/testing.md, "Workers").
 */
export function workersFor(cores: number, busy: number): number {
  const c = Math.max(1, Math.floor(cores));
  return Math.min(2 * c, c + Math.max(0, Math.floor(busy)));
}

/**
 * Processes running on the machine, this one left out: the fourth field of /proc/loadavg ("running/total", counted
 * at the moment it is read, unlike the load averages), the least of several readings, so a process that runs for a
 * moment (npm or tsx still starting this run) does not count, and one that keeps the cores busy does. 0 where there is
 * no /proc (the workers stay one per core).
 */
export function busyProcesses(readings: ReadonlyArray<string | undefined>): number {
  const counts = readings.map((loadavg) => {
    const running = Number(loadavg?.split(" ")[3]?.split("/")[0]);
    return Number.isInteger(running) && running > 0 ? running - 1 : 0;
  });
  return counts.length ? Math.min(...counts) : 0;
}

/** Readings of /proc/loadavg taken {@link LOAD_READING_GAP_MS} apart (a third of a second in all). */
export const LOAD_READINGS = 4;
export const LOAD_READING_GAP_MS = 100;

export async function readLoad(): Promise<Array<string | undefined>> {
  const readings: Array<string | undefined> = [];
  for (let i = 0; i < LOAD_READINGS; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, LOAD_READING_GAP_MS));
    readings.push(readLoadavg());
  }
  return readings;
}

function readLoadavg(): string | undefined {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8");
  } catch {
    return undefined;
  }
}

/** The scope named by the first argument; an unknown one is an error naming the scopes. */
export function parseScope(arg: string | undefined): Scope {
  if ((SCOPES as readonly string[]).includes(arg ?? "")) return arg as Scope;
  throw new UsageError(`the first argument is the scope, one of ${SCOPES.join(", ")} (got ${arg === undefined ? "nothing" : `"${arg}"`})`);
}

interface StepResult {
  readonly step: string;
  readonly status: number;
  readonly seconds: number;
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs one npm script with its output collected, then prints that output in one piece. */
async function runStep(scope: Scope, step: string, env: NodeJS.ProcessEnv): Promise<StepResult> {
  const started = performance.now(); // a duration for people: the monotonic clock
  const npm = process.env.npm_execpath;
  const child = npm
    ? spawn(process.execPath, [npm, "run", "-s", step], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
    : spawn("npm", ["run", "-s", step], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => output.push(b));
  child.stderr?.on("data", (b: Buffer) => output.push(b));
  const status = await exitOf(child);
  const seconds = (performance.now() - started) / 1000;
  const text = Buffer.concat(output).toString("utf8").trimEnd();
  process.stderr.write(
    `\ntest:${scope}: npm run ${step} ${status === 0 ? "passed" : `FAILED (exit ${status})`} in ${seconds.toFixed(1)} s\n${text ? `${text}\n` : ""}`,
  );
  return { step, status, seconds };
}

async function staticChecks(scope: Scope, steps: readonly string[], env: NodeJS.ProcessEnv): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) results.push(await runStep(scope, step, env));
  return results;
}

async function main(scope: Scope, jestArgs: readonly string[]): Promise<number> {
  // Counted before this run starts anything of its own.
  const busy = busyProcesses(await readLoad());
  const workers = workersFor(os.availableParallelism(), busy);
  const own = jestArgs.some((a) => /^(--maxWorkers|-w)(=|$)/.test(a)); // the caller's choice stands
  if (!own) console.error(`test:${scope}: ${workers} jest workers (${os.availableParallelism()} cores, ${busy} other processes running)`);
  const args = own ? jestArgs : [`--maxWorkers=${workers}`, ...jestArgs];
  const plan = suitePlan(scope, args, process.env.CCI_LITE_TEST_RUN || randomUUID()); // empty counts as unset
  const env: NodeJS.ProcessEnv = { ...process.env, ...plan.env };
  if (plan.planFixture && env.CCI_LITE_PLAN_FIXTURE !== "off") startPlanFixture(plan.env.CCI_LITE_TEST_RUN);
  const checks = staticChecks(scope, plan.staticSteps, env);
  // Jest's global teardown stops the planner whatever the checks do.
  const jest = spawn(process.execPath, [path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js"), ...plan.jestArgs], {
    cwd: REPO_ROOT,
    env,
    stdio: "inherit",
  });
  const [results, jestStatus] = await Promise.all([checks, exitOf(jest)]);
  const failed = [...results.filter((r) => r.status !== 0).map((r) => ({ name: `npm run ${r.step}`, status: r.status }))];
  if (jestStatus !== 0) failed.push({ name: "jest", status: jestStatus });
  if (failed.length) console.error(`\ntest:${scope} failed: ${failed.map((f) => f.name).join(", ")}`);
  return failed[0]?.status ?? 0;
}

if (require.main === module) {
  let scope: Scope;
  try {
    scope = parseScope(process.argv[2]);
  } catch (e) {
    exitOnUsageError("test-suite", e, 2);
  }
  main(scope, process.argv.slice(3)).then((code) => process.exit(code));
}
