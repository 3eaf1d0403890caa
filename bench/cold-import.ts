/**
 * `npm run bench` step 2: the cold import of each Lambda bundle against the guide's own Python handler init, in one
 * run on one machine (issue 22's target: analyze ≤ 0.28× the Python init).
 *
 * - Python: the guide's init is `import boto3` plus its four clients (`s3`, `transcribe`, `comprehend`,
 *   `bedrock-runtime`). Python 3.11 runs as its real binary (`sys.executable`, found once through `python3.11` on
 *   PATH or taken from `CCI_BENCH_PYTHON`), never through a version-manager shim, which adds ≈ 90 ms per start.
 * - Node: a new `node` process (this process's binary) that imports the bundle (`await import(index.mjs)`), which
 *   runs the module's top level (clients, logger, metrics) and nothing else; and a bare `node -e 0` for the floor.
 * - Runs: at least 9 of each, interleaved round-robin (so machine noise hits every variant alike); the ratio is of
 *   the median wall times.
 *
 * Options: --runs N (default and minimum 9), --write-docs (also replace docs/benchmarks.md's cold-import block).
 * Results: bench/out/cold-import.json (bench/outputs.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { bundleHandlers, REPO_ROOT } from "../modules/constructs/bundling";
import { HANDLER_NAMES } from "../lambda-src/contracts/handlers";
import { exitOnUsageError, parseOptions } from "../scripts/args";
import { benchOutputs, replaceBlock } from "./outputs";
import { median } from "./stats";

/** The issue-22 target for the analyze bundle's cold import, as a fraction of the Python init. */
export const COLD_IMPORT_TARGET = 0.28;
/** The guide's four boto3 clients (its Lambda creates them at module level). */
export const GUIDE_CLIENTS = ["s3", "transcribe", "comprehend", "bedrock-runtime"] as const;
export const MIN_RUNS = 9;

const PYTHON_INIT = `import boto3\n${GUIDE_CLIENTS.map((c) => `boto3.client(${JSON.stringify(c)})`).join("\n")}\n`;

/** A clean, credential-free environment the same for every variant (no network: nothing is called). */
function childEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: "eu-central-1",
    AWS_DEFAULT_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_SERVICE_NAME: "bench",
    POWERTOOLS_METRICS_NAMESPACE: "bench",
  };
}

/** The real Python 3.11 binary with boto3, or why there is none. */
export function findPython(env: NodeJS.ProcessEnv = process.env): { bin: string } | { missing: string } {
  const candidate = env.CCI_BENCH_PYTHON ?? "python3.11";
  const probe = spawnSync(candidate, ["-c", "import sys, boto3; print(sys.executable)"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 0) return { missing: `${candidate} with boto3 not found (${(probe.stderr || String(probe.error ?? "")).trim().split("\n").pop()})` };
  return { bin: probe.stdout.trim() };
}

interface Variant {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
}

function timeOnce(v: Variant): number {
  const t0 = performance.now();
  const r = spawnSync(v.cmd, [...v.args], { env: childEnv(), encoding: "utf8", timeout: 30_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${v.name} failed (exit ${r.status}): ${(r.stderr || String(r.error ?? "")).slice(-500)}`);
  return ms;
}

export interface ColdImportRow {
  readonly variant: string;
  readonly medianMs: number;
  readonly ratioToPython: number | null;
}

function main(): void {
  let values: { runs?: string; "write-docs"?: boolean };
  try {
    values = parseOptions(process.argv.slice(2), {
      runs: { type: "string", default: String(MIN_RUNS) },
      "write-docs": { type: "boolean", default: false },
    }).values;
  } catch (e) {
    exitOnUsageError("bench/cold-import.ts", e);
  }
  const runs = Math.max(MIN_RUNS, Number(values.runs));
  if (!Number.isInteger(runs)) throw new Error(`--runs must be a whole number (got ${values.runs})`);
  const outputs = benchOutputs("bench/cold-import.ts", process.argv.slice(2));
  const built = bundleHandlers({ outDir: path.join(REPO_ROOT, "dist", "bench-cold-import") });
  const python = findPython();
  const variants: Variant[] = [];
  if ("bin" in python) variants.push({ name: "python3.11: import boto3 + 4 clients (the guide)", cmd: python.bin, args: ["-c", PYTHON_INIT] });
  for (const h of HANDLER_NAMES) {
    const url = pathToFileURL(built[h].file).href;
    variants.push({ name: `node: import ${h} bundle`, cmd: process.execPath, args: ["--input-type=module", "-e", `await import(${JSON.stringify(url)});`] });
  }
  variants.push({ name: "node -e 0 (floor)", cmd: process.execPath, args: ["-e", "0"] });

  for (const v of variants) timeOnce(v); // warm the page cache once; not counted
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) for (const v of variants) samples.get(v.name)?.push(timeOnce(v));

  const pythonMs = "bin" in python ? median(samples.get(variants[0].name) ?? []) : null;
  const rows: ColdImportRow[] = variants.map((v) => {
    const m = median(samples.get(v.name) ?? []);
    return { variant: v.name, medianMs: Math.round(m * 10) / 10, ratioToPython: pythonMs ? Math.round((m / pythonMs) * 1000) / 1000 : null };
  });
  const analyze = rows.find((r) => r.variant === "node: import analyze bundle");
  const lines = [
    `Cold import, median wall of ${runs} interleaved runs each (${process.version}${"bin" in python ? `, ${python.bin}` : ""}):`,
    "",
    "| process | median wall ms | × guide's Python init |",
    "|---|---:|---:|",
    ...rows.map((r) => `| ${r.variant} | ${r.medianMs.toFixed(1)} | ${r.ratioToPython === null ? "n/a" : r.ratioToPython.toFixed(3)} |`),
    "",
    "bin" in python
      ? `analyze: ${analyze?.ratioToPython?.toFixed(3)} × the guide's init (target ≤ ${COLD_IMPORT_TARGET}): ${(analyze?.ratioToPython ?? 1) <= COLD_IMPORT_TARGET ? "met" : "NOT met"}.`
      : `No ratio: ${python.missing}. Set CCI_BENCH_PYTHON to a Python 3.11 binary with boto3.`,
  ];
  console.log(lines.join("\n"));
  fs.mkdirSync(path.dirname(outputs.results), { recursive: true });
  fs.writeFileSync(outputs.results, `${JSON.stringify({ runs, node: process.version, python: "bin" in python ? python.bin : null, rows }, null, 2)}\n`);
  if (outputs.doc) fs.writeFileSync(outputs.doc, replaceBlock(fs.readFileSync(outputs.doc, "utf8"), "cold-import", lines.join("\n")));
  console.log(`results: ${path.relative(REPO_ROOT, outputs.results)}`);
}

if (require.main === module) main();
