/**
 * `npm run test:fast` (the developer loop, and the first half of `npm test`). Three things run side by side from the
 * first second, so a busy machine's cores are shared by all of them instead of one waiting for the other:
 *   - the plan fixture, in the background (__tests__/helpers/offline-plan.ts): Terraform plans every stack the tests read;
 *   - the static checks, one after another: the prerequisite check, `tsc`, Biome and the dependency rules
 *     ({@link STATIC_STEPS}); each one's output is printed, whole, when it ends;
 *   - jest, whose terraform tier runs last and reads that same fixture (the run id travels in CCI_LITE_TEST_RUN).
 * Every check runs to the end, so one run shows every failure; the exit code is the first failing step's (static
 * checks first, then jest), 0 when all pass.
 *
 *   npm run test:fast [-- <jest arguments…>]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { startPlanFixture } from "../__tests__/helpers/offline-plan";

const REPO_ROOT = path.resolve(__dirname, "..");

/** The static checks, as npm scripts of package.json, in the order they run (beside jest). */
export const STATIC_STEPS: readonly string[] = ["prerequisites", "typecheck", "lint", "lint:deps"];

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
async function runStep(step: string, env: NodeJS.ProcessEnv): Promise<StepResult> {
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
    `\ntest:fast: npm run ${step} ${status === 0 ? "passed" : `FAILED (exit ${status})`} in ${seconds.toFixed(1)} s\n${text ? `${text}\n` : ""}`,
  );
  return { step, status, seconds };
}

async function staticChecks(env: NodeJS.ProcessEnv): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of STATIC_STEPS) results.push(await runStep(step, env));
  return results;
}

async function main(jestArgs: readonly string[]): Promise<number> {
  const id = process.env.CCI_LITE_TEST_RUN || randomUUID(); // empty counts as unset
  const env: NodeJS.ProcessEnv = { ...process.env, CCI_LITE_TEST_RUN: id };
  if (env.CCI_LITE_PLAN_FIXTURE !== "off") startPlanFixture(id);
  const checks = staticChecks(env);
  // Jest's global teardown stops the planner whatever the checks do.
  const jest = spawn(process.execPath, [path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js"), ...jestArgs], {
    cwd: REPO_ROOT,
    env,
    stdio: "inherit",
  });
  const [results, jestStatus] = await Promise.all([checks, exitOf(jest)]);
  const failed = [...results.filter((r) => r.status !== 0).map((r) => ({ name: `npm run ${r.step}`, status: r.status }))];
  if (jestStatus !== 0) failed.push({ name: "jest", status: jestStatus });
  if (failed.length) console.error(`\ntest:fast failed: ${failed.map((f) => f.name).join(", ")}`);
  return failed[0]?.status ?? 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
