/**
 * Where `npm run bench` writes (bench/outputs.ts), checked without running a benchmark: results only into the
 * git-ignored bench/out/, docs/benchmarks.md only with `--write-docs`, and that flag reaches both scripts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BENCH_DOC, BENCH_OUT_DIR, BENCH_SCRIPTS, benchOutputs, benchSteps, replaceBlock, writesDocs } from "../../bench/outputs";

const REPO = path.resolve(__dirname, "..", "..");
const rel = (p: string) => path.relative(REPO, p);

/** Whether git ignores a path (it need not exist). */
const ignored = (p: string): boolean => spawnSync("git", ["check-ignore", "-q", "--no-index", rel(p)], { cwd: REPO }).status === 0;

describe("npm run bench outputs", () => {
  test("package.json's bench runs bench/all.ts, which runs the steps of bench/outputs.ts", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    expect(pkg.scripts.bench).toBe("tsx bench/all.ts");
    expect(fs.readFileSync(path.join(REPO, "bench", "all.ts"), "utf8")).toContain("benchSteps(process.argv.slice(2))");
    expect(benchSteps([]).map(([script]) => script)).toEqual([...BENCH_SCRIPTS]);
  });

  test.each([[[]], [["--runs", "7"]], [["--fixtures", "--warm", "50"]]])("without --write-docs (%j): results in bench/out/ only", (argv) => {
    for (const script of BENCH_SCRIPTS) {
      const out = benchOutputs(script, argv);
      expect(rel(out.results)).toBe(`bench/out/${path.basename(script, ".ts")}.json`);
      expect(out.doc).toBeUndefined();
    }
  });

  test("every results path is git-ignored, and nothing under bench/out/ is tracked", () => {
    expect(ignored(path.join(BENCH_OUT_DIR, "any-file.json"))).toBe(true);
    for (const script of BENCH_SCRIPTS) expect(ignored(benchOutputs(script, []).results)).toBe(true);
    const tracked = spawnSync("git", ["ls-files", "bench/out", "bench/results.json"], { cwd: REPO, encoding: "utf8" });
    expect(tracked.status).toBe(0);
    expect(tracked.stdout).toBe("");
    expect(ignored(BENCH_DOC)).toBe(false);
  });

  test("--write-docs names docs/benchmarks.md, for both scripts, wherever it stands", () => {
    for (const argv of [["--write-docs"], ["--runs", "7", "--write-docs"], ["--write-docs", "--fixtures"]]) {
      expect(writesDocs(argv)).toBe(true);
      for (const script of BENCH_SCRIPTS) expect(benchOutputs(script, argv).doc).toBe(path.join(REPO, "docs", "benchmarks.md"));
    }
    expect(writesDocs(["--write-docs-later"])).toBe(false);
  });

  test("the flag reaches every script; the other options only bench/run.ts", () => {
    expect(benchSteps(["--runs", "7", "--write-docs"])).toEqual([
      ["bench/run.ts", ["--runs", "7", "--write-docs"]],
      ["bench/cold-import.ts", ["--write-docs"]],
      ["bench/synth-scale.ts", ["--write-docs"]],
      ["bench/report-site.ts", ["--write-docs"]],
      ["bench/categories.ts", ["--write-docs"]],
    ]);
    expect(benchSteps(["--runs", "7"])).toEqual([
      ["bench/run.ts", ["--runs", "7"]],
      ["bench/cold-import.ts", []],
      ["bench/synth-scale.ts", []],
      ["bench/report-site.ts", []],
      ["bench/categories.ts", []],
    ]);
  });

  test("the scripts take their paths from benchOutputs and name no output file themselves", () => {
    for (const script of BENCH_SCRIPTS) {
      const code = fs.readFileSync(path.join(REPO, script), "utf8");
      expect(code).toContain(`benchOutputs("${script}", process.argv.slice(2))`);
      expect(code).not.toMatch(/"docs"|benchmarks\.md"|results\.json/);
    }
  });

  test("docs/benchmarks.md has the three blocks --write-docs replaces; replaceBlock keeps the rest", () => {
    const doc = fs.readFileSync(BENCH_DOC, "utf8");
    for (const name of ["bench", "cold-import", "synth-scale", "categories"]) {
      const replaced = replaceBlock(doc, name, "NEW");
      expect(replaced).toContain(`<!-- ${name}:begin -->\nNEW\n<!-- ${name}:end -->`);
      expect(replaced.startsWith(doc.slice(0, doc.indexOf(`<!-- ${name}:begin -->`)))).toBe(true);
      expect(replaced.endsWith(doc.slice(doc.indexOf(`<!-- ${name}:end -->`) + `<!-- ${name}:end -->`.length))).toBe(true);
    }
    expect(() => replaceBlock("no markers", "bench", "NEW")).toThrow("has no <!-- bench:begin -->");
  });
});
