/**
 * Synth scale benchmark (part of `npm run bench`): synthesizes the default configuration with 1 and with 200
 * tenants, each run in a fresh Node process, and prints time and peak memory. Not a test: numbers only.
 * The results go to bench/out/synth-scale.json; `--write-docs` also replaces docs/benchmarks.md's synth-scale table.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exitOnUsageError, parseOptions } from "../scripts/args";
import { benchOutputs, replaceBlock } from "./outputs";

const REPO = path.resolve(__dirname, "..");
const RUNS = 3;

function child(tenants: number): void {
  // Imported here so the parent process stays light.
  const { buildApp } = require("../main") as typeof import("../main");
  const base = JSON.parse(fs.readFileSync(path.join(REPO, "config", "prod.json"), "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-scale-"));
  base.tenants = Array.from({ length: tenants }, (_, i) => ({ id: i === 0 ? "demo-tenant" : `tenant-${String(i).padStart(3, "0")}` }));
  fs.mkdirSync(path.join(dir, "config"));
  fs.writeFileSync(path.join(dir, "config", "prod.json"), JSON.stringify(base));
  // Bundle once before timing: esbuild's cost does not depend on tenants.
  const { bundleLambdas } = require("../modules/constructs/bundling") as typeof import("../modules/constructs/bundling");
  const bundles = bundleLambdas(path.join(dir, "bundles"));
  const t0 = process.hrtime.bigint(); // a duration, on the monotonic clock (not a time of day)
  buildApp({ configDir: path.join(dir, "config"), outdir: path.join(dir, "out"), bundles }).synth();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stack = JSON.parse(fs.readFileSync(path.join(dir, "out", "stacks", "cci-lite-prod", "cdk.tf.json"), "utf8"));
  const resources = Object.values<Record<string, unknown>>(stack.resource).reduce((n, r) => n + Object.keys(r).length, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, resources, bytes: JSON.stringify(stack).length }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One synth in a child process (see {@link child}). */
interface SynthRun {
  readonly ms: number;
  readonly rssMb: number;
  readonly resources: number;
  readonly bytes: number;
}

function parent(): void {
  const outputs = benchOutputs("bench/synth-scale.ts", process.argv.slice(2));
  const rows: string[] = [];
  const measured: { tenants: number; runs: SynthRun[] }[] = [];
  for (const tenants of [1, 200]) {
    const runs: SynthRun[] = Array.from({ length: RUNS }, () =>
      JSON.parse(
        execFileSync(process.execPath, [path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), __filename, "--child", String(tenants)], {
          cwd: REPO,
          encoding: "utf8",
        }),
      ),
    );
    measured.push({ tenants, runs });
    rows.push(
      `| ${String(tenants).padStart(7)} | ${median(runs.map((r) => r.ms))
        .toFixed(0)
        .padStart(14)} | ${median(runs.map((r) => r.rssMb))
        .toFixed(0)
        .padStart(12)} | ${String(runs[0].resources).padStart(9)} | ${(runs[0].bytes / 1024).toFixed(0).padStart(13)} |`,
    );
  }
  const table = [
    "| tenants | synth time, ms | peak RSS, MB | resources | cdk.tf.json KB |",
    "|--------:|---------------:|-------------:|----------:|---------------:|",
    ...rows,
  ].join("\n");
  console.log(`\nSynth scale (application stack, median of ${RUNS} fresh processes; bundling excluded)\n`);
  console.log(table);

  const measuredAt = new Date().toISOString();
  fs.mkdirSync(path.dirname(outputs.results), { recursive: true });
  fs.writeFileSync(outputs.results, `${JSON.stringify({ measuredAt, node: process.version, runsPerSize: RUNS, sizes: measured, table }, null, 2)}\n`);
  console.log(`results: ${path.relative(REPO, outputs.results)}`);
  if (outputs.doc) {
    const block = `Measured ${measuredAt.slice(0, 16).replace("T", " ")} UTC by \`npm run bench\` (Node ${process.version}).\n\n${table}`;
    fs.writeFileSync(outputs.doc, replaceBlock(fs.readFileSync(outputs.doc, "utf8"), "synth-scale", block));
    console.log(`updated: ${path.relative(REPO, outputs.doc)}`);
  }
}

/** `[--write-docs]`, or `--child <tenants>` for one measured synth (strict: any other option is an error naming it). */
function options(argv: readonly string[]): { child?: number } {
  try {
    const { values } = parseOptions(argv, { child: { type: "string" }, "write-docs": { type: "boolean" } });
    return values.child === undefined ? {} : { child: Number(values.child) };
  } catch (e) {
    exitOnUsageError("bench/synth-scale.ts", e);
  }
}

const tenants = options(process.argv.slice(2)).child;
if (tenants !== undefined) child(tenants);
else parent();
