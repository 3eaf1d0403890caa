/**
 * `npm run bench [-- options]`: bench/run.ts (Lambda bundles), then bench/synth-scale.ts (synth time by tenants),
 * each in its own process. Results go to bench/out/ (git-ignored); `--write-docs` reaches both scripts and is the
 * only way they change docs/benchmarks.md. The other options are bench/run.ts's (see bench/outputs.ts).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { benchSteps } from "./outputs";

const REPO_ROOT = path.resolve(__dirname, "..");
const TSX = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");

for (const [script, args] of benchSteps(process.argv.slice(2))) {
  const run = spawnSync(process.execPath, [TSX, path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, stdio: "inherit" });
  if (run.error) throw run.error;
  if (run.status !== 0) process.exit(run.status ?? 1);
}
