/**
 * `npm run bench`: bundle size, cold start, warm CPU per event and peak RSS of the three Lambda bundles, against
 * the same handlers loaded unbundled from node_modules. Method and last numbers: docs/benchmarks.md.
 *
 *  - bundled:  scripts/bundle-lambdas.ts output (what is deployed).
 *  - baseline: the same handler source bundled with `packages: "external"`: the handler's own code is one file,
 *              every npm dependency (AWS SDK, Powertools) is loaded from node_modules at run time (the SDK's
 *              CommonJS dist, as a zip with node_modules would run it).
 * Each process is plain `node` running dist/bench/child.mjs (no TypeScript loader in the measurement), against an
 * in-process fake AWS endpoint on 127.0.0.1 (bench/fake-aws.ts). Bounded: every child is killed after 30 s.
 *
 * Options: --runs N (cold runs per variant, default and minimum 5), --warm N (default 200), --fixtures (the
 * bench/fixtures stand-ins instead of lambda-src/handlers), --long-only (only the 4-hour calls, printed), --write-docs
 * (also replace docs/benchmarks.md's "Last measured" block). The results go to bench/out/run.json (bench/outputs.ts).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as zlib from "node:zlib";
import { buildSync } from "esbuild";
import { bundleBudget, bundleFloors } from "../modules/constructs/bundle-floor";
import { bundleHandlers, REPO_ROOT } from "../modules/constructs/bundling";
import { FUNCTION_SETTINGS } from "../modules/processor/functions";
import { HANDLER_NAMES, type HandlerName } from "../lambda-src/contracts/handlers";
import { type Clock, systemClock } from "../lambda-src/core/clock";
import { exitOnUsageError, parseOptions } from "../scripts/args";
import { contractEnv } from "./events";
import { TRANSCRIPT_FILE_ENV } from "./fake-aws";
import { LONG_CALL_SECONDS, type LongTranscriptKind, writeLongTranscript } from "./long-transcripts";
import { benchOutputs, replaceBlock } from "./outputs";
import { median } from "./stats";

const OUT = path.join(REPO_ROOT, "dist", "bench");
const CHILD_TIMEOUT_MS = 30_000;
const LOG_KEEP_BYTES = 64 * 1024;

const OPTIONS = (() => {
  try {
    return parseOptions(process.argv.slice(2), {
      runs: { type: "string", default: "5" },
      warm: { type: "string", default: "200" },
      fixtures: { type: "boolean", default: false },
      "long-only": { type: "boolean", default: false },
      "write-docs": { type: "boolean", default: false },
    }).values;
  } catch (e) {
    exitOnUsageError("bench/run.ts", e);
  }
})();
const COLD_RUNS = Math.max(5, Number(OPTIONS.runs));
const WARM = Math.max(1, Number(OPTIONS.warm));
const OUTPUTS = benchOutputs("bench/run.ts", process.argv.slice(2));

interface ChildReport {
  kind: "cold" | "warm" | "fatal";
  [k: string]: unknown;
}
interface ChildRun {
  wallMs: number;
  reports: ChildReport[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function childEnv(name: HandlerName): NodeJS.ProcessEnv {
  // A clean environment: nothing of the caller's AWS setup, no NODE_OPTIONS; credentials only in env variables
  // (what Lambda provides); no shared config files and no instance metadata lookups.
  return {
    PATH: process.env.PATH,
    LANG: "C.UTF-8",
    TZ: "UTC",
    HOME: path.join(OUT, "home"),
    AWS_REGION: "eu-central-1",
    AWS_DEFAULT_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "FwoGZXIvYXdzEBYaDbench-fake-session-token",
    AWS_CONFIG_FILE: path.join(OUT, "home", "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(OUT, "home", "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_LAMBDA_FUNCTION_NAME: `cci-lite-bench-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    ...contractEnv(name),
  };
}

function runChild(
  childJs: string,
  modulePath: string,
  name: HandlerName,
  warm: number,
  floor = false,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = CHILD_TIMEOUT_MS,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const args = [childJs, modulePath, name, String(warm), ...(floor ? ["--floor"] : [])];
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { ...childEnv(name), ...extraEnv }, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    let wallMs = NaN;
    let stdout = "";
    let stderr = "";
    let buf = "";
    const reports: ChildReport[] = [];
    if (!child.stdout || !child.stderr) throw new Error(`${name}: the child process has no stdout or stderr pipe`);
    // A watchdog on a real process: a duration (Node's timers run on the monotonic clock), not a time of day.
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      if (stdout.length < LOG_KEEP_BYTES) stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < LOG_KEEP_BYTES) stderr += d.toString("utf8");
    });
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const rep = JSON.parse(line) as ChildReport;
        if (rep.kind === "cold") wallMs = performance.now() - t0;
        reports.push(rep);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ wallMs, reports, stdout, stderr, exitCode: code });
    });
  });
}

/** Approximate deployment zip size: deflate (level 6, as Terraform's archive provider) + zip headers. */
function zippedBytes(file: string): number {
  const name = path.basename(file);
  return zlib.deflateRawSync(fs.readFileSync(file), { level: 6 }).length + 30 + 46 + 22 + 2 * name.length;
}

