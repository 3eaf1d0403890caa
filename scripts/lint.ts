/**
 * `npm run lint`: Biome's `ci` (formatting and lint, biome.jsonc) failing on any diagnostic, infos included.
 * `biome ci --error-on-warnings` fails on errors and warnings, but Biome 2.6 has no flag that fails on infos
 * (`--diagnostic-level` only filters what is printed), so this runs it with its usual report for people plus the JSON
 * report in a temporary file, and fails when that report counts any error, warning or info.
 *
 *   npx tsx scripts/lint.ts [biome ci options as --name=value] [paths]     (no path: the current directory)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..");
const BIOME = path.join(REPO_ROOT, "node_modules", ".bin", "biome");

/** Biome's note under every run with the JSON reporter; it says nothing about the code, so it is not passed on. */
const JSON_REPORTER_NOTE = /reporters are experimental and may change/;

/** The counts of the JSON report's `summary`. */
export interface BiomeSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

/** The `biome` arguments: `ci` failing on warnings, the default report for people and the JSON report into `reportFile`. */
export function biomeArgs(args: readonly string[], reportFile: string): string[] {
  return ["ci", "--error-on-warnings", "--reporter=default", "--reporter=json", `--reporter-file=${reportFile}`, ...args];
}

/** Biome's output without its note about the JSON reporter. */
const withoutNote = (text: string): string =>
  text
    .split("\n")
    .filter((line) => !JSON_REPORTER_NOTE.test(line))
    .join("\n");

/** Why the lint fails (any error, warning or info, or Biome's own failure), or undefined when it passes. */
export function lintFailure(status: number | null, summary: BiomeSummary | undefined): string | undefined {
  if (!summary) return `Biome wrote no JSON report (exit status ${status})`;
  const { errors, warnings, infos } = summary;
  if (errors + warnings + infos > 0) {
    return (
      `Biome reported ${errors} error(s), ${warnings} warning(s) and ${infos} info(s); any diagnostic fails the lint ` +
      "(fix it, or turn the rule off in biome.jsonc with a one-line reason)"
    );
  }
  if (status !== 0) return `Biome exited with status ${status}`;
  return undefined;
}

/** Runs the lint; returns the exit status (0: no diagnostic at all). */
export function lint(args: readonly string[]): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-lint-"));
  try {
    const reportFile = path.join(dir, "biome.json");
    const run = spawnSync(BIOME, biomeArgs(args, reportFile), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    if (run.error) throw run.error;
    process.stdout.write(withoutNote(run.stdout));
    process.stderr.write(withoutNote(run.stderr));
    const summary = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, "utf8")) as { summary?: BiomeSummary }).summary : undefined;
    const failure = lintFailure(run.status, summary);
    if (failure === undefined) return 0;
    process.stderr.write(`lint: ${failure}\n`);
    return 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exit(lint(process.argv.slice(2)));
