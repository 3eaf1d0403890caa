/**
 * Bundle-size measures of the Lambda bundler (./bundling.ts): esbuild aliases that replace parts of the AWS SDK v3
 * with smaller, Lambda-only equivalents, the patched SDK client copies they point to, and the size report helpers.
 *
 * Each measure is documented in docs/benchmarks.md with its measured effect; none changes behaviour inside Lambda:
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
 *     package.json keeps just `name`, `version` and `sideEffects`.
 *  4. `namedErrorsOnly`: each client registers a class and a schema for every modeled error of its service at load
 *     time (SSM: 141 errors, about 60 KB of the start bundle). The copy registers only the errors the handlers name
 *     (a string literal in lambda-src, see {@link errorNamesInSource}) and those with a `$retryable` trait. Any
 *     other error is thrown by the SDK's own fallback (`ProtocolLib.getErrorSchemaOrThrowBaseException`): the
 *     service's base exception with the same `name`, `message`, `$fault` and `$metadata`; the handlers decide by
 *     `name` and HTTP status only (lambda-src/core/errors.ts), never by `instanceof`, so their behaviour is the same.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENV_ONLY_CREDENTIALS_SOURCE, envOnlyTokenProvidersSource, http1OnlySource, noEventStreamsSource } from "./bundle-shims";

export interface SizeMeasures {
  readonly envOnlyCredentials: boolean;
  readonly envOnlyBearerToken: boolean;
  readonly treeShakeSchemas: boolean;
  readonly slimPackageJson: boolean;
  readonly namedErrorsOnly: boolean;
  readonly noEventStreams: boolean;
  readonly http1Only: boolean;
}

export const ALL_MEASURES: SizeMeasures = {
  envOnlyCredentials: true,
  envOnlyBearerToken: true,
  treeShakeSchemas: true,
  slimPackageJson: true,
  namedErrorsOnly: true,
  noEventStreams: true,
  http1Only: true,
};
export const NO_MEASURES: SizeMeasures = {
  envOnlyCredentials: false,
  envOnlyBearerToken: false,
  treeShakeSchemas: false,
  slimPackageJson: false,
  namedErrorsOnly: false,
  noEventStreams: false,
  http1Only: false,
};

/** The cumulative measure steps used for the before/after report. */
export const MEASURE_STEPS: ReadonlyArray<{ label: string; measures: SizeMeasures }> = [
  { label: "baseline (minify, tree shaking only)", measures: NO_MEASURES },
  { label: "+ env-only credentials", measures: { ...NO_MEASURES, envOnlyCredentials: true } },
  { label: "+ env-only Bedrock bearer token", measures: { ...NO_MEASURES, envOnlyCredentials: true, envOnlyBearerToken: true } },
  {
    label: "+ tree-shakable schemas",
    measures: { ...NO_MEASURES, envOnlyCredentials: true, envOnlyBearerToken: true, treeShakeSchemas: true },
  },
  { label: "+ slim package.json", measures: { ...ALL_MEASURES, namedErrorsOnly: false, noEventStreams: false, http1Only: false } },
  { label: "+ named errors only", measures: { ...ALL_MEASURES, noEventStreams: false, http1Only: false } },
  { label: "+ no event streams", measures: { ...ALL_MEASURES, http1Only: false } },
  { label: "+ HTTP/1.1 only", measures: ALL_MEASURES },
];

/** Where the measures read the installed SDK and write their generated modules and patched copies. */
interface SdkDirs {
  readonly nodeModules: string;
  /** Generated, patched copies of SDK clients; inside the repository so their own imports resolve from its node_modules. */
  readonly cacheDir: string;
}

function sdkDirs(repoRoot: string): SdkDirs {
  return { nodeModules: path.join(repoRoot, "node_modules"), cacheDir: path.join(repoRoot, "dist", "sdk-patched") };
}

/** Bump when the patching below changes, so stale copies are not reused. */
const PATCH_VERSION = "2";

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

/**
 * The error names the handlers can tell apart: every string literal in lambda-src that looks like a type name
 * (`"ConflictException"`, `"NoSuchKey"`). A handler that starts testing a new error name gets it registered by
 * writing the name, with nothing else to keep in step.
 */
export function errorNamesInSource(repoRoot: string): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) for (const m of fs.readFileSync(p, "utf8").matchAll(/["'`]([A-Z][A-Za-z0-9]+)["'`]/g)) names.add(m[1]);
    }
  };
  walk(path.join(repoRoot, "lambda-src"));
  return [...names].sort();
}

