/**
 * Report site benchmark (part of `npm run bench`): `npm run report`'s two pages (the aggregate page and the call
 * browser, scripts/report/) for 10,000 generated sample calls, without and with transcripts, each run in a fresh
 * Node process (median of 3): generation time (records parsed, both models built, both pages rendered and written),
 * the pages' sizes and peak memory; then the call browser opened in headless Chromium from disk (time until drawn,
 * and one search over every summary). Not a test: numbers only. Results go to bench/out/report-site.json;
 * `--write-docs` also replaces docs/benchmarks.md's report-site table.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exitOnUsageError, parseOptions, UsageError } from "../scripts/args";
import { benchOutputs, replaceBlock } from "./outputs";
import { median } from "./stats";

const REPO = path.resolve(__dirname, "..");
const RUNS = 3;
const CALLS = 10_000;
const CHROMIUM = "/usr/bin/chromium";
/** The sample's calls are kept this long for the run with transcripts: every call has one (the worst case). */
const ALL_KEPT_DAYS = 3650;

interface SiteRun {
  readonly ms: number;
  readonly rssMb: number;
  readonly aggregateBytes: number;
  readonly callsBytes: number;
  readonly dir: string;
}

function child(transcripts: boolean): void {
  // Imported here so the parent process stays light.
  const { generateSample } = require("../scripts/report/sample") as typeof import("../scripts/report/sample");
  const { sampleTranscripts } = require("../scripts/report/sample-transcripts") as typeof import("../scripts/report/sample-transcripts");
  const { datedResult } = require("../scripts/report/load") as typeof import("../scripts/report/load");
  const { buildModel } = require("../scripts/report/model") as typeof import("../scripts/report/model");
  const { renderHtml, chartJsSource } = require("../scripts/report/html") as typeof import("../scripts/report/html");
  const { buildCallsModel } = require("../scripts/report/calls-model") as typeof import("../scripts/report/calls-model");
  const { renderCallsHtml } = require("../scripts/report/calls-html") as typeof import("../scripts/report/calls-html");
  // About 91 calls a day over 3 tenants: 120 days hold 10,000 calls.
  const sample = generateSample({ days: 120, maxCallsPerDay: 60 })
    .filter((r) => !r.result.rejected_file)
    .slice(0, CALLS);
  if (sample.length !== CALLS) throw new Error(`the sample has ${sample.length} calls, not ${CALLS}`);
  const texts = sample.map((r) => [r.key, JSON.stringify(r.result)] as const);
  const docs = transcripts ? sampleTranscripts(sample.map((r) => r.result)).map((t) => [t.key, JSON.stringify(t.doc)] as const) : [];
  const chartJs = chartJsSource();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-report-site-"));
  const generatedAt = "2027-03-01T00:00:00.000Z";

  const t0 = process.hrtime.bigint(); // a duration, on the monotonic clock (not a time of day)
  const rows = texts.map(([key, text]) => datedResult(key, text));
  const read = transcripts ? new Map(docs.map(([key, text]) => [key.replace(/^tmp\/|\.json$/g, ""), { doc: JSON.parse(text) }])) : undefined;
  const aggregate = renderHtml(buildModel(rows, { source: "bench", generatedAt }), chartJs, "report-calls.html");
  const calls = renderCallsHtml(buildCallsModel(rows, { source: "bench", generatedAt, transcriptsDays: ALL_KEPT_DAYS, transcripts: read }), "report.html");
  fs.writeFileSync(path.join(dir, "report.html"), aggregate);
  fs.writeFileSync(path.join(dir, "report-calls.html"), calls);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const run: SiteRun = {
    ms,
    rssMb: process.resourceUsage().maxRSS / 1024,
    aggregateBytes: Buffer.byteLength(aggregate),
    callsBytes: Buffer.byteLength(calls),
    dir,
  };
  process.stdout.write(JSON.stringify(run));
}

