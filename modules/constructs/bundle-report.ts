/**
 * What `npm run bundle` prints and docs/benchmarks.md shows: each bundle's bytes against its budget
 * (./bundle-floor.ts) and its composition by package (esbuild metafile), our own code in one row.
 */
import type { Metafile } from "esbuild";
import type { HandlerName } from "../../lambda-src/contracts/handlers";
import { BUNDLE_BUDGET_BYTES, bundleBudget, FLOOR_HEADROOM } from "./bundle-floor";

/** Bytes in the output per package (our own code in one row), largest first. */
export function bytesByPackage(metafile: Metafile): Array<[string, number]> {
  return [...totalsByPackage(metafile)].sort((a, b) => b[1] - a[1]);
}

/** The package a metafile input belongs to; every lambda-src file is "lambda-src (ours)". */
export function packageOf(input: string): string {
  if (input.startsWith("lambda-src/")) return "lambda-src (ours)";
  const copy = /dist\/sdk-patched\/([^/]+)-[0-9a-f]{12}\//.exec(input);
  if (copy) return /-(env-only|none|http1)$/.test(copy[1]) ? `(${copy[1]} shim)` : `@aws-sdk/${copy[1]}`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1] : input;
}

/** The sizes table: bytes, measured floor, budget and room left per handler. */
export function budgetTable(rows: ReadonlyArray<{ name: HandlerName; bytes: number; floorBytes: number }>): string[] {
  const out = [`| bundle | bytes | SDK floor | floor + ${FLOOR_HEADROOM * 100} % | budget | left | |`, "|---|---:|---:|---:|---:|---:|---|"];
  for (const r of rows) {
    const budget = bundleBudget(r.floorBytes);
    const rule = budget === BUNDLE_BUDGET_BYTES ? "300 KB target" : "floor + 10 %";
    out.push(
      `| ${r.name} | ${r.bytes} | ${r.floorBytes} | ${Math.ceil(r.floorBytes * (1 + FLOOR_HEADROOM))} | ${budget} (${rule}) | ${budget - r.bytes} | ${r.bytes <= budget ? "ok" : "OVER"} |`,
    );
  }
  return out;
}

/** The composition table: bytes per package and bundle, largest first; packages under `minBytes` in every bundle are summed as "other". */
export function compositionTable(bundles: ReadonlyArray<{ name: HandlerName; metafile: Metafile; floor: Metafile }>, minBytes = 3000): string[] {
  const per = bundles.map((b) => ({ name: b.name, bytes: totalsByPackage(b.metafile), floor: totalsByPackage(b.floor) }));
  const packages = [...new Set(per.flatMap((p) => [...p.bytes.keys()]))];
  const big = packages.filter((k) => per.some((p) => (p.bytes.get(k) ?? 0) >= minBytes)).sort((a, b) => sum(per, b) - sum(per, a));
  const out = [`| package | ${per.map((p) => p.name).join(" | ")} | in the floor |`, `|---|${per.map(() => "---:").join("|")}|---|`];
  for (const k of big) out.push(`| ${k} | ${per.map((p) => p.bytes.get(k) ?? 0).join(" | ")} | ${per.some((p) => p.floor.has(k)) ? "yes" : "no"} |`);
  out.push(
    `| other (${packages.length - big.length} packages, each < ${minBytes} B) | ${per.map((p) => [...p.bytes].filter(([k]) => !big.includes(k)).reduce((a, [, v]) => a + v, 0)).join(" | ")} | |`,
  );
  return out;
}

function totalsByPackage(metafile: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      if (input.startsWith("dist/bundle-floor-src/")) continue;
      totals.set(packageOf(input), (totals.get(packageOf(input)) ?? 0) + info.bytesInOutput);
    }
  }
  return totals;
}

const sum = (per: ReadonlyArray<{ bytes: Map<string, number> }>, k: string): number => per.reduce((a, p) => a + (p.bytes.get(k) ?? 0), 0);
