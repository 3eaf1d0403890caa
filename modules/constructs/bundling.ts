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
 * Bundle-size measures (each documented in docs/benchmarks.md with its measured effect; none changes behaviour
 * inside Lambda):
 *  1. `envOnlyCredentials`: `@aws-sdk/credential-provider-node` (the default chain: env, SSO, ini, process,
 *     web identity, ECS/IMDS, plus the STS/SSO/sign-in clients they need) is aliased to a tiny module that
 *     resolves credentials from the environment only (`fromEnv` of `@aws-sdk/credential-provider-env`). Lambda
 *     always sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN for the function's role, and the
 *     default chain would pick exactly those (its first link) anyway. Consequence: running a bundle OUTSIDE
 *     Lambda needs credentials in those variables (no profiles/SSO).
 *  2. `treeShakeSchemas`: each client's generated `schemas/schemas_*.js` declares every operation and structure
 *     of the service as `export var X$ = [..., { [_h]: ... }, ...]`. The computed keys (`[_h]`, identifiers of
 *     module-level string constants) make esbuild treat every declaration as possibly side-effecting, so the
 *     schemas of all ~100-200 operations of S3/SSM/... were kept although a handler sends a handful. We bundle
 *     a copy of the client's `dist-es` in which those computed keys are replaced by the constants' string
 *     values (`{ "http": ... }`, the same object), so unused schemas can be dropped. Error schemas stay: they
 *     are registered in the TypeRegistry at load time (side effect), so error deserialization is unchanged.
 *  2b. `envOnlyBearerToken`: the Bedrock Runtime client's optional bearer-token auth imports
 *     `@aws-sdk/token-providers`, whose `nodeProvider` reads the SSO token cache in ~/.aws and bundles an SSO-OIDC
 *     client. Aliased to a module keeping the real `fromEnvSigningName` (AWS_BEARER_TOKEN_BEDROCK) and a
 *     `nodeProvider` that reports "no token" (what the real one does in Lambda, where ~/.aws does not exist).
 *     SigV4 with the execution role (the normal path) is unaffected.
 *  3. `slimPackageJson`: clients import their package.json for `version` only (user agent). The copy's
 *     package.json keeps just `name` and `version`.
 *  Always on: minify, tree shaking, no legal comments, `drop: ["debugger"]`, no source maps.
 *
 * CLI (scripts/bundle-lambdas.ts): `npx tsx scripts/bundle-lambdas.ts [outDir]` prints name/bytes; `--measures` prints the size after each
 * cumulative measure.
 */
import { buildSync, type BuildOptions, type Metafile } from "esbuild";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { HANDLER_NAMES, type HandlerName, handlerSource } from "../../lambda-src/contracts/handlers";

export interface LambdaBundle {
  /** Folder holding `index.mjs` (the Lambda asset directory). */
  readonly dir: string;
  /** Absolute path of `index.mjs`. */
  readonly file: string;
  /** Raw size of `index.mjs` in bytes. */
  readonly bytes: number;
}

export interface SizeMeasures {
  readonly envOnlyCredentials: boolean;
  readonly envOnlyBearerToken: boolean;
  readonly treeShakeSchemas: boolean;
  readonly slimPackageJson: boolean;
}

export const ALL_MEASURES: SizeMeasures = {
  envOnlyCredentials: true,
  envOnlyBearerToken: true,
  treeShakeSchemas: true,
  slimPackageJson: true,
};
export const NO_MEASURES: SizeMeasures = {
  envOnlyCredentials: false,
  envOnlyBearerToken: false,
  treeShakeSchemas: false,
  slimPackageJson: false,
};

/** Size budget per bundle: 400 KB (decimal, the stricter reading) of raw index.mjs bytes; asserted by __tests__/bundle. */
export const BUNDLE_BUDGET_BYTES = 400_000;

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "dist", "lambda");
const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
/** Generated, patched copies of SDK clients; under node_modules so their own imports resolve from there. */
const CACHE_DIR = path.join(REPO_ROOT, "dist", "sdk-patched");
/** Bump when the patching below changes, so stale copies are not reused. */
const PATCH_VERSION = "1";

/**
 * Lambda ESM has no `require`; some dependencies are CommonJS and call `require("node:...")`. esbuild's ESM
 * output then needs a real `require`, which createRequire provides. Aliased names avoid clashes with bundled code.
 */
const CREATE_REQUIRE_BANNER = 'import { createRequire as __cciCreateRequire } from "node:module"; const require = __cciCreateRequire(import.meta.url);';

const ENV_ONLY_CREDENTIALS_SOURCE = `// Generated by modules/constructs/bundling.ts: Lambda-only replacement for @aws-sdk/credential-provider-node.
// Lambda sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN for the execution role; the default
// chain's first link (fromEnv) returns exactly these. The other links (SSO, ini, process, web identity, IMDS/ECS)
// never apply inside Lambda and are not bundled.
import { fromEnv } from "@aws-sdk/credential-provider-env";
export const defaultProvider = (init = {}) => fromEnv(init);
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;
`;

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

/** Inlines module-level string constants used as computed object keys (`[_h]:` -> `"http":`). */
export function inlineComputedStringKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const ([A-Za-z_$][\w$]*) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
    constants.set(m[1], m[2]);
  }
  return source.replace(/\[([A-Za-z_$][\w$]*)\](\s*:)/g, (whole, name: string, colon: string) => {
    const literal = constants.get(name);
    return literal === undefined ? whole : `${literal}${colon}`;
  });
}

function hashOf(...parts: string[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 12);
}

