/**
 * `npm run bundle`: builds the Lambda bundles (modules/constructs/bundling.ts) and prints their sizes.
 * `[outDir]` (default dist/lambda), `--measures` (size after each cumulative measure), `--top` (largest packages).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HANDLER_NAMES } from "../lambda-src/contracts/handlers";
import { bytesByPackage, MEASURE_STEPS } from "../modules/constructs/bundle-size-measures";
import { BUNDLE_BUDGET_BYTES, bundleHandlers, DEFAULT_OUT_DIR } from "../modules/constructs/bundling";
import { exitOnUsageError, parseOptions, UsageError } from "./args";

/** `[outDir] [--measures] [--top]` (strict: any other option, or a second folder, is an error naming it). */
export function parseBundleArgs(argv: readonly string[]): { outDir: string; measures: boolean; top: boolean } {
  const { values, positionals } = parseOptions(argv, { measures: { type: "boolean" }, top: { type: "boolean" } }, true);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]} (one output folder at most)`);
  return { outDir: positionals[0] ?? DEFAULT_OUT_DIR, measures: values.measures === true, top: values.top === true };
}

function main({ outDir, measures: measuresReport, top }: ReturnType<typeof parseBundleArgs>): void {
  if (measuresReport) {
    const rows: string[][] = [];
    for (const step of MEASURE_STEPS) {
      const built = bundleHandlers({ outDir: path.join(outDir, ".measures"), measures: step.measures });
      rows.push([step.label, ...HANDLER_NAMES.map((n) => String(built[n].bytes))]);
    }
    fs.rmSync(path.join(outDir, ".measures"), { recursive: true, force: true });
    console.log(`| measure | ${HANDLER_NAMES.join(" | ")} |`);
    console.log(`|---|${HANDLER_NAMES.map(() => "---:").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  }
  const built = bundleHandlers({ outDir });
  console.log(`\n| handler | bytes | KiB | budget ${BUNDLE_BUDGET_BYTES / 1000} KB |`);
  console.log("|---|---:|---:|---|");
  for (const name of HANDLER_NAMES) {
    const b = built[name];
    console.log(`| ${name} | ${b.bytes} | ${(b.bytes / 1024).toFixed(1)} | ${b.bytes <= BUNDLE_BUDGET_BYTES ? "ok" : "OVER"} |`);
  }
  if (top) {
    for (const name of HANDLER_NAMES) {
      console.log(`\n${name}: largest packages`);
      for (const [pkg, bytes] of bytesByPackage(built[name].metafile).slice(0, 15)) console.log(`  ${String(bytes).padStart(8)}  ${pkg}`);
    }
  }
}

if (require.main === module) {
  let options: ReturnType<typeof parseBundleArgs>;
  try {
    options = parseBundleArgs(process.argv.slice(2));
  } catch (e) {
    exitOnUsageError("bundle", e);
  }
  main(options);
}
