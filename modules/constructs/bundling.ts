/**
 * Bundles the three Lambda handlers (lambda-src/handlers/{start,analyze,reconcile}.ts) into one minified ESM file
 * each: `<outDir>/<name>/index.mjs`, Lambda handler `index.handler`, runtime nodejs22.x.
 *
 * Synchronous on purpose (esbuild `buildSync`): the infrastructure calls {@link bundleLambdas} while `cdktf synth`
 * constructs the stacks. The AWS SDK v3 clients are bundled (not taken from the runtime's copy), so the deployed
 * code runs exactly the SDK version pinned in package-lock.json.
 *
 * Output is deterministic (same sources -> same bytes), which keeps the Terraform asset hash stable.
 *
 * Bundle-size measures (env-only credentials and Bedrock bearer token, tree-shakable SDK schemas, slim
 * package.json, named errors only, no event streams, HTTP/1.1 only) live in ./bundle-size-measures.ts; each is
 * documented in docs/benchmarks.md with its measured effect. Each bundle's budget is in ./bundle-floor.ts.
 * Always on: minify, tree shaking, no legal comments, `drop: ["debugger"]`, no source maps.
 *
 * CLI: `npm run bundle` (scripts/bundle-lambdas.ts) prints bytes, budgets and composition.
 */
import { buildSync, type BuildOptions, type Metafile } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { HANDLER_NAMES, type HandlerName, handlerSource } from "../../lambda-src/contracts/handlers";
import { ALL_MEASURES, measureAliases, type SizeMeasures } from "./bundle-size-measures";

export interface LambdaBundle {
  /** Folder holding `index.mjs` (the Lambda asset directory). */
  readonly dir: string;
  /** Absolute path of `index.mjs`. */
  readonly file: string;
  /** Raw size of `index.mjs` in bytes. */
  readonly bytes: number;
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "dist", "lambda");

/**
 * Lambda ESM has no `require`; some dependencies are CommonJS and call `require("node:...")`. esbuild's ESM
 * output then needs a real `require`, which createRequire provides. Aliased names avoid clashes with bundled code.
 */
const CREATE_REQUIRE_BANNER = 'import { createRequire as __cciCreateRequire } from "node:module"; const require = __cciCreateRequire(import.meta.url);';

export interface BundleOptions {
  readonly outDir?: string;
  /** Entry file per handler; defaults to lambda-src/handlers/<name>.ts. */
  readonly entries?: Partial<Record<HandlerName, string>>;
  readonly measures?: SizeMeasures;
  /**
   * Baseline for the benchmark: dependencies are NOT bundled (`packages: "external"`), so they load from
   * node_modules at run time. outDir must then be inside the repository (node resolution walks up to it).
   */
  readonly packagesExternal?: boolean;
}

export interface BundleResult extends LambdaBundle {
  readonly metafile: Metafile;
}

/** Default entries: lambda-src/handlers/<name>.ts. */
export function defaultEntries(): Record<HandlerName, string> {
  const out = {} as Record<HandlerName, string>;
  for (const name of HANDLER_NAMES) out[name] = path.join(REPO_ROOT, handlerSource(name));
  return out;
}

/** The esbuild options for one handler (exported so tests and the benchmark see the exact configuration). */
export function esbuildOptions(entry: string, outfile: string, opts: BundleOptions = {}): BuildOptions {
  const measures = opts.measures ?? ALL_MEASURES;
  return {
    entryPoints: [entry],
    outfile,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    treeShaking: true,
    mainFields: ["module", "main"],
    conditions: ["module"],
    banner: { js: CREATE_REQUIRE_BANNER },
    sourcemap: false,
    legalComments: "none",
    drop: ["debugger"],
    charset: "utf8",
    metafile: true,
    logLevel: "silent",
    ...(opts.packagesExternal ? { packages: "external" as const } : { alias: measureAliases(measures, REPO_ROOT) }),
  };
}

/** Bundles one handler into `<outDir>/<name>/index.mjs`; returns the output and esbuild's metafile. */
function buildOne(name: HandlerName, entry: string, outDir: string, opts: BundleOptions): BundleResult {
  const dir = path.join(outDir, name);
  const file = path.join(dir, "index.mjs");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const built = buildSync(esbuildOptions(path.resolve(entry), file, opts));
  if (built.errors.length > 0) {
    throw new Error(`esbuild failed for ${name}: ${built.errors.map((e) => e.text).join("; ")}`);
  }
  if (!built.metafile) throw new Error(`esbuild returned no metafile for ${name} (esbuildOptions sets metafile: true)`);
  return { dir, file, bytes: fs.statSync(file).size, metafile: built.metafile };
}

/** Bundles the handlers; returns per handler the output and esbuild's metafile. */
export function bundleHandlers(opts: BundleOptions = {}): Record<HandlerName, BundleResult> {
  const outDir = path.resolve(opts.outDir ?? DEFAULT_OUT_DIR);
  const entries = { ...defaultEntries(), ...opts.entries };
  const result = {} as Record<HandlerName, BundleResult>;
  for (const name of HANDLER_NAMES) result[name] = buildOne(name, entries[name], outDir, opts);
  return result;
}

const built = new Map<HandlerName, LambdaBundle>();
/**
 * The function construct's entry point: bundles one handler into `dist/lambda/<name>/index.mjs`, once per process
 * (synth of several stacks builds each handler once).
 */
export function bundleHandler(name: HandlerName): LambdaBundle {
  let b = built.get(name);
  if (!b) {
    const r = buildOne(name, defaultEntries()[name], DEFAULT_OUT_DIR, {});
    b = { dir: r.dir, file: r.file, bytes: r.bytes };
    built.set(name, b);
  }
  return b;
}

/** All handlers at once (tests, benchmarks): `<outDir>/<name>/index.mjs`. */
export function bundleLambdas(outDir: string = DEFAULT_OUT_DIR): Record<HandlerName, LambdaBundle> {
  const all = bundleHandlers({ outDir });
  const out = {} as Record<HandlerName, LambdaBundle>;
  for (const name of HANDLER_NAMES) out[name] = { dir: all[name].dir, file: all[name].file, bytes: all[name].bytes };
  return out;
}

/**
 * A function package with data files beside the bundle (the analyze function's category rules): a folder
 * `<bundle folder>+<content hash>/` holding a copy of `index.mjs` and the files. Named by content, so two synths
 * of the same code and data share one folder and one asset hash, and stacks with different data never collide.
 */
export function packageWithFiles(bundle: LambdaBundle, files: Readonly<Record<string, string>>): LambdaBundle {
  const names = Object.keys(files).sort();
  if (names.length === 0) return bundle;
  for (const n of names)
    if (n === "index.mjs" || n !== path.basename(n)) throw new Error(`packageWithFiles: "${n}" must be a plain file name other than index.mjs`);
  const code = fs.readFileSync(bundle.file);
  const hash = createHash("sha256").update(code);
  for (const n of names) hash.update(`\0${n}\0${files[n]}`);
  const dir = `${bundle.dir}+${hash.digest("hex").slice(0, 16)}`;
  const file = path.join(dir, "index.mjs");
  if (!fs.existsSync(file)) {
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, "index.mjs"), code);
    for (const n of names) fs.writeFileSync(path.join(tmp, n), files[n]);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another process wrote the same content-named folder first.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(file)) throw e;
    }
  }
  return { dir, file, bytes: bundle.bytes };
}
