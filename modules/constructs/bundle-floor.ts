/**
 * The size floor of each Lambda bundle: what it weighs with a bundled AWS SDK before any code of ours. A generated
 * entry sends exactly the handler's commands (lambda-src/contracts/aws-calls.ts) and uses the Powertools logger
 * and metrics, and is built with the handlers' own esbuild options and size measures (./bundling.ts).
 *
 * Budget rule (issue 22): a bundle may weigh {@link BUNDLE_BUDGET_BYTES} (300 KB), or, where the floor alone
 * leaves less than 10 % of room under that, its floor plus 10 % ({@link bundleBudget}). The floor is measured
 * at every check (`npm run bundle`, `__tests__/bundle`), never written down by hand, so an SDK update that grows
 * the floor shows up in the composition table (docs/benchmarks.md) and cannot hide our own growth.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync, type Metafile } from "esbuild";
import { AWS_CALLS } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { esbuildOptions, REPO_ROOT } from "./bundling";

/** The target size of every bundle (raw `index.mjs` bytes, decimal KB). */
export const BUNDLE_BUDGET_BYTES = 300_000;
/** Room for our own code above the floor when the floor leaves less than that under the target. */
export const FLOOR_HEADROOM = 0.1;

/** A bundle's budget given its measured floor: the target, or the floor plus 10 % when that is larger. */
export function bundleBudget(floorBytes: number): number {
  return Math.max(BUNDLE_BUDGET_BYTES, Math.ceil(floorBytes * (1 + FLOOR_HEADROOM)));
}

/** The generated floor entry of a handler: its clients and commands, the logger and the metrics, nothing else. */
export function floorEntrySource(handler: HandlerName): string {
  // One call per client and command (a command may act on several kinds of resource).
  const calls = AWS_CALLS[handler].filter((c, i, all) => all.findIndex((o) => o.client === c.client && o.command === c.command) === i);
  const lines = ['import { Logger } from "@aws-lambda-powertools/logger";', 'import { Metrics } from "@aws-lambda-powertools/metrics";'];
  const clients = [...new Set(calls.map((c) => c.client))];
  for (const client of clients) {
    const cls = `${client === "bedrock-runtime" ? "BedrockRuntime" : client === "s3" ? "S3" : client === "ssm" ? "SSM" : client[0].toUpperCase() + client.slice(1)}Client`;
    const commands = calls.filter((c) => c.client === client).map((c) => `${c.command}Command as ${c.command}_${client.replace("-", "_")}`);
    lines.push(`import { ${cls} as ${client.replace("-", "_")}Client, ${commands.join(", ")} } from "@aws-sdk/client-${client}";`);
  }
  lines.push("const logger = new Logger();", "const metrics = new Metrics();", "export const handler = async (event) => {");
  lines.push('  logger.info("floor", { event });', '  metrics.addMetric("floor", "Count", 1);', "  metrics.publishStoredMetrics();");
  for (const c of calls) lines.push(`  await new ${c.client.replace("-", "_")}Client({}).send(new ${c.command}_${c.client.replace("-", "_")}(event));`);
  lines.push("};", "");
  return lines.join("\n");
}

export interface FloorBundle {
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** Builds every handler's floor bundle into `<outDir>/<name>.mjs` (entries under dist/, so node_modules resolves). */
export function bundleFloors(outDir: string = path.join(REPO_ROOT, "dist", "bundle-floor")): Record<HandlerName, FloorBundle> {
  const entryDir = path.join(REPO_ROOT, "dist", "bundle-floor-src");
  fs.mkdirSync(entryDir, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  const out = {} as Record<HandlerName, FloorBundle>;
  for (const name of HANDLER_NAMES) {
    const entry = path.join(entryDir, `${name}-${process.pid}.mjs`);
    fs.writeFileSync(entry, floorEntrySource(name));
    const file = path.join(outDir, `${name}.mjs`);
    try {
      const built = buildSync(esbuildOptions(entry, file));
      if (!built.metafile) throw new Error(`esbuild returned no metafile for the ${name} floor`);
      out[name] = { bytes: fs.statSync(file).size, metafile: built.metafile };
    } finally {
      fs.rmSync(entry, { force: true });
    }
  }
  return out;
}
