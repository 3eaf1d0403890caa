/**
 * Where `npm run bench` writes. Every run writes its results into bench/out/ (git-ignored), so measuring leaves
 * the working tree clean; docs/benchmarks.md changes only with `--write-docs` (`npm run bench -- --write-docs`),
 * which bench/all.ts passes to both benchmark scripts.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";

const REPO_ROOT = path.resolve(__dirname, "..");

/** The results of every run (git-ignored, see .gitignore). */
export const BENCH_OUT_DIR = path.join(REPO_ROOT, "bench", "out");
/** The documentation whose measured blocks `--write-docs` replaces. */
export const BENCH_DOC = path.join(REPO_ROOT, "docs", "benchmarks.md");

/** The benchmark scripts `npm run bench` runs, in order (repository-relative). */
export const BENCH_SCRIPTS = ["bench/run.ts", "bench/cold-import.ts", "bench/synth-scale.ts", "bench/report-site.ts", "bench/categories.ts"] as const;
export type BenchScript = (typeof BENCH_SCRIPTS)[number];

export interface BenchOutputs {
  /** The run's results as JSON, always written. */
  readonly results: string;
  /** docs/benchmarks.md with `--write-docs`; undefined otherwise (the docs stay as they are). */
  readonly doc: string | undefined;
}

/** Whether the arguments hold `--write-docs` (the scripts' other options are theirs to read). */
export function writesDocs(argv: readonly string[]): boolean {
  const { values } = parseArgs({ args: [...argv], options: { "write-docs": { type: "boolean" } }, strict: false, allowPositionals: true });
  return values["write-docs"] === true;
}

/** Where a benchmark script writes, from its arguments. */
export function benchOutputs(script: BenchScript, argv: readonly string[]): BenchOutputs {
  return { results: path.join(BENCH_OUT_DIR, `${path.basename(script, ".ts")}.json`), doc: writesDocs(argv) ? BENCH_DOC : undefined };
}

/**
 * The arguments each script gets from `npm run bench -- <args>`: bench/run.ts all of them (its options: --runs,
 * --warm, --fixtures, --long-only), bench/cold-import.ts, bench/synth-scale.ts, bench/report-site.ts and
 * bench/categories.ts only `--write-docs`.
 */
export function benchSteps(argv: readonly string[]): Array<[BenchScript, string[]]> {
  const docs = writesDocs(argv) ? ["--write-docs"] : [];
  return [
    ["bench/run.ts", [...argv]],
    ["bench/cold-import.ts", docs],
    ["bench/synth-scale.ts", docs],
    ["bench/report-site.ts", docs],
    ["bench/categories.ts", docs],
  ];
}

/**
 * `text` with the block between `<!-- <name>:begin -->` and `<!-- <name>:end -->` replaced by `body`; throws when
 * the markers are missing (the docs changed shape: nothing is written).
 */
export function replaceBlock(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${path.relative(REPO_ROOT, BENCH_DOC)} has no ${begin} … ${end} block`);
  return `${text.slice(0, i)}${begin}\n${body}\n${end}${text.slice(j + end.length)}`;
}
