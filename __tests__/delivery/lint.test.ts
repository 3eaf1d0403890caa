/**
 * Workflow linting: actionlint (embedded 1.7.7, offline), GitHub's own workflow parser, and shellcheck
 * on every `run:` block.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWorkflows, REPO_ROOT, type Workflow } from "./workflows";

const workflows = loadWorkflows();

test("the four delivery workflows exist", () => {
  expect(workflows.map((w) => w.file)).toEqual(expect.arrayContaining(["apply.yml", "ci.yml", "drift.yml", "plan.yml"]));
});

describe("actionlint", () => {
  interface LintResult {
    message: string;
    line: number;
    column: number;
    kind: string;
  }
  function actionlint(paths: string[]): Array<{ file: string; results: LintResult[]; allowed: LintResult[] }> {
    const r = spawnSync(process.execPath, ["scripts/delivery/lint/actionlint.cjs", ...paths], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) throw new Error(`actionlint failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  // One run of the embedded linter (≈ 3 CPU-s to start) checks the known-bad sample and every workflow.
  const sampleDir = mkdtempSync(join(tmpdir(), "wf-"));
  const bad = join(sampleDir, "bad.yml");
  let results: Array<{ file: string; results: LintResult[]; allowed: LintResult[] }> = [];
  // The queue exception (scripts/delivery/lint/actionlint.cjs): `queue: max` only; another value or key still fails.
  const queue = (concurrency: string) =>
    `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    concurrency:\n      group: g\n${concurrency}    steps:\n      - run: echo hi\n`;
  const queueSamples = [queue("      queue: max\n"), queue("      queue: min\n"), queue("      queue: max\n      limit: 3\n")];
  const samplePaths = queueSamples.map((_, n) => join(sampleDir, `queue-${n}.yml`));
  beforeAll(() => {
    writeFileSync(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n");
    for (const [n, text] of queueSamples.entries()) writeFileSync(samplePaths[n]!, text);
    results = actionlint([bad, ...samplePaths, ...workflows.map((w: Workflow) => w.path)]);
  });
  afterAll(() => rmSync(sampleDir, { recursive: true, force: true }));

  test("detects a known problem (sanity check of the embedded linter)", () => {
    expect(results[0]!.results.map((x) => x.kind)).toContain("expression");
  });

  test("the queue: max exception is narrow: that exact line only, any other value or key is still reported", () => {
    const [max, min, extra] = results.slice(1, 1 + queueSamples.length);
    expect(max!.results).toEqual([]);
    expect(max!.allowed).toEqual([expect.objectContaining({ line: 7, kind: "syntax-check", message: expect.stringContaining('unexpected key "queue"') })]);
    expect(min!.allowed).toEqual([]);
    expect(min!.results.map((r) => r.message)).toEqual([expect.stringContaining('unexpected key "queue"')]);
    expect(extra!.results.map((r) => r.message)).toEqual([expect.stringContaining('unexpected key "limit"')]);
  });

  test("the exception is used exactly where the workflows set queue: max", () => {
    const ours = results.slice(1 + queueSamples.length);
    for (const [n, w] of workflows.entries()) {
      const lines = w.text.split("\n").flatMap((l, i) => (l.trim() === "queue: max" ? [i + 1] : []));
      expect({ file: w.file, allowed: ours[n]!.allowed.map((r) => r.line) }).toEqual({ file: w.file, allowed: lines });
    }
  });

  test("every workflow passes", () => {
    const ours = results.slice(1 + queueSamples.length);
    expect(ours).toHaveLength(workflows.length);
    for (const r of ours) {
      expect(r.results.map((x) => `${r.file}:${x.line}:${x.column} ${x.kind}: ${x.message}`)).toEqual([]);
    }
  });
});

describe("@actions/workflow-parser (GitHub's parser)", () => {
  function parseWorkflows(paths: string[]): Array<{ file: string; errors: string[] }> {
    // The parser is ESM and imports JSON without import attributes: Node 20/22 need the small loader hook.
    const r = spawnSync(
      process.execPath,
      ["--import", "./scripts/delivery/lint/register-json-hook.mjs", "scripts/delivery/lint/parse-workflows.mjs", ...paths],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`workflow parser failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  // One run of the parser checks the known-bad sample and every workflow.
  const dir = mkdtempSync(join(tmpdir(), "wf-"));
  let results: Array<{ file: string; errors: string[] }> = [];
  beforeAll(() => {
    const bad = join(dir, "bad.yml");
    writeFileSync(bad, "on: push\npermissions:\n  contents: all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n");
    results = parseWorkflows([bad, ...workflows.map((w) => w.path)]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("reports errors (sanity check)", () => {
    expect(results[0]!.file).toMatch(/bad\.yml$/);
    expect(results[0]!.errors.join("\n")).toMatch(/Unexpected value 'all'/);
  });

  test("every workflow parses without errors", () => {
    const ours = results.slice(1);
    expect(ours).toHaveLength(workflows.length);
    for (const r of ours) expect({ file: r.file, errors: r.errors }).toEqual({ file: r.file, errors: [] });
  });
});

describe("shellcheck on every run: block", () => {
  const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  // Variables the runner sets for every step (https://docs.github.com/actions/reference/variables-reference).
  const RUNNER_VARS = [
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_ENV",
    "GITHUB_OUTPUT",
    "GITHUB_PATH",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_SERVER_URL",
    "GITHUB_SHA",
    "GITHUB_REF",
    "RUNNER_TEMP",
    "RUNNER_OS",
    "HOME",
    "PATH",
    "USER",
  ];
  const blocks = workflows.flatMap((w) =>
    Object.entries(w.doc.jobs).flatMap(([job, j]) =>
      (j.steps ?? [])
        .map((step, index) => ({ step, index }))
        .filter(({ step }) => typeof step.run === "string")
        .map(({ step, index }) => ({
          id: `${w.file} jobs.${job}.steps[${index}] (${step.name ?? "unnamed"})`,
          run: step.run!,
          shell: step.shell ?? w.doc.defaults?.run?.shell ?? "bash",
          // Every variable a step can see: workflow, job and step env plus the runner's own.
          vars: [...RUNNER_VARS, ...Object.keys(w.doc.env ?? {}), ...Object.keys(j.env ?? {}), ...Object.keys(step.env ?? {})],
        })),
    ),
  );

  /**
   * `${{ ... }}` is substituted by the runner before the shell sees the script: replace each expression with
   * a placeholder variable so shellcheck still checks quoting around it. The variables the step can see are
   * declared up front, and shellcheck's check-unassigned-uppercase flags any other (a typo, a missing env:).
   */
  function toScript(run: string, vars: string[] = []): string {
    const body = run.replace(/\$\{\{[\s\S]*?\}\}/g, "${GHA_EXPR}");
    const declared = ["GHA_EXPR", ...new Set(vars)].join(" ");
    return `#!/usr/bin/env bash\n# Runner: bash --noprofile --norc -eo pipefail\nset -eo pipefail\nexport ${declared}\n${body}\n`;
  }
  const shellcheck = (script: string) =>
    spawnSync("shellcheck", ["-s", "bash", "-o", "check-unassigned-uppercase", "-f", "gcc", "-"], { input: script, encoding: "utf8" });

  test("shellcheck is installed (apt-get install shellcheck)", () => {
    expect(hasShellcheck).toBe(true);
  });

  test("there are run blocks to check, all in bash", () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) expect({ id: b.id, shell: b.shell }).toEqual({ id: b.id, shell: "bash" });
  });

  test("expressions are replaced by a placeholder", () => {
    expect(toScript('echo "${{ github.sha }}"')).toContain('echo "${GHA_EXPR}"');
  });

  test("shellcheck flags a bad script (sanity check)", () => {
    const r = shellcheck(toScript("cd $DIR\nrm -rf ${{ env.X }}/x"));
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/SC2086/);
  });

  test("shellcheck flags a variable the step does not define (sanity check)", () => {
    const r = shellcheck(toScript('echo "$STAK"', ["STACK"]));
    expect(r.stdout).toMatch(/SC2154/);
  });

  test.each(blocks.map((b) => [b.id, b] as const))("%s", (_id, b) => {
    const r = shellcheck(toScript(b.run, b.vars));
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe("");
    expect(r.status).toBe(0);
  });
});
