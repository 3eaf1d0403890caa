/**
 * The plan fixture's background process (started by helpers/offline-plan.ts, normally from jest's global setup as
 * the run begins): bundles the Lambda handlers once, synthesizes every configuration of PLAN_TARGETS, and plans
 * their stacks two at a time through the plan cache. As each stack is ready it writes `<run>/<target>/<stack>.json`
 * (its StackPlan), so tests start reading while the rest is still planning; then `<run>/done`. Any failure writes
 * `<run>/error.txt`, which every waiting test reports.
 *
 *   npx tsx __tests__/helpers/plan-fixture-run.ts <run folder>
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildApp } from "../../main";
import { bundleHandlers } from "../../modules/constructs/bundling";
import { PlanPool, type PlanRequest } from "../../scripts/plan-stacks";
import { checkToolchain, providerSetup, REPO_ROOT, type StackPlan, writeProviderConfig } from "../../scripts/terraform";
import { stacksOf } from "../../scripts/offline-plan";
import { PLAN_CACHE_DIR } from "./plan-paths";
import { PLAN_TARGETS, type PlanTarget } from "./plan-targets";

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes the target's configuration folder: config/<env>.json with the target's fields replaced. */
function configFolder(dir: string, target: PlanTarget): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [env, overrides] of Object.entries(target.environments)) {
    const base = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "config", `${env}.json`), "utf8"));
    fs.writeFileSync(path.join(dir, `${env}.json`), JSON.stringify({ ...base, ...overrides }, null, 2));
  }
  return dir;
}

async function main(runDir: string): Promise<void> {
  const started = performance.now(); // elapsed time for the log: a monotonic clock
  const log = (line: string) => fs.appendFileSync(path.join(runDir, "log.txt"), `${((performance.now() - started) / 1000).toFixed(1)} s ${line}\n`);
  const terraformVersion = checkToolchain();
  const setup = providerSetup();
  writeProviderConfig(setup);
  const bundles = bundleHandlers({ outDir: path.join(runDir, "bundles") });
  log("bundled the handlers");
  const targetOf = new Map<PlanRequest, string>();
  const pool = new PlanPool({
    setup,
    terraformVersion,
    jobs: 2,
    cacheDir: PLAN_CACHE_DIR,
    log,
    onPlanned: (plan: StackPlan, request: PlanRequest) => {
      const target = targetOf.get(request);
      log(`${target}/${plan.name}: ${plan.cached ? "cached" : "planned"} in ${plan.seconds.toFixed(1)} s`);
      writeAtomic(path.join(runDir, String(target), `${plan.name}.json`), JSON.stringify(plan));
    },
  });
  // Each target's stacks go to the pool as soon as it is synthesized: Terraform plans while the next one synthesizes.
  for (const [name, target] of Object.entries<PlanTarget>(PLAN_TARGETS)) {
    const dir = path.join(runDir, name);
    const synthOut = path.join(dir, "cdktf.out");
    buildApp({ outdir: synthOut, configDir: configFolder(path.join(dir, "config"), target), bundles }).synth();
    const synthesized = new Map(stacksOf(synthOut).map((s) => [s.name, s.synthDir]));
    log(`synthesized ${name}`);
    for (const stack of target.stacks) {
      const synthDir = synthesized.get(stack);
      if (!synthDir) throw new Error(`plan target ${name}: no stack ${stack} (synthesized: ${[...synthesized.keys()].join(", ")})`);
      const request: PlanRequest = { name: stack, synthDir, text: (target.text as readonly string[] | undefined)?.includes(stack) ?? false };
      targetOf.set(request, name);
      pool.add(request);
    }
  }
  await pool.drain();
  writeAtomic(path.join(runDir, "done"), "");
  log("done");
}

const runDir = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !fs.existsSync(runDir)) {
  console.error("usage: plan-fixture-run.ts <existing run folder>");
  process.exit(2);
}
main(runDir).catch((e: unknown) => {
  writeAtomic(path.join(runDir, "error.txt"), e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
