/**
 * The Lambda bundles (scripts/bundle-lambdas.ts): build, ESM with an exported handler, self-contained (AWS SDK
 * bundled, no infrastructure code), no source maps, deterministic, within the size budget.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { builtinModules } from "node:module";
import { pathToFileURL } from "node:url";
import { inlineComputedStringKeys, NO_MEASURES } from "../../modules/constructs/bundle-size-measures";
import { bundleBudget, bundleFloors, type FloorBundle } from "../../modules/constructs/bundle-floor";
import { bundleHandlers, bundleLambdas, REPO_ROOT, type BundleResult } from "../../modules/constructs/bundling";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { HANDLER_ENVIRONMENT } from "../../lambda-src/contracts/environment";
import { analyzeEvent, contractEnv } from "../../bench/events";

/** The deployed handlers; until one exists, its benchmark stand-in (bench/fixtures) keeps the checks running. */
const entries = {} as Record<HandlerName, string>;
for (const name of HANDLER_NAMES) {
  const real = path.join(REPO_ROOT, "lambda-src", "handlers", `${name}.ts`);
  entries[name] = fs.existsSync(real) ? real : path.join(REPO_ROOT, "bench", "fixtures", "handlers", `${name}.ts`);
}

const sha256 = (file: string): string => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

