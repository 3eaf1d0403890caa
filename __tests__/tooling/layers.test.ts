/**
 * The dependency rules (.dependency-cruiser.cjs, `npm run lint:deps`): each rule fires, by name, on a violation
 * planted in a small fixture tree written to a temporary directory, and a tree that follows the layers passes.
 * The fixture has the repository's layout (main.ts, modules/, lambda-src/, scripts/, bench/, __tests__/) and stub
 * packages in its own node_modules/, so the rules see the same paths as on the real tree.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const CONFIG = path.join(REPO_ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(REPO_ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CRUISED = ["main.ts", "modules", "lambda-src", "scripts", "bench", "__tests__"];

type Files = Record<string, string>;

interface Violation {
  rule: string;
  from: string;
  to: string;
}

interface CruiseOutcome {
  status: number | null;
  violations: Violation[];
}

/** Stub packages: name → files (relative to node_modules/<name>/). */
const PACKAGES: Record<string, Files> = {
  cdktf: { "lib/index.js": "exports.App = class {};\n" },
  constructs: { "lib/index.js": "exports.Construct = class {};\n" },
  zod: { "lib/index.js": "exports.z = {};\n" },
  esbuild: { "lib/index.js": "exports.buildSync = () => {};\n" },
  "@cdktf/provider-aws": {
    "lib/index.js": "exports.s3Bucket = require('./s3-bucket');\n",
    "lib/s3-bucket/index.js": "exports.S3Bucket = class {};\n",
  },
  "@aws-sdk/client-s3": { "lib/index.js": "exports.S3Client = class {};\n" },
  "@aws-lambda-powertools/logger": { "lib/index.js": "exports.Logger = class {};\n" },
};

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, noEmit: true },
  include: ["**/*.ts"],
});

function writeTree(root: string, files: Files): void {
  const all: Files = { "tsconfig.json": TSCONFIG, ...files };
  for (const [name, files] of Object.entries(PACKAGES)) {
    all[`node_modules/${name}/package.json`] = JSON.stringify({ name, version: "0.0.0", main: "lib/index.js" });
    for (const [file, text] of Object.entries(files)) all[`node_modules/${name}/${file}`] = text;
  }
  for (const [file, text] of Object.entries(all)) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  // Every cruised top-level folder exists, as in the repository.
  for (const dir of CRUISED.filter((d) => !d.includes("."))) fs.mkdirSync(path.join(root, dir), { recursive: true });
}

/**
 * Parses dependency-cruiser's `err` report (what `npm run lint:deps` prints): one `error <rule>: <from> → <to>`
 * per violation; a cycle continues on the following lines (`<to> →`, ...), its first hop is the `to`.
 */
function parseErrReport(text: string): Violation[] {
  const lines = text.split("\n");
  const violations: Violation[] = [];
  lines.forEach((line, i) => {
    const m = /^\s*error (\S+): (\S+) →\s*(\S*)/.exec(line);
    if (!m) return;
    const to = m[3] || (lines[i + 1] ?? "").trim().replace(/\s*→$/, "");
    violations.push({ rule: m[1], from: m[2], to });
  });
  return violations;
}