/** Smallest multiple of 64 MB, at least 128, that is >= 2x the peak RSS. */
export function recommendedMemoryMb(peakRssMiB: number): number {
  return Math.max(128, Math.ceil((2 * peakRssMiB) / 64) * 64);
}

/** Lambda gives a function one vCPU at 1,769 MB and a proportional share below. */
const FULL_VCPU_MB = 1769;
/** Memory for the longest call: at least 1.5x the peak RSS (MiB converted to MB), rounded up to 64 MB. */
export function longCallMemoryMb(peakRssMiB: number): number {
  return Math.max(128, Math.ceil((1.5 * peakRssMiB * 1.048576) / 64) * 64);
}
/**
 * Timeout for the longest call: the measured CPU-bound time scaled to the function's vCPU share, three times over,
 * plus 60 s for the real service round trips the fake answers at once (Bedrock, Comprehend, S3), rounded up to 30 s.
 */
export function longCallTimeoutSeconds(invokeMs: number, memoryMb: number): number {
  const lambdaSeconds = (invokeMs / 1000) * Math.max(1, FULL_VCPU_MB / memoryMb);
  return Math.ceil((3 * lambdaSeconds + 60) / 30) * 30;
}

interface LongRun {
  transcript: LongTranscriptKind;
  handler: HandlerName;
  bytes: number;
  words: number;
  items: number;
  invokeMs: number;
  peakRssMiB: number;
  ok: boolean;
  result: unknown;
  calls: string[];
}

/**
 * The 4-hour transcripts (stereo with channel labels, mono with speaker labels) through the bundled analyze. reconcile
 * never holds a transcript (it hands jobs to analyze), so its memory follows its ordinary run.
 */
async function measureLongCalls(childJs: string, modules: Record<HandlerName, string>): Promise<LongRun[]> {
  const out: LongRun[] = [];
  for (const transcript of ["stereo", "mono"] as const) {
    const file = path.join(OUT, `transcript-4h-${transcript}.json`);
    const doc = writeLongTranscript(file, transcript, "cci-lite-bench-demo-tenant-sample-0123456789abcdef");
    for (const handler of ["analyze"] as const) {
      const r = await runChild(childJs, modules[handler], handler, 0, false, { [TRANSCRIPT_FILE_ENV]: file }, 120_000);
      const cold = r.reports.find((x) => x.kind === "cold");
      if (!cold) throw new Error(`${handler} on the 4-hour ${transcript} transcript reported nothing (exit ${r.exitCode}; stderr: ${r.stderr.slice(0, 2000)})`);
      out.push({
        transcript,
        handler,
        ...doc,
        invokeMs: cold.invokeMs as number,
        peakRssMiB: (cold.maxRssKiB as number) / 1024,
        // analyze answers processJob's outcome: the 4-hour call must end COMPLETED, not in an error record.
        ok:
          cold.ok === true &&
          !(cold.calls as string[]).some((c) => c.startsWith("UNHANDLED") || c.startsWith("ERROR")) &&
          (handler !== "analyze" || (cold.result as { outcome?: string } | null)?.outcome === "COMPLETED"),
        result: cold.result,
        calls: cold.calls as string[],
      });
    }
  }
  return out;
}