/** Writes `dir` atomically (build in a temp folder, rename); concurrent builders (jest workers) are fine. */
function materialize(dir: string, fill: (tmp: string) => void): void {
  if (fs.existsSync(path.join(dir, ".complete"))) return;
  const tmp = `${dir}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
    fs.writeFileSync(path.join(tmp, ".complete"), "");
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      if (!fs.existsSync(path.join(dir, ".complete"))) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function sdkClientPackages(): string[] {
  const scope = path.join(NODE_MODULES, "@aws-sdk");
  return fs
    .readdirSync(scope)
    .filter((d) => d.startsWith("client-") && fs.existsSync(path.join(scope, d, "dist-es", "index.js")))
    .sort();
}

/** Creates (once per version) the patched copy of one client; returns the path of its ESM entry. */
function patchedClient(pkgDir: string, measures: SizeMeasures): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, pkgDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    sideEffects?: unknown;
  };
  const key = hashOf(PATCH_VERSION, pkg.version, String(measures.treeShakeSchemas), String(measures.slimPackageJson));
  const dir = path.join(CACHE_DIR, `${path.basename(pkgDir)}-${key}`);
  materialize(dir, (tmp) => {
    const src = path.join(NODE_MODULES, pkgDir);
    fs.cpSync(path.join(src, "dist-es"), path.join(tmp, "dist-es"), { recursive: true });
    if (measures.slimPackageJson) {
      // `sideEffects: false` must stay: it lets esbuild drop whole unused modules.
      fs.writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ name: pkg.name, version: pkg.version, sideEffects: pkg.sideEffects ?? false }));
    } else {
      fs.copyFileSync(path.join(src, "package.json"), path.join(tmp, "package.json"));
    }
    if (measures.treeShakeSchemas) {
      const schemasDir = path.join(tmp, "dist-es", "schemas");
      if (fs.existsSync(schemasDir)) {
        for (const f of fs.readdirSync(schemasDir).filter((n) => n.endsWith(".js"))) {
          const file = path.join(schemasDir, f);
          fs.writeFileSync(file, inlineComputedStringKeys(fs.readFileSync(file, "utf8")));
        }
      }
    }
  });
  return path.join(dir, "dist-es", "index.js");
}

/** Writes a generated module into the cache (content-addressed) and returns its path. */
function generatedModule(name: string, source: string): string {
  const dir = path.join(CACHE_DIR, `${name}-${hashOf(source)}`);
  materialize(dir, (tmp) => fs.writeFileSync(path.join(tmp, "index.mjs"), source));
  return path.join(dir, "index.mjs");
}

function envOnlyTokenProvidersSource(): string {
  // The real module, by absolute path: the alias below also matches `@aws-sdk/token-providers/...` subpaths.
  const real = path.join(NODE_MODULES, "@aws-sdk", "token-providers", "dist-es", "fromEnvSigningName.js");
  return `// Generated by modules/constructs/bundling.ts: Lambda-only replacement for @aws-sdk/token-providers (imported by
// the Bedrock Runtime client for its optional bearer-token auth). fromEnvSigningName (AWS_BEARER_TOKEN_BEDROCK) is
// the real one; nodeProvider (SSO token cache in ~/.aws, refreshed through an SSO-OIDC client) cannot apply inside
// Lambda and fails like the real chain does when no token is found.
import { TokenProviderError } from "@smithy/core/config";
export { fromEnvSigningName } from ${JSON.stringify(real)};
export const nodeProvider = (init = {}) => async () => {
  throw new TokenProviderError("No bearer token: only AWS_BEARER_TOKEN_<SERVICE> is supported in this bundle", {
    logger: init.logger,
  });
};
`;
}

/** esbuild alias map implementing the measures. */
export function measureAliases(measures: SizeMeasures): Record<string, string> {
  const alias: Record<string, string> = {};
  if (measures.envOnlyCredentials) {
    alias["@aws-sdk/credential-provider-node"] = generatedModule("credential-provider-env-only", ENV_ONLY_CREDENTIALS_SOURCE);
  }
  if (measures.envOnlyBearerToken) {
    alias["@aws-sdk/token-providers"] = generatedModule("token-providers-env-only", envOnlyTokenProvidersSource());
  }
  if (measures.treeShakeSchemas || measures.slimPackageJson) {
    for (const client of sdkClientPackages()) alias[`@aws-sdk/${client}`] = patchedClient(`@aws-sdk/${client}`, measures);
  }
  return alias;
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
    ...(opts.packagesExternal ? { packages: "external" as const } : { alias: measureAliases(measures) }),
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
  return { dir, file, bytes: fs.statSync(file).size, metafile: built.metafile! };
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

/** Bytes in the output per npm package (or source file outside node_modules), largest first. */
export function bytesByPackage(metafile: Metafile): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const copy = /dist\/sdk-patched\/([^/]+)-[0-9a-f]{12}\//.exec(input);
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      let key = copy ? `@aws-sdk/${copy[1]} (patched copy)` : m ? m[1] : input;
      if (copy && /-env-only$/.test(copy[1])) key = `(${copy[1]} shim)`;
      totals.set(key, (totals.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

/** The cumulative measure steps used for the before/after report. */
export const MEASURE_STEPS: ReadonlyArray<{ label: string; measures: SizeMeasures }> = [
  { label: "baseline (minify, tree shaking only)", measures: NO_MEASURES },
  { label: "+ env-only credentials", measures: { ...NO_MEASURES, envOnlyCredentials: true } },
  { label: "+ env-only Bedrock bearer token", measures: { ...NO_MEASURES, envOnlyCredentials: true, envOnlyBearerToken: true } },
  {
    label: "+ tree-shakable schemas",
    measures: { ...NO_MEASURES, envOnlyCredentials: true, envOnlyBearerToken: true, treeShakeSchemas: true },
  },
  { label: "+ slim package.json", measures: ALL_MEASURES },
];