/** Runs the dependency-cruiser CLI with the repository's configuration on `files`, as `npm run lint:deps` does. */
function cruise(files: Files): CruiseOutcome {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-layers-"));
  try {
    writeTree(root, files);
    const run = spawnSync(process.execPath, [DEPCRUISE, ...CRUISED, "--config", CONFIG], { cwd: root, encoding: "utf8" });
    if (run.status === null || !/dependency violations|no dependency violations/.test(run.stdout)) {
      throw new Error(`dependency-cruiser did not finish (exit ${run.status}): ${run.stdout}${run.stderr}`);
    }
    return { status: run.status, violations: parseErrReport(run.stdout) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const key = (v: Violation): string => `${v.rule}: ${v.from} → ${v.to}`;

/** A tree that follows every rule (no lambda-src/contracts/: the rules hold whether it exists or not). */
const COMPLIANT: Files = {
  "main.ts": [
    'import { App } from "cdktf";',
    'import { Storage } from "./modules/storage";',
    'import { HANDLERS } from "./lambda-src/core/names";',
    "export const app = [new App(), Storage, HANDLERS];",
  ].join("\n"),
  "modules/storage/index.ts": [
    'import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";',
    'import { Construct } from "constructs";',
    'import { bucket } from "../constructs/bucket";',
    'import { statement } from "../iam/policy";',
    'import { name } from "../config/naming";',
    'import { local } from "./local";',
    'import { HANDLERS } from "../../lambda-src/core/names";',
    "export const Storage = [S3Bucket, Construct, bucket, statement, name, local, HANDLERS];",
  ].join("\n"),
  "modules/storage/local.ts": "export const local = 1;\n",
  "modules/constructs/bucket.ts": 'import { statement } from "../iam/policy";\nexport const bucket = statement;\n',
  "modules/iam/policy.ts": "export const statement = 1;\n",
  "modules/config/naming.ts": 'import { z } from "zod";\nexport const name = z;\n',
  "lambda-src/core/names.ts": 'import type { S3Client } from "@aws-sdk/client-s3";\nexport const HANDLERS = ["start"];\nexport type C = S3Client;\n',
  "lambda-src/aws/clients.ts": 'import { S3Client } from "@aws-sdk/client-s3";\nexport const s3 = new S3Client();\n',
  "lambda-src/services/process.ts": 'import { s3 } from "../aws/clients";\nimport { HANDLERS } from "../core/names";\nexport const go = [s3, HANDLERS];\n',
  "lambda-src/handlers/start.ts": [
    'import { Logger } from "@aws-lambda-powertools/logger";',
    'import { go } from "../services/process";',
    "export const handler = [Logger, go];",
  ].join("\n"),
  "scripts/bundle.ts":
    'import { buildSync } from "esbuild";\nimport { handler } from "../lambda-src/handlers/start";\nexport const b = [buildSync, handler];\n',
  "bench/run.ts": 'import { b } from "../scripts/bundle";\nexport const r = b;\n',
  "__tests__/app.test.ts": 'import { app } from "../main";\nimport { r } from "../bench/run";\nexport const t = [app, r];\n',
};

/** One planted violation per rule (and a few per rule where the rule covers distinct cases). */
const PLANTED: { files: Files; expected: Violation[] } = {
  files: {
    ...COMPLIANT,
    "lambda-src/contracts/env.ts": 'import { s3 } from "../aws/clients";\nexport const ENV = s3;\n',
    "lambda-src/core/logger.ts": 'import { Logger } from "@aws-lambda-powertools/logger";\nexport const log = new Logger();\n',
    "lambda-src/core/client.ts": 'import { S3Client } from "@aws-sdk/client-s3";\nexport const c = new S3Client();\n',
    "lambda-src/core/cycle-a.ts": 'import { b } from "./cycle-b";\nexport const a = () => b;\n',
    "lambda-src/core/cycle-b.ts": 'import { a } from "./cycle-a";\nexport const b = () => a;\n',
    "lambda-src/handlers/reconcile.ts": 'import { name } from "../../modules/config/naming";\nexport const handler = name;\n',
    "lambda-src/handlers/analyze.ts": 'import { b } from "../../scripts/bundle";\nexport const handler = b;\n',
    "lambda-src/services/synth.ts": 'import { App } from "cdktf";\nexport const app = new App();\n',
    "lambda-src/services/validate.ts": 'import { z } from "zod";\nexport const schema = z;\n',
    "modules/processor/bundling.ts": 'import { b } from "../../scripts/bundle";\nexport const bundling = b;\n',
    "modules/processor/names.ts": 'import { handler } from "../../lambda-src/handlers/start";\nexport const names = handler;\n',
    "modules/processor/alarms.ts": 'import { local } from "../storage/local";\nexport const alarms = local;\n',
    // The planted barrel import (spelled in two parts so repository greps for real barrel imports stay quiet).
    "modules/alarms/index.ts": `import * as aws from "${"@cdktf/"}provider-aws";\nexport const alarms = aws;\n`,
  },
  expected: [
    { rule: "core-not-to-runtime-adapters", from: "lambda-src/contracts/env.ts", to: "lambda-src/aws/clients.ts" },
    { rule: "core-sdk-types-only", from: "lambda-src/core/logger.ts", to: "node_modules/@aws-lambda-powertools/logger/lib/index.js" },
    { rule: "core-sdk-types-only", from: "lambda-src/core/client.ts", to: "node_modules/@aws-sdk/client-s3/lib/index.js" },
    { rule: "no-circular", from: "lambda-src/core/cycle-a.ts", to: "lambda-src/core/cycle-b.ts" },
    { rule: "runtime-not-to-infrastructure", from: "lambda-src/handlers/reconcile.ts", to: "modules/config/naming.ts" },
    { rule: "runtime-not-to-infrastructure", from: "lambda-src/handlers/analyze.ts", to: "scripts/bundle.ts" },
    { rule: "tools-and-tests-are-leaves", from: "lambda-src/handlers/analyze.ts", to: "scripts/bundle.ts" },
    { rule: "runtime-not-to-build-packages", from: "lambda-src/services/synth.ts", to: "node_modules/cdktf/lib/index.js" },
    { rule: "runtime-not-to-build-packages", from: "lambda-src/services/validate.ts", to: "node_modules/zod/lib/index.js" },
    { rule: "tools-and-tests-are-leaves", from: "modules/processor/bundling.ts", to: "scripts/bundle.ts" },
    { rule: "infrastructure-to-runtime-contracts-only", from: "modules/processor/names.ts", to: "lambda-src/handlers/start.ts" },
    { rule: "no-sideways-components", from: "modules/processor/alarms.ts", to: "modules/storage/local.ts" },
    { rule: "no-provider-barrel", from: "modules/alarms/index.ts", to: "node_modules/@cdktf/provider-aws/lib/index.js" },
  ],
};

const RULES = [
  "runtime-not-to-infrastructure",
  "runtime-not-to-build-packages",
  "core-not-to-runtime-adapters",
  "core-sdk-types-only",
  "tools-and-tests-are-leaves",
  "infrastructure-to-runtime-contracts-only",
  "no-circular",
  "no-sideways-components",
  "no-provider-barrel",
];

describe("dependency rules (.dependency-cruiser.cjs)", () => {
  let planted: CruiseOutcome;
  let compliant: CruiseOutcome;

  beforeAll(() => {
    planted = cruise(PLANTED.files);
    compliant = cruise(COMPLIANT);
  }, 60_000);

  test("the configuration defines exactly the documented rules, each with a comment", () => {
    const config = require(CONFIG) as { forbidden: { name: string; comment?: string }[] };
    expect(config.forbidden.map((r) => r.name).sort()).toEqual([...RULES].sort());
    for (const rule of config.forbidden) expect(rule.comment?.length ?? 0).toBeGreaterThan(40);
  });

  test("a tree that follows the layers passes (type-only SDK imports in core, deep provider imports, shared folders)", () => {
    expect(compliant.violations.map(key)).toEqual([]);
    expect(compliant.status).toBe(0);
  });

  test("planted violations fail the run (exit code = number of errors)", () => {
    expect(planted.status).toBe(PLANTED.expected.length);
  });

  test.each(RULES)("rule %s fires on its planted violation", (rule) => {
    const expected = PLANTED.expected.filter((v) => v.rule === rule).map(key);
    expect(expected.length).toBeGreaterThan(0);
    expect(
      planted.violations
        .filter((v) => v.rule === rule)
        .map(key)
        .sort(),
    ).toEqual(expected.sort());
  });

  test("nothing else fires (the planted files violate only what they were planted for)", () => {
    expect(planted.violations.map(key).sort()).toEqual(PLANTED.expected.map(key).sort());
  });
});
