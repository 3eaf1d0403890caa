/**
 * `npm run bundle`: builds the Lambda bundles (modules/constructs/bundling.ts) and prints their sizes.
 * `[outDir]` (default dist/lambda), `--measures` (size after each cumulative measure), `--top` (largest packages).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HANDLER_NAMES } from "../lambda-src/contracts/handlers";
import { bytesByPackage, MEASURE_STEPS } from "../modules/constructs/bundle-size-measures";
import { BUNDLE_BUDGET_BYTES, bundleHandlers, DEFAULT_OUT_DIR } from "../modules/constructs/bundling";

function main(argv: string[]): void {
  const measuresReport = argv.includes("--measures");
  const outDir = argv.find((a) => !a.startsWith("--")) ?? DEFAULT_OUT_DIR;
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
  if (argv.includes("--top")) {
    for (const name of HANDLER_NAMES) {
      console.log(`\n${name}: largest packages`);
      for (const [pkg, bytes] of bytesByPackage(built[name].metafile).slice(0, 15)) console.log(`  ${String(bytes).padStart(8)}  ${pkg}`);
    }
  }
}

if (require.main === module) main(process.argv.slice(2));
