/**
 * `npm run test:fast` (the developer loop, and the first half of `npm test`): starts the plan fixture in the background
 * at once (__tests__/helpers/offline-plan.ts), so Terraform plans while the static checks run on the other core, then
 * runs in order the prerequisite check, `tsc`, Biome, the dependency rules and jest (which reads that same fixture:
 * the run id travels in CCI_LITE_TEST_RUN). The first failing step ends the run with its exit code.
 *
 *   npm run test:fast [-- <jest arguments…>]
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { startPlanFixture } from "../__tests__/helpers/offline-plan";

const REPO_ROOT = path.resolve(__dirname, "..");

/** The steps before jest, as npm scripts of package.json. */
export const STATIC_STEPS: readonly string[] = ["prerequisites", "typecheck", "lint", "lint:deps"];

function main(jestArgs: readonly string[]): number {
  const id = process.env.CCI_LITE_TEST_RUN ?? randomUUID();
  const env: NodeJS.ProcessEnv = { ...process.env, CCI_LITE_TEST_RUN: id };
  if (env.CCI_LITE_PLAN_FIXTURE !== "off") startPlanFixture(id);
  const npm = process.env.npm_execpath;
  for (const step of STATIC_STEPS) {
    const r = npm
      ? spawnSync(process.execPath, [npm, "run", "-s", step], { cwd: REPO_ROOT, env, stdio: "inherit" })
      : spawnSync("npm", ["run", "-s", step], { cwd: REPO_ROOT, env, stdio: "inherit" });
    if (r.status !== 0) {
      console.error(`\ntest:fast: \`npm run ${step}\` failed`);
      // Jest's global teardown would stop the planner; without jest, stop it here.
      stopPlanner(id);
      return r.status ?? 1;
    }
  }
  const jest = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js"), ...jestArgs], {
    cwd: REPO_ROOT,
    env,
    stdio: "inherit",
  });
  return jest.status ?? 1;
}

function stopPlanner(id: string): void {
  // The teardown is CommonJS, as jest loads it.
  const teardown: () => Promise<void> = require("../__tests__/global-teardown.js");
  process.env.CCI_LITE_TEST_RUN = id;
  void teardown();
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