function longCallTable(runs: readonly LongRun[]): {
  lines: string[];
  memory: Record<"analyze", number>;
  timeout: Record<"analyze", number>;
} {
  const lines = [
    `4-hour calls (${LONG_CALL_SECONDS} s, ≈ 2.5 words/s): one cold invocation of the bundled handler per transcript, the fake serving the transcript from disk.`,
    "",
    "| transcript | handler | transcript MB | words / items | invoke ms (this machine) | peak RSS MiB | Comprehend / Bedrock calls | result |",
    "|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of runs) {
    const comprehend = r.calls.filter((c) => c.startsWith("Comprehend.")).length;
    const bedrock = r.calls.filter((c) => c === "Bedrock.Converse").length;
    lines.push(
      `| ${r.transcript} | ${r.handler} | ${fmt(r.bytes / 1e6, 1)} | ${r.words} / ${r.items} | ${fmt(r.invokeMs)} | ${fmt(r.peakRssMiB, 1)} | ${comprehend} / ${bedrock} | ${r.ok ? (r.handler === "analyze" ? "COMPLETED" : "ok") : `ERROR ${JSON.stringify(r.result)}`} |`,
    );
  }
  const memory = { analyze: 0 };
  const timeout = { analyze: 0 };
  for (const h of ["analyze"] as const) {
    const mine = runs.filter((r) => r.handler === h);
    const peak = Math.max(...mine.map((r) => r.peakRssMiB));
    memory[h] = longCallMemoryMb(peak);
    timeout[h] = longCallTimeoutSeconds(Math.max(...mine.map((r) => r.invokeMs)), memory[h]);
    lines.push(
      "",
      `- **${h}** longest call: peak RSS ${fmt(peak, 1)} MiB -> memory ${memory[h]} MB (>= 1.5x peak, multiple of 64); ` +
        `slowest invocation ${fmt(Math.max(...mine.map((r) => r.invokeMs)))} ms on a full core -> timeout ${timeout[h]} s ` +
        `(3x that at ${memory[h]} MB's vCPU share + 60 s for real service round trips). ` +
        `Deployed (FUNCTION_SETTINGS): ${FUNCTION_SETTINGS[h].memoryMb} MB ${FUNCTION_SETTINGS[h].memoryMb >= memory[h] ? "OK" : "BELOW the recommendation"}, ` +
        `timeout ${FUNCTION_SETTINGS[h].timeoutSeconds} s ${FUNCTION_SETTINGS[h].timeoutSeconds >= timeout[h] ? "OK" : "BELOW the recommendation"}.`,
    );
  }
  return { lines, memory, timeout };
}

interface VariantResult {
  module: string;
  bytes: number;
  zippedBytes: number;
  coldWallMs: number[];
  coldProcessMs: number[];
  coldImportMs: number[];
  coldInvokeMs: number[];
  coldOk: boolean;
  coldResult: unknown;
  coldCalls: string[];
  coldMaxRssMiB: number;
  warm: {
    invocations: number;
    failures: number;
    lastError: unknown;
    cpuUsPerEvent: number;
    fakeUsPerEvent: number;
    wallMsPerEvent: number;
    callsPerEvent: number;
    unhandled: string[];
    maxRssMiB: number;
  };
  emfLines: number;
  stderrHead: string;
}

async function measureVariant(childJs: string, modulePath: string, name: HandlerName): Promise<VariantResult> {
  const cold: ChildRun[] = [];
  for (let i = 0; i < COLD_RUNS; i++) cold.push(await runChild(childJs, modulePath, name, 0));
  const warmRun = await runChild(childJs, modulePath, name, WARM);
  const all = [...cold, warmRun];
  const fatal = all.flatMap((r) => r.reports).find((r) => r.kind === "fatal");
  if (fatal) throw new Error(`${name} (${modulePath}): ${String(fatal.error)}`);
  const colds = cold.map((r) => r.reports.find((x) => x.kind === "cold")).filter((c): c is ChildReport => c !== undefined);
  if (colds.length !== cold.length)
    throw new Error(
      `${name}: a cold run reported nothing (stderr: ${cold
        .map((c) => c.stderr)
        .join("")
        .slice(0, 2000)})`,
    );
  const c0 = colds[0];
  const w = warmRun.reports.find((x) => x.kind === "warm") as unknown as VariantResult["warm"] & { maxRssKiB: number };
  return {
    module: path.relative(REPO_ROOT, modulePath),
    bytes: fs.statSync(modulePath).size,
    zippedBytes: zippedBytes(modulePath),
    coldWallMs: cold.map((r) => r.wallMs),
    coldProcessMs: colds.map((c) => c.processMs as number),
    coldImportMs: colds.map((c) => c.importMs as number),
    coldInvokeMs: colds.map((c) => c.invokeMs as number),
    coldOk: colds.every((c) => c.ok === true),
    coldResult: c0.result,
    coldCalls: c0.calls as string[],
    coldMaxRssMiB: Math.max(...colds.map((c) => (c.maxRssKiB as number) / 1024)),
    warm: { ...w, maxRssMiB: Math.max(w.maxRssMiB, w.maxRssKiB / 1024) },
    emfLines: (cold[0].stdout.match(/"_aws"/g) ?? []).length,
    stderrHead: cold[0].stderr.slice(0, 500),
  };
}