/**
 * Drops the load-time registration of every modeled error not in `keep` and without a `$retryable` trait from a
 * client's schemas module (`n0_registry.registerError(X$, X);`), so the error's class and schema can be
 * tree-shaken. `errorsSource` is the client's `models/errors.js`, read for the `$retryable` traits.
 */
export function keepNamedErrors(schemasSource: string, errorsSource: string, keep: ReadonlySet<string>): string {
  const retryable = new Set<string>();
  for (const m of errorsSource.matchAll(/export class (\w+) extends[^{]*\{([\s\S]*?)\n\}/g)) if (/\$retryable\s*=/.test(m[2])) retryable.add(m[1]);
  return schemasSource.replace(/^(\w+_registry)\.registerError\((\w+)\$, (\w+)\);\n/gm, (line, registry: string, _schema: string, ctor: string) =>
    registry === "_s_registry" || keep.has(ctor) || retryable.has(ctor) ? line : "",
  );
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

function sdkClientPackages(dirs: SdkDirs): string[] {
  const scope = path.join(dirs.nodeModules, "@aws-sdk");
  return fs
    .readdirSync(scope)
    .filter((d) => d.startsWith("client-") && fs.existsSync(path.join(scope, d, "dist-es", "index.js")))
    .sort();
}

/** Creates (once per version) the patched copy of one client; returns the path of its ESM entry. */
function patchedClient(dirs: SdkDirs, pkgDir: string, measures: SizeMeasures, keepErrors: readonly string[]): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(dirs.nodeModules, pkgDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    sideEffects?: unknown;
  };
  const kept = measures.namedErrorsOnly ? keepErrors.join(",") : "*";
  const key = hashOf(PATCH_VERSION, pkg.version, String(measures.treeShakeSchemas), String(measures.slimPackageJson), kept);
  const dir = path.join(dirs.cacheDir, `${path.basename(pkgDir)}-${key}`);
  materialize(dir, (tmp) => {
    const src = path.join(dirs.nodeModules, pkgDir);
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
    if (measures.namedErrorsOnly) {
      const schemasDir = path.join(tmp, "dist-es", "schemas");
      const errorsFile = path.join(tmp, "dist-es", "models", "errors.js");
      if (fs.existsSync(schemasDir) && fs.existsSync(errorsFile)) {
        const errors = fs.readFileSync(errorsFile, "utf8");
        const keep = new Set(keepErrors);
        for (const f of fs.readdirSync(schemasDir).filter((n) => n.endsWith(".js"))) {
          const file = path.join(schemasDir, f);
          fs.writeFileSync(file, keepNamedErrors(fs.readFileSync(file, "utf8"), errors, keep));
        }
      }
    }
  });
  return path.join(dir, "dist-es", "index.js");
}

/** Writes a generated module into the cache (content-addressed) and returns its path. */
function generatedModule(dirs: SdkDirs, name: string, source: string): string {
  const dir = path.join(dirs.cacheDir, `${name}-${hashOf(source)}`);
  materialize(dir, (tmp) => fs.writeFileSync(path.join(tmp, "index.mjs"), source));
  return path.join(dir, "index.mjs");
}

/** esbuild alias map implementing the measures, for a build whose dependencies are installed in `<repoRoot>/node_modules`. */
export function measureAliases(measures: SizeMeasures, repoRoot: string): Record<string, string> {
  const dirs = sdkDirs(repoRoot);
  const alias: Record<string, string> = {};
  if (measures.envOnlyCredentials) {
    alias["@aws-sdk/credential-provider-node"] = generatedModule(dirs, "credential-provider-env-only", ENV_ONLY_CREDENTIALS_SOURCE);
  }
  if (measures.envOnlyBearerToken) {
    alias["@aws-sdk/token-providers"] = generatedModule(dirs, "token-providers-env-only", envOnlyTokenProvidersSource(dirs.nodeModules));
  }
  if (measures.http1Only) {
    alias["@smithy/node-http-handler"] = generatedModule(dirs, "node-http-handler-http1", http1OnlySource(dirs.nodeModules));
  }
  if (measures.noEventStreams) {
    const stub = generatedModule(dirs, "event-streams-none", noEventStreamsSource(dirs.nodeModules));
    alias["@smithy/core/event-streams"] = stub;
    alias["@aws-sdk/eventstream-handler-node"] = stub;
  }
  if (measures.treeShakeSchemas || measures.slimPackageJson || measures.namedErrorsOnly) {
    const keepErrors = measures.namedErrorsOnly ? errorNamesInSource(repoRoot) : [];
    for (const client of sdkClientPackages(dirs)) alias[`@aws-sdk/${client}`] = patchedClient(dirs, `@aws-sdk/${client}`, measures, keepErrors);
  }
  return alias;
}
