/**
 * The formatter and linter (biome.jsonc, `npm run lint` = `biome ci .`): a formatting violation and lint violations
 * planted in temporary files are reported and fail the run; a file in the repository's style passes. The files are
 * written inside the repository (Biome checks files under its root, with the repository's configuration) and removed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const BIOME = path.join(REPO_ROOT, "node_modules", ".bin", "biome");

interface Diagnostic {
  severity: string;
  category: string;
  location: { path: string };
}

interface BiomeOutcome {
  status: number | null;
  diagnostics: Diagnostic[];
}

const PLANTED: Record<string, string> = {
  // Single quotes, no semicolon, no spaces inside braces, no trailing comma on a wrapped literal.
  "format.ts": "export const a = {b: 'one'}\nexport const list = [\n  1,\n  2\n];\n",
  // `==` and a `debugger` statement: both in Biome's recommended rules.
  "lint.ts": "export function f(x: number): number {\n  if (x == 1) {\n    debugger;\n  }\n  return x;\n}\n",
  // The repository's style; a Terraform interpolation in a plain string is deliberate (noTemplateCurlyInString is off).
  "good.ts": [
    'import * as path from "node:path";',
    "",
    "export const arn = (name: string): string => `arn:aws:s3:::${name}`;",
    'export const reference = "${aws_s3_bucket.results.arn}";',
    "export const parts = {",
    '  file: path.join("a", "b"),',
    "  long: [",
    `    "${"x".repeat(60)}",`,
    `    "${"y".repeat(60)}",`,
    `    "${"z".repeat(60)}",`,
    "  ],",
    "};",
    "",
  ].join("\n"),
};

function biomeCi(dir: string, files: string[]): BiomeOutcome {
  const rel = files.map((f) => path.relative(REPO_ROOT, path.join(dir, f)));
  const run = spawnSync(BIOME, ["ci", "--colors=off", "--reporter=json", ...rel], { cwd: REPO_ROOT, encoding: "utf8" });
  const start = run.stdout.indexOf("{");
  if (start < 0) throw new Error(`biome printed no report (exit ${run.status}): ${run.stdout}${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as { diagnostics: Diagnostic[] };
  return { status: run.status, diagnostics: report.diagnostics };
}

describe("formatter and linter (biome.jsonc)", () => {
  let dir: string;
  let planted: BiomeOutcome;
  let good: BiomeOutcome;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(__dirname, ".biome-planted-"));
    for (const [name, text] of Object.entries(PLANTED)) fs.writeFileSync(path.join(dir, name), text);
    planted = biomeCi(dir, ["format.ts", "lint.ts", "good.ts"]);
    good = biomeCi(dir, ["good.ts"]);
  }, 30_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const categoriesOf = (outcome: BiomeOutcome, file: string): string[] =>
    outcome.diagnostics
      .filter((d) => d.location.path.endsWith(`/${file}`))
      .map((d) => d.category)
      .sort();

  test("a formatting violation is reported", () => {
    expect(categoriesOf(planted, "format.ts")).toEqual(["format"]);
  });

  test("lint violations are reported by rule", () => {
    expect(categoriesOf(planted, "lint.ts")).toEqual(["lint/suspicious/noDebugger", "lint/suspicious/noDoubleEquals"]);
  });

  test("violations fail the run", () => {
    expect(planted.status).not.toBe(0);
    expect(planted.diagnostics.filter((d) => d.severity === "error").length).toBe(3);
  });

  test("a file in the repository's style passes", () => {
    expect(categoriesOf(planted, "good.ts")).toEqual([]);
    expect(good.diagnostics).toEqual([]);
    expect(good.status).toBe(0);
  });
});