function fmt(n: number, digits = 0): string {
  return n.toFixed(digits);
}

/** `clock` dates the measurement (its run.json and the docs block); durations use the monotonic `performance.now()`. */
async function main(clock: Clock): Promise<void> {
  const started = performance.now();
  fs.mkdirSync(path.join(OUT, "home"), { recursive: true });
  const entries = {} as Record<HandlerName, string>;
  const sources = {} as Record<HandlerName, "lambda-src" | "fixture">;
  for (const name of HANDLER_NAMES) {
    const real = path.join(REPO_ROOT, "lambda-src", "handlers", `${name}.ts`);
    const useReal = fs.existsSync(real) && !OPTIONS.fixtures;
    entries[name] = useReal ? real : path.join(REPO_ROOT, "bench", "fixtures", "handlers", `${name}.ts`);
    sources[name] = useReal ? "lambda-src" : "fixture";
  }
  const bundled = bundleHandlers({ outDir: path.join(OUT, "bundled"), entries });
  const baseline = bundleHandlers({ outDir: path.join(OUT, "baseline"), entries, packagesExternal: true });
  const floors = bundleFloors(path.join(OUT, "floor"));
  const budgets = Object.fromEntries(HANDLER_NAMES.map((n) => [n, bundleBudget(floors[n].bytes)])) as Record<HandlerName, number>;
  const childJs = path.join(OUT, "child.mjs");
  buildSync({
    entryPoints: [path.join(REPO_ROOT, "bench", "child.ts")],
    outfile: childJs,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
  });

  const floorRuns: ChildRun[] = [];
  for (let i = 0; i < COLD_RUNS; i++) floorRuns.push(await runChild(childJs, bundled.start.file, "start", 0, true));
  const floorMs = median(floorRuns.map((r) => r.wallMs));
  const floorRssMiB = median(floorRuns.map((r) => (r.reports[0].maxRssKiB as number) / 1024));

  const longRuns = await measureLongCalls(childJs, { start: bundled.start.file, analyze: bundled.analyze.file, reconcile: bundled.reconcile.file });
  const long = longCallTable(longRuns);
  if (OPTIONS["long-only"]) {
    console.log(long.lines.join("\n"));
    return;
  }

  const results = {} as Record<HandlerName, { source: string; bundled: VariantResult; baseline: VariantResult }>;
  for (const name of HANDLER_NAMES) {
    results[name] = {
      source: path.relative(REPO_ROOT, entries[name]),
      bundled: await measureVariant(childJs, bundled[name].file, name),
      baseline: await measureVariant(childJs, baseline[name].file, name),
    };
  }

  const lines: string[] = [];
  lines.push(
    `Node ${process.version}, ${process.platform}/${process.arch}; cold = median of ${COLD_RUNS} new processes; warm = ${WARM} invocations in one process; ` +
      `floor (node + fake endpoint, no handler) = ${fmt(floorMs)} ms wall, ${fmt(floorRssMiB, 1)} MiB RSS.`,
  );
  lines.push("");
  lines.push(
    "| handler | variant | raw KiB | zip KiB | cold wall ms | cold in-process import+invoke ms (import / invoke) | warm CPU µs/event: handler+SDK (incl. fake AWS) | warm wall ms/event | peak RSS MiB |",
  );
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const name of HANDLER_NAMES) {
    for (const variant of ["bundled", "baseline"] as const) {
      const v = results[name][variant];
      const imp = median(v.coldImportMs);
      const inv = median(v.coldInvokeMs);
      lines.push(
        `| ${name} | ${variant === "bundled" ? "bundled" : "unbundled (node_modules)"} | ${fmt(v.bytes / 1024, 1)} | ${fmt(v.zippedBytes / 1024, 1)} | ` +
          `${fmt(median(v.coldWallMs))} | ${fmt(median(v.coldImportMs.map((x, i) => x + v.coldInvokeMs[i])))} (${fmt(imp)} / ${fmt(inv)}) | ` +
          `${fmt(v.warm.cpuUsPerEvent - v.warm.fakeUsPerEvent)} (${fmt(v.warm.cpuUsPerEvent)}) | ${fmt(v.warm.wallMsPerEvent, 2)} | ${fmt(Math.max(v.coldMaxRssMiB, v.warm.maxRssMiB), 1)} |`,
      );
    }
  }
  lines.push("");
  const verdicts: Record<string, unknown> = {};
  for (const name of HANDLER_NAMES) {
    const { bundled: b, baseline: u, source } = results[name];
    const peak = Math.max(b.coldMaxRssMiB, b.warm.maxRssMiB);
    const mem = recommendedMemoryMb(peak);
    const coldRatio = median(b.coldWallMs) / median(u.coldWallMs);
    const sizeOk = b.bytes <= budgets[name];
    const functional = b.coldOk && b.warm.failures === 0 && b.warm.unhandled.length === 0;
    verdicts[name] = { sizeOk, coldRatio, peakRssMiB: peak, recommendedMemoryMb: mem, functional };
    lines.push(
      `- **${name}** (${source}): size ${sizeOk ? "OK" : "OVER"} (${fmt(b.bytes / 1024, 1)} KiB = ${b.bytes} B vs its budget ${budgets[name]} B); ` +
        `cold start ${fmt(median(b.coldWallMs))} ms = ${fmt(coldRatio * 100)}% of unbundled ${fmt(median(u.coldWallMs))} ms ` +
        `(${fmt(median(b.coldWallMs) - floorMs)} vs ${fmt(median(u.coldWallMs) - floorMs)} ms above the floor); ` +
        `peak RSS ${fmt(peak, 1)} MiB -> memory ${mem} MB (>= 2x peak${name === "analyze" ? "; deployed memory follows the 4-hour call below" : ""})${mem <= 256 ? "" : " (ABOVE the expected 256 MB)"}; ` +
        `calls ${b.coldCalls.join(", ") || "none"}; result ${b.coldOk ? "ok" : "ERROR"}` +
        `${functional ? "" : ` -- NOT FUNCTIONAL: ${JSON.stringify({ cold: b.coldResult, warmFailures: b.warm.failures, lastError: b.warm.lastError, unhandled: b.warm.unhandled })}`}.`,
    );
  }
  lines.push("", ...long.lines);
  const table = lines.join("\n");
  console.log(table);
  const elapsed = (performance.now() - started) / 1000;
  console.log(`\nbench finished in ${fmt(elapsed, 1)} s`);

  const json = {
    measuredAt: clock.now().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    coldRuns: COLD_RUNS,
    warmInvocations: WARM,
    floor: { wallMs: floorMs, rssMiB: floorRssMiB },
    budgetBytes: budgets,
    results,
    verdicts,
    longCalls: { runs: longRuns.map(({ calls: _, ...r }) => r), recommendedMemoryMb: long.memory, recommendedTimeoutSeconds: long.timeout },
    table,
    elapsedSeconds: elapsed,
  };
  fs.mkdirSync(path.dirname(OUTPUTS.results), { recursive: true });
  fs.writeFileSync(OUTPUTS.results, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`results: ${path.relative(REPO_ROOT, OUTPUTS.results)}`);

  // docs/benchmarks.md's "Last measured" block, only when asked (--write-docs).
  if (OUTPUTS.doc) {
    const measured = `Measured ${json.measuredAt.slice(0, 16).replace("T", " ")} UTC by \`npm run bench\`.\n\n${table}`;
    fs.writeFileSync(OUTPUTS.doc, replaceBlock(fs.readFileSync(OUTPUTS.doc, "utf8"), "bench", measured));
    console.log(`updated: ${path.relative(REPO_ROOT, OUTPUTS.doc)}`);
  }
}

main(systemClock).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
