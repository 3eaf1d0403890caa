/**
 * The formatter and linter (biome.jsonc; `npm run lint` = scripts/lint.ts, `biome ci` failing on any diagnostic): a
 * formatting violation and lint violations planted in temporary files are reported and fail the run, and so do a
 * planted warning and a planted info, which `biome ci` alone lets pass; a file in the repository's style passes. The
 * files are planted outside the repository, in a throwaway git checkout that holds the repository's biome.jsonc and
 * links to its scripts/ and node_modules/, at the same place under `__tests__/` as a real test file. Planting them in
 * the repository itself would make a concurrent `npm run lint` (test:fast runs it beside jest) report them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { biomeArgs, lintFailure } from "../../scripts/lint";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const BIOME = path.join(REPO_ROOT, "node_modules", ".bin", "biome");
const BIN = path.join(REPO_ROOT, "node_modules", ".bin");
/** The command `npm run lint` runs (package.json). */
const LINT_SCRIPT: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts.lint;

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
  // A warning: `xs && xs.length` is an optional chain (complexity/useOptionalChain).
  "warning.ts": "export const first = (xs?: number[]): number | undefined => (xs && xs.length ? xs[0] : undefined);\n",
  // An info: string concatenation instead of a template literal (style/useTemplate).
  "info.ts": 'export const label = (n: number): string => "n=" + n;\n',
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

/**
 * A throwaway checkout with the repository's lint setup: biome.jsonc copied, scripts/ and node_modules/ linked, a
 * git repository (biome.jsonc reads .gitignore through git). Returns its root; files go to `__tests__/tooling/planted/`.
 */
function lintCheckout(): { root: string; dir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-biome-"));
  for (const file of ["biome.jsonc", ".gitignore"]) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  for (const link of ["scripts", "node_modules"]) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(root, link));
  const git = spawnSync("git", ["init", "-q"], { cwd: root, encoding: "utf8" });
  if (git.status !== 0) throw new Error(`git init failed: ${git.stderr}`);
  const dir = path.join(root, "__tests__", "tooling", "planted");
  fs.mkdirSync(dir, { recursive: true });
  return { root, dir };
}

let root = "";

function biomeCi(dir: string, files: string[]): BiomeOutcome {
  const rel = files.map((f) => path.relative(root, path.join(dir, f)));
  const run = spawnSync(BIOME, ["ci", "--colors=off", "--reporter=json", ...rel], { cwd: root, encoding: "utf8" });
  const start = run.stdout.indexOf("{");
  if (start < 0) throw new Error(`biome printed no report (exit ${run.status}): ${run.stdout}${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as { diagnostics: Diagnostic[] };
  return { status: run.status, diagnostics: report.diagnostics };
}

interface LintOutcome {
  status: number | null;
  output: string;
}

/** Runs the package.json `lint` command (as `npm run lint -- <files>` would) on planted files. */
function npmRunLint(dir: string, files: string[]): LintOutcome {
  const rel = files.map((f) => path.relative(root, path.join(dir, f)));
  const run = spawnSync(`${LINT_SCRIPT} --colors=off ${rel.join(" ")}`, {
    cwd: root,
    encoding: "utf8",
    shell: true,
    env: { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}` },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("formatter and linter (biome.jsonc)", () => {
  let dir: string;
  let planted: BiomeOutcome;
  let good: BiomeOutcome;
  let warnAndInfo: BiomeOutcome;
  let lintWarning: LintOutcome;
  let lintInfo: LintOutcome;
  let lintGood: LintOutcome;

  beforeAll(() => {
    ({ root, dir } = lintCheckout());
    for (const [name, text] of Object.entries(PLANTED)) fs.writeFileSync(path.join(dir, name), text);
    planted = biomeCi(dir, ["format.ts", "lint.ts", "good.ts"]);
    good = biomeCi(dir, ["good.ts"]);
    warnAndInfo = biomeCi(dir, ["warning.ts", "info.ts"]);
    lintWarning = npmRunLint(dir, ["warning.ts"]);
    lintInfo = npmRunLint(dir, ["info.ts"]);
    lintGood = npmRunLint(dir, ["good.ts"]);
  }, 60_000);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

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

  test("biome ci alone lets a warning and an info pass (why `npm run lint` wraps it)", () => {
    expect(categoriesOf(warnAndInfo, "warning.ts")).toEqual(["lint/complexity/useOptionalChain"]);
    expect(categoriesOf(warnAndInfo, "info.ts")).toEqual(["lint/style/useTemplate"]);
    expect(warnAndInfo.diagnostics.map((d) => d.severity).sort()).toEqual(["info", "warning"]);
    expect(warnAndInfo.status).toBe(0);
  });

  test("`npm run lint` fails on a warning, naming the rule", () => {
    expect(lintWarning.output).toContain("lint/complexity/useOptionalChain");
    expect(lintWarning.output).toContain("1 warning(s)");
    expect(lintWarning.status).toBe(1);
  });

  test("`npm run lint` fails on an info, naming the rule", () => {
    expect(lintInfo.output).toContain("lint/style/useTemplate");
    expect(lintInfo.output).toContain("1 info(s)");
    expect(lintInfo.status).toBe(1);
  });

  test("`npm run lint` passes a file in the repository's style, without Biome's JSON reporter note", () => {
    expect(lintGood.output).toContain("Checked 1 file");
    expect(lintGood.output).not.toMatch(/experimental/);
    expect(lintGood.status).toBe(0);
  });

  test("scripts/lint.ts: biome ci failing on warnings, the JSON report to a file; any error, warning or info fails", () => {
    expect(biomeArgs(["--colors=off", "x.ts"], "/tmp/r.json")).toEqual([
      "ci",
      "--error-on-warnings",
      "--reporter=default",
      "--reporter=json",
      "--reporter-file=/tmp/r.json",
      "--colors=off",
      "x.ts",
    ]);
    expect(lintFailure(0, { errors: 0, warnings: 0, infos: 0 })).toBeUndefined();
    expect(lintFailure(0, { errors: 0, warnings: 0, infos: 1 })).toMatch(/1 info\(s\)/);
    expect(lintFailure(1, { errors: 0, warnings: 1, infos: 0 })).toMatch(/1 warning\(s\)/);
    expect(lintFailure(1, { errors: 2, warnings: 0, infos: 0 })).toMatch(/2 error\(s\)/);
    expect(lintFailure(1, { errors: 0, warnings: 0, infos: 0 })).toBe("Biome exited with status 1");
    expect(lintFailure(2, undefined)).toMatch(/no JSON report/);
  });
});