let tmp: string;
let built: Record<HandlerName, BundleResult>;
let floors: Record<HandlerName, FloorBundle>;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-bundle-test-"));
  built = bundleHandlers({ outDir: path.join(tmp, "a"), entries });
  floors = bundleFloors(path.join(tmp, "floor"));
}, 60_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.each(HANDLER_NAMES)("%s bundle", (name) => {
  it("is <outDir>/<name>/index.mjs and nothing else (no source map shipped)", () => {
    const b = built[name];
    expect(b.file).toBe(path.join(tmp, "a", name, "index.mjs"));
    expect(b.dir).toBe(path.dirname(b.file));
    expect(fs.readdirSync(b.dir)).toEqual(["index.mjs"]);
    expect(b.bytes).toBe(fs.statSync(b.file).size);
    expect(fs.readFileSync(b.file, "utf8")).not.toMatch(/sourceMappingURL/);
  });

  it("is within its size budget: 300 KB, or its measured SDK floor + 10 % when that is larger (bundle-floor.ts)", () => {
    expect(built[name].bytes).toBeLessThanOrEqual(bundleBudget(floors[name].bytes));
  });

  it("bundles the AWS SDK and imports nothing but Node built-ins", () => {
    const output = Object.values(built[name].metafile.outputs)[0];
    const inputs = Object.keys(output.inputs);
    expect(inputs.some((i) => /@aws-sdk\/(client-s3|client-transcribe)/.test(i) || /sdk-patched\/client-(s3|transcribe)-/.test(i))).toBe(true);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const externals = output.imports.filter((i) => i.external).map((i) => i.path);
    expect(externals.filter((p) => !builtins.has(p))).toEqual([]);
    expect(fs.readFileSync(built[name].file, "utf8")).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it("contains no infrastructure code (cdktf, @cdktf, constructs, modules/)", () => {
    const inputs = Object.keys(Object.values(built[name].metafile.outputs)[0].inputs);
    const infra = inputs.filter((i) => /node_modules\/(cdktf|@cdktf|constructs)\//.test(i) || /^modules\//.test(i));
    expect(infra).toEqual([]);
  });

  it("carries its own handler's environment variables and no other handler's (readConfig takes the handler's spec)", () => {
    const text = fs.readFileSync(built[name].file, "utf8");
    const names = (h: HandlerName) => Object.values(HANDLER_ENVIRONMENT[h]).map((v) => v.name);
    const own = new Set(names(name));
    const others = HANDLER_NAMES.flatMap(names).filter((n) => !own.has(n));
    expect(others.length).toBeGreaterThan(0);
    expect([...own].filter((n) => !text.includes(`"${n}"`))).toEqual([]);
    expect(others.filter((n) => text.includes(`"${n}"`))).toEqual([]);
  });

  it("applies the size measures (no default credential chain, no SSO/STS clients) and embeds no local paths", () => {
    const inputs = Object.keys(Object.values(built[name].metafile.outputs)[0].inputs);
    expect(inputs.filter((i) => /credential-provider-(node|ini|sso|process|web-identity)\/|nested-clients\//.test(i))).toEqual([]);
    const text = fs.readFileSync(built[name].file, "utf8");
    expect(text.includes(REPO_ROOT)).toBe(false);
    expect(text.includes("node_modules")).toBe(false);
  });

  it("is ESM that loads in plain node and exports a handler function", () => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(built[name].file).href)}); console.log(typeof m.handler);`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1", AWS_EC2_METADATA_DISABLED: "true" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(out.trim()).toBe("function");
  });
});

it("the built analyze bundle sends Transcribe to AWS_ENDPOINT_URL_TRANSCRIBE (private DNS off: docs/network.md), not to the public name", () => {
  // A local server answers the first request (with an error) and records it; no AWS_ENDPOINT_URL, so a bundle that
  // ignored the service's variable would look up transcribe.eu-central-1.amazonaws.com instead (and fail).
  const script = `
    import { createServer } from "node:http";
    const seen = [];
    const server = createServer((req, res) => {
      seen.push({ target: req.headers["x-amz-target"], host: req.headers.host });
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "BadRequestException" });
      res.end(JSON.stringify({ __type: "BadRequestException", message: "recorded" }));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const url = "http://127.0.0.1:" + server.address().port;
    process.env.AWS_ENDPOINT_URL_TRANSCRIBE = url;
    const m = await import(${JSON.stringify(pathToFileURL(built.analyze.file).href)});
    try { await m.handler(${JSON.stringify(analyzeEvent(new Date("2026-03-14T10:00:00Z")))}, { awsRequestId: "r1", getRemainingTimeInMillis: () => 60000 }); } catch {}
    server.close();
    console.log(JSON.stringify({ url, first: seen[0] }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      PATH: process.env.PATH,
      ...contractEnv("analyze"),
      POWERTOOLS_LOG_LEVEL: "SILENT",
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  const { url, first } = JSON.parse(out.trim().split("\n").pop() as string);
  expect(first).toEqual({ target: "Transcribe.GetTranscriptionJob", host: url.replace("http://", "") });
});

it("is deterministic: a second build gives the same bytes", () => {
  const again = bundleHandlers({ outDir: path.join(tmp, "b"), entries });
  for (const name of HANDLER_NAMES) expect(sha256(again[name].file)).toBe(sha256(built[name].file));
}, 60_000);

it("bundleLambdas returns dir/file/bytes per handler", () => {
  if (!HANDLER_NAMES.every((n) => fs.existsSync(path.join(REPO_ROOT, "lambda-src", "handlers", `${n}.ts`)))) return;
  const out = bundleLambdas(path.join(tmp, "c"));
  expect(Object.keys(out).sort()).toEqual([...HANDLER_NAMES].sort());
  for (const name of HANDLER_NAMES) {
    expect(out[name]).toEqual({ dir: path.join(tmp, "c", name), file: path.join(tmp, "c", name, "index.mjs"), bytes: built[name].bytes });
  }
}, 60_000);

it("the size measures make the bundles smaller", () => {
  const plain = bundleHandlers({ outDir: path.join(tmp, "plain"), entries, measures: NO_MEASURES });
  for (const name of HANDLER_NAMES) expect(built[name].bytes).toBeLessThan(plain[name].bytes * 0.85);
}, 60_000);

describe("inlineComputedStringKeys", () => {
  it("replaces computed keys naming module-level string constants, nothing else", () => {
    const src = ['const _h = "http";', 'const n0 = "com.amazonaws.s3";', 'export var A$ = [9, n0, { [_h]: ["GET", "/", 200], [other]: 1 }];'].join("\n");
    expect(inlineComputedStringKeys(src)).toBe(
      ['const _h = "http";', 'const n0 = "com.amazonaws.s3";', 'export var A$ = [9, n0, { "http": ["GET", "/", 200], [other]: 1 }];'].join("\n"),
    );
  });
});