/** The call browser in headless Chromium: ms until drawn, and ms for a search over every call to update the count. */
async function inBrowser(file: string): Promise<{ openMs: number; searchMs: number } | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const context = await browser.newContext();
    await context.route("**/*", (route) => (route.request().url().startsWith("file://") ? route.continue() : route.abort()));
    const page = await context.newPage();
    const t0 = process.hrtime.bigint();
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-rendered=true]", { timeout: 60_000 });
    const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const searchMs = await page.evaluate(() => {
      // Runs in the page (tsconfig has no DOM library): only what is used, typed here.
      type Input = { value: string; dispatchEvent(e: Event): boolean };
      const input = (globalThis as unknown as { document: { getElementById(id: string): Input } }).document.getElementById("f-search");
      const start = performance.now();
      input.value = "refund invoice";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      return performance.now() - start;
    });
    return { openMs, searchMs };
  } finally {
    await browser.close();
  }
}

async function parent(): Promise<void> {
  const outputs = benchOutputs("bench/report-site.ts", process.argv.slice(2));
  const measured: Array<{ transcripts: boolean; runs: SiteRun[]; browser?: { openMs: number; searchMs: number } }> = [];
  const rows: string[] = [];
  for (const transcripts of [false, true]) {
    const runs: SiteRun[] = Array.from({ length: RUNS }, () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), __filename, "--child", transcripts ? "transcripts" : "plain"],
          {
            cwd: REPO,
            encoding: "utf8",
            maxBuffer: 1 << 20,
          },
        ),
      ),
    );
    const browser = await inBrowser(path.join(runs[0].dir, "report-calls.html"));
    for (const r of runs) fs.rmSync(r.dir, { recursive: true, force: true });
    measured.push({ transcripts, runs, browser });
    const kb = (b: number) => (b / 1024).toFixed(0);
    rows.push(
      `| ${CALLS.toLocaleString("en")} | ${transcripts ? "yes (4 turns each)" : "no"} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.rssMb)).toFixed(0)} | ${kb(runs[0].aggregateBytes)} | ${kb(runs[0].callsBytes)} | ${browser ? browser.openMs.toFixed(0) : "—"} | ${browser ? browser.searchMs.toFixed(0) : "—"} |`,
    );
  }
  const table = [
    "| calls | transcripts | generation, ms | peak RSS, MB | aggregate page KB | call browser KB | opens in Chromium, ms | one search, ms |",
    "|------:|---|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
  console.log(`\nReport site (npm run report's two pages for ${CALLS} sample calls, median of ${RUNS} fresh processes)\n`);
  console.log(table);

  const measuredAt = new Date().toISOString();
  fs.mkdirSync(path.dirname(outputs.results), { recursive: true });
  fs.writeFileSync(outputs.results, `${JSON.stringify({ measuredAt, node: process.version, runsPerVariant: RUNS, calls: CALLS, measured, table }, null, 2)}\n`);
  console.log(`results: ${path.relative(REPO, outputs.results)}`);
  if (outputs.doc) {
    const load = os.loadavg()[0].toFixed(1);
    const block = `Measured ${measuredAt.slice(0, 16).replace("T", " ")} UTC by \`npm run bench\` (Node ${process.version}, ${os.cpus().length} cores, load average ${load}).\n\n${table}`;
    fs.writeFileSync(outputs.doc, replaceBlock(fs.readFileSync(outputs.doc, "utf8"), "report-site", block));
    console.log(`updated: ${path.relative(REPO, outputs.doc)}`);
  }
}

/** `[--write-docs]`, or `--child plain|transcripts` for one measured generation (strict: any other option is an error). */
function options(argv: readonly string[]): { child?: "plain" | "transcripts" } {
  try {
    const { values } = parseOptions(argv, { child: { type: "string" }, "write-docs": { type: "boolean" } });
    if (values.child !== undefined && values.child !== "plain" && values.child !== "transcripts") throw new UsageError("--child must be plain or transcripts");
    return { child: values.child as "plain" | "transcripts" | undefined };
  } catch (e) {
    exitOnUsageError("bench/report-site.ts", e);
  }
}

const which = options(process.argv.slice(2)).child;
if (which) child(which === "transcripts");
else
  parent().catch((e) => {
    console.error(e);
    process.exit(1);
  });
