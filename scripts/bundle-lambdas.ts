/**
 * `npm run bundle`: builds the Lambda bundles (modules/constructs/bundling.ts) and their SDK floors
 * (modules/constructs/bundle-floor.ts), prints each bundle's bytes against its budget and the composition of the
 * three by package; exits 1 when a bundle is over its budget.
 *
 * Options: `[outDir]` (default dist/lambda), `--measures` (size after each cumulative size measure), `--top`
 * (largest packages per bundle, unabridged), `--write-docs` (also replace docs/benchmarks.md's bundle block).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HANDLER_NAMES } from "../lambda-src/contracts/handlers";
import { bundleBudget, bundleFloors } from "../modules/constructs/bundle-floor";
import { budgetTable, bytesByPackage, compositionTable } from "../modules/constructs/bundle-report";
import { MEASURE_STEPS } from "../modules/constructs/bundle-size-measures";
import { bundleHandlers, DEFAULT_OUT_DIR, REPO_ROOT } from "../modules/constructs/bundling";
import { replaceBlock } from "../bench/outputs";
import { exitOnUsageError, parseOptions, UsageError } from "./args";

const DOC = path.join(REPO_ROOT, "docs", "benchmarks.md");

export interface BundleArgs {
  readonly outDir: string;
  readonly measures: boolean;
  readonly top: boolean;
  readonly writeDocs: boolean;
}

/** `[outDir] [--measures] [--top] [--write-docs]` (strict: any other option, or a second folder, is an error naming it). */
export function parseBundleArgs(argv: readonly string[]): BundleArgs {
  const { values, positionals } = parseOptions(argv, { measures: { type: "boolean" }, top: { type: "boolean" }, "write-docs": { type: "boolean" } }, true);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]} (one output folder at most)`);
  return { outDir: positionals[0] ?? DEFAULT_OUT_DIR, measures: values.measures === true, top: values.top === true, writeDocs: values["write-docs"] === true };
}

function main(args: BundleArgs): number {
  const { outDir } = args;
  const values = { measures: args.measures, top: args.top, "write-docs": args.writeDocs };
  if (values.measures) {
    const rows: string[][] = [];
    for (const step of MEASURE_STEPS) {
      const built = bundleHandlers({ outDir: path.join(outDir, ".measures"), measures: step.measures });
      rows.push([step.label, ...HANDLER_NAMES.map((n) => String(built[n].bytes))]);
    }
    fs.rmSync(path.join(outDir, ".measures"), { recursive: true, force: true });
    console.log(`| measure | ${HANDLER_NAMES.join(" | ")} |`);
    console.log(`|---|${HANDLER_NAMES.map(() => "---:").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log("");
  }
  const built = bundleHandlers({ outDir });
  const floors = bundleFloors();
  const report = [
    ...budgetTable(HANDLER_NAMES.map((name) => ({ name, bytes: built[name].bytes, floorBytes: floors[name].bytes }))),
    "",
    ...compositionTable(HANDLER_NAMES.map((name) => ({ name, metafile: built[name].metafile, floor: floors[name].metafile }))),
  ];
  console.log(report.join("\n"));
  if (values.top) {
    for (const name of HANDLER_NAMES) {
      console.log(`\n${name}: every package`);
      for (const [pkg, bytes] of bytesByPackage(built[name].metafile)) console.log(`  ${String(bytes).padStart(8)}  ${pkg}`);
    }
  }
  if (values["write-docs"]) fs.writeFileSync(DOC, replaceBlock(fs.readFileSync(DOC, "utf8"), "bundle", report.join("\n")));
  const over = HANDLER_NAMES.filter((n) => built[n].bytes > bundleBudget(floors[n].bytes));
  if (over.length > 0) console.error(`over budget: ${over.join(", ")}`);
  return over.length > 0 ? 1 : 0;
}

if (require.main === module) {
  let args: BundleArgs;
  try {
    args = parseBundleArgs(process.argv.slice(2));
  } catch (e) {
    exitOnUsageError("bundle", e);
  }
  process.exitCode = main(args);
}
