/**
 * The `namedErrorsOnly` size measure (modules/constructs/bundle-size-measures.ts): the bundled clients register only
 * the errors lambda-src names, and every other modeled error still reaches the handler with its own name, message,
 * fault and HTTP status (the SDK's base-exception fallback). Checked on a real bundle of the SSM client against a
 * local HTTP server that answers with SSM's JSON error shape.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { errorNamesInSource, keepNamedErrors } from "../../modules/constructs/bundle-size-measures";
import { esbuildOptions, REPO_ROOT } from "../../modules/constructs/bundling";

describe("keepNamedErrors", () => {
  const errors = [
    'export class Kept extends __BaseException {\n    name = "Kept";\n}',
    'export class Dropped extends __BaseException {\n    name = "Dropped";\n}',
    'export class Retried extends __BaseException {\n    name = "Retried";\n    $retryable = {};\n}',
  ].join("\n");
  const schemas = [
    "_s_registry.registerError(FooServiceException$, FooServiceException);",
    "n0_registry.registerError(Kept$, Kept);",
    "n0_registry.registerError(Dropped$, Dropped);",
    "n0_registry.registerError(Retried$, Retried);",
    "",
  ].join("\n");

  it("keeps the base exception, the named errors and the retryable ones; drops the rest", () => {
    expect(keepNamedErrors(schemas, errors, new Set(["Kept"]))).toBe(
      [
        "_s_registry.registerError(FooServiceException$, FooServiceException);",
        "n0_registry.registerError(Kept$, Kept);",
        "n0_registry.registerError(Retried$, Retried);",
        "",
      ].join("\n"),
    );
  });

  it("reads the names the handlers test from lambda-src", () => {
    const names = errorNamesInSource(REPO_ROOT);
    for (const n of ["ParameterNotFound", "NoSuchKey", "ConflictException", "ThrottlingException"]) expect(names).toContain(n);
  });
});

describe("a bundled client with named errors only", () => {
  let tmp: string;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-named-errors-"));
    server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const code = String(req.headers["x-amz-target"]).endsWith(".GetParameter") ? "ParameterNotFound" : "InvalidKeyId";
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ __type: `com.amazonaws.ssm#${code}`, message: `${code} said so` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("throws a named error as its class and an unnamed one as the base exception with the same name, message and fault", async () => {
    // Under dist/ (git-ignored, inside the repository so node_modules resolves), never in lambda-src/, which other
    // tests scan while this one runs.
    const entry = path.join(REPO_ROOT, "dist", "named-errors-probe", `probe-${process.pid}.ts`);
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(
      entry,
      `import { GetParameterCommand, GetParametersCommand, ParameterNotFound, SSMClient, SSMServiceException } from "@aws-sdk/client-ssm";
export async function probe(endpoint: string) {
  const c = new SSMClient({ endpoint, region: "eu-central-1", maxAttempts: 1 });
  const out: unknown[] = [];
  for (const cmd of [new GetParameterCommand({ Name: "/x" }), new GetParametersCommand({ Names: ["/x"] })]) {
    try { await c.send(cmd as never); } catch (e) {
      const err = e as { name: string; message: string; $fault: string; $metadata: { httpStatusCode: number }; };
      out.push({ name: err.name, message: err.message, fault: err.$fault, status: err.$metadata.httpStatusCode, cls: e instanceof ParameterNotFound ? "ParameterNotFound" : Object.getPrototypeOf(e) === SSMServiceException.prototype ? "SSMServiceException" : "other" });
    }
  }
  return out;
}`,
    );
    const outfile = path.join(tmp, "probe.mjs");
    try {
      buildSync(esbuildOptions(entry, outfile));
    } finally {
      fs.rmSync(entry, { force: true });
    }
    expect(fs.readFileSync(outfile, "utf8")).not.toMatch(/InvalidKeyId/);
    const script = `const m = await import(${JSON.stringify(outfile)}); console.log(JSON.stringify(await m.probe("http://127.0.0.1:${port}")));`;
    // Asynchronous: the fake service answers from this process's event loop.
    const { stdout: out } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_EC2_METADATA_DISABLED: "true" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(JSON.parse(out)).toEqual([
      { name: "ParameterNotFound", message: "ParameterNotFound said so", fault: "client", status: 400, cls: "ParameterNotFound" },
      { name: "InvalidKeyId", message: "InvalidKeyId said so", fault: "client", status: 400, cls: "SSMServiceException" },
    ]);
  }, 60_000);
});
