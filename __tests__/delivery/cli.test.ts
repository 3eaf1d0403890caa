/** Stack matrix (from the real synthesized manifest), checkov parsing and the CLI the workflows call. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadOfflinePlan, type LoadedPlan } from "../helpers/offline-plan";
import { main, parseArgs, runUrl } from "../../scripts/delivery/cli";
import { applyMatrix, backendOf, buildStackMatrix } from "../../scripts/delivery/matrix";
import { parseCheckovReport, readCheckovText, renderFindings } from "../../scripts/delivery/scan";
import { planCommentMarker } from "../../scripts/delivery/plan-summary";

jest.setTimeout(600_000);

let prod: LoadedPlan;
let bootstrap: LoadedPlan;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  prod = loadOfflinePlan("cci-lite-prod");
  bootstrap = loadOfflinePlan("bootstrap-prod");
});

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "delivery-cli-"));
  env = {
    GITHUB_OUTPUT: join(work, "output"),
    GITHUB_STEP_SUMMARY: join(work, "summary"),
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "acme/cci-lite",
    GITHUB_RUN_ID: "42",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: "abcdef0123456789abcdef0123456789abcdef01",
  };
  writeFileSync(env.GITHUB_OUTPUT!, "");
  writeFileSync(env.GITHUB_STEP_SUMMARY!, "");
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function outputs(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(env.GITHUB_OUTPUT!, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The synthesized cdktf.out the offline plan ran on (real manifest.json, real backends). */
const synthOut = () => dirname(dirname(prod.synthDir));

describe("stack matrix from cdktf.out/manifest.json", () => {
  test("the real synth: remote-backend stacks are planned, bootstrap and github (local backend) are excluded", () => {
    const m = buildStackMatrix(synthOut());
    // Each stack's roles are its own account's (config/prod.json and config/dev.json name different accounts).
    const account = { dev: "444455556666", prod: "111122223333" };
    const entry = (env: "dev" | "prod") => ({
      stack: `cci-lite-${env}`,
      workingDirectory: `cdktf.out/stacks/cci-lite-${env}`,
      lockFile: `tf/locks/cci-lite-${env}.terraform.lock.hcl`,
      backend: "s3",
      environment: env,
      planRoleArn: `arn:aws:iam::${account[env]}:role/cci-lite-github-plan-${env}`,
      applyRoleArn: `arn:aws:iam::${account[env]}:role/cci-lite-github-apply-${env}`,
      planKeyVariable: `PLAN_PUBLIC_KEY_${env.toUpperCase()}`,
    });
    expect(m.matrix.include).toEqual([entry("dev"), entry("prod")]);
    expect(m.excluded).toEqual(
      ["bootstrap-dev", "bootstrap-prod", "github"].map((stack) => ({ stack, backend: "local", reason: expect.stringMatching(/administrator/) })),
    );
    expect(dirname(bootstrap.synthDir)).toBe(dirname(prod.synthDir));
  });

  test("every matrix stack has a committed lock file", () => {
    for (const e of buildStackMatrix(synthOut()).matrix.include) {
      expect(readFileSync(join(__dirname, "..", "..", e.lockFile), "utf8")).toMatch(/registry\.terraform\.io\/hashicorp\/aws/);
    }
  });

  test("per-stack environment and role: dev is applied from its own environment with its own role, never prod's", () => {
    const byStack = Object.fromEntries(buildStackMatrix(synthOut()).matrix.include.map((e) => [e.stack, e]));
    expect(byStack["cci-lite-dev"]).toMatchObject({ environment: "dev", applyRoleArn: "arn:aws:iam::444455556666:role/cci-lite-github-apply-dev" });
    expect(byStack["cci-lite-prod"]).toMatchObject({ environment: "prod", applyRoleArn: "arn:aws:iam::111122223333:role/cci-lite-github-apply-prod" });
    const out = join(work, "cdktf.out");
    cpSync(synthOut(), out, { recursive: true, filter: (src) => !src.includes(`${"/"}assets${"/"}`) });
    const file = join(out, "stacks", "cci-lite-dev", "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    delete json["//"].cci_lite_delivery;
    writeFileSync(file, JSON.stringify(json));
    expect(() => buildStackMatrix(out)).toThrow(/cci-lite-dev: no safe deploy environment/);
  });

  test("not a hard-coded list: a stack added to the manifest appears in the matrix", () => {
    const out = join(work, "cdktf.out");
    cpSync(synthOut(), out, { recursive: true, filter: (src) => !src.includes(`${"/"}assets${"/"}`) });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    const copy = JSON.parse(readFileSync(join(out, "stacks", "cci-lite-prod", "cdk.tf.json"), "utf8"));
    cpSync(join(out, "stacks", "cci-lite-prod"), join(out, "stacks", "cci-lite-qa"), { recursive: true });
    writeFileSync(join(out, "stacks", "cci-lite-qa", "cdk.tf.json"), JSON.stringify(copy));
    manifest.stacks["cci-lite-qa"] = {
      ...manifest.stacks["cci-lite-prod"],
      name: "cci-lite-qa",
      workingDirectory: "stacks/cci-lite-qa",
      synthesizedStackPath: "stacks/cci-lite-qa/cdk.tf.json",
    };
    writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest));
    expect(buildStackMatrix(out).matrix.include.map((e) => e.stack)).toEqual(["cci-lite-dev", "cci-lite-prod", "cci-lite-qa"]);
  });

  test("backendOf and unsafe names", () => {
    expect(backendOf({ terraform: { backend: { s3: {} } } })).toBe("s3");
    expect(backendOf({ terraform: {} })).toBe("local");
    expect(backendOf({ terraform: { backend: { local: { path: "x" } } } })).toBe("local");
    expect(backendOf({ terraform: { cloud: { organization: "o" } } })).toBe("cloud");
    const out = join(work, "bad");
    cpSync(synthOut(), out, { recursive: true, filter: (src) => !src.includes(`${"/"}assets${"/"}`) });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    manifest.stacks["cci-lite-prod"].name = "prod; rm -rf /";
    writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest));
    expect(() => buildStackMatrix(out)).toThrow(/Unsafe stack name/);
    expect(() => buildStackMatrix(join(work, "missing"))).toThrow(/run the synth first/);
  });

  test("applyMatrix keeps only stacks with changes and insists on a result for every stack", () => {
    const full = buildStackMatrix(synthOut()).matrix;
    const changed = { stack: "cci-lite-prod", hasChanges: true, add: 1, change: 0, destroy: 0 };
    const devSame = { ...changed, stack: "cci-lite-dev", hasChanges: false };
    expect(applyMatrix([changed, devSame], full).include.map((e) => e.stack)).toEqual(["cci-lite-prod"]);
    expect(applyMatrix([{ ...changed, hasChanges: false }, devSame], full).include).toEqual([]);
    expect(() => applyMatrix([devSame], full)).toThrow(/No plan result for stack cci-lite-prod/);
    expect(() => applyMatrix([changed, devSame, { ...changed, stack: "ghost" }], full)).toThrow(/unknown stack ghost/);
  });
});

describe("checkov report", () => {
  const failed = {
    check_id: "CKV_AWS_145",
    check_name: "Ensure S3 bucket is encrypted with KMS",
    resource: "aws_s3_bucket.x",
    severity: "HIGH",
    guideline: "https://docs.example/145",
  };
  test("one framework (object), several (array), nothing scanned (bare summary)", () => {
    const one = parseCheckovReport({
      check_type: "terraform_plan",
      results: { failed_checks: [failed] },
      summary: { passed: 10, failed: 1, skipped: 2, parsing_errors: 0, checkov_version: "3.3.30" },
    });
    expect(one).toMatchObject({
      version: "3.3.30",
      passed: 10,
      failed: 1,
      skipped: 2,
      findings: [{ id: "CKV_AWS_145", resource: "aws_s3_bucket.x", severity: "HIGH" }],
    });
    const many = parseCheckovReport([
      { check_type: "terraform_plan", results: { failed_checks: [failed] }, summary: { passed: 1, failed: 1 } },
      { check_type: "secrets", results: { failed_checks: [] }, summary: { passed: 2, failed: 0 } },
    ]);
    expect(many).toMatchObject({ passed: 3, failed: 1 });
    const none = parseCheckovReport({ passed: 0, failed: 0, skipped: 0, parsing_errors: 0, resource_count: 0, checkov_version: "3.3.30" });
    expect(none).toMatchObject({ passed: 0, failed: 0, findings: [], version: "3.3.30" });
    expect(renderFindings(none)).toMatch(/no findings/);
  });

  test("a missing or broken report is reported, never thrown", () => {
    expect(readCheckovText(undefined).error).toMatch(/did not run/);
    expect(readCheckovText("{not json").error).toMatch(/could not be read/);
    expect(renderFindings(readCheckovText(undefined))).toMatch(/⚠️ the scan did not run/);
  });

  test("findings sorted by severity and capped", () => {
    const findings = Array.from({ length: 60 }, (_, i) => ({ ...failed, check_id: `CKV_${i}`, severity: i === 59 ? "CRITICAL" : "LOW" }));
    const md = renderFindings(parseCheckovReport({ results: { failed_checks: findings }, summary: { failed: 60 } }));
    expect(md.indexOf("CKV_59")).toBeLessThan(md.indexOf("CKV_0"));
    expect(md).toMatch(/…and 10 more/);
  });
});

describe("cli", () => {
  test("matrix writes the outputs and a summary naming the excluded stack", () => {
    expect(main(["matrix", "--out-dir", synthOut()], env)).toBe(0);
    const o = outputs();
    expect(JSON.parse(o.matrix!).include.map((e: { stack: string }) => e.stack)).toEqual(["cci-lite-dev", "cci-lite-prod"]);
    expect(o["has-stacks"]).toBe("true");
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8")).toMatch(/`bootstrap-prod`: \*\*excluded\*\* \(local backend: applied by an administrator/);
  });

  test("render-plan (pr) writes the comment, the job summary, the meta file and outputs", () => {
    const out = join(work, "comment.md");
    const meta = join(work, "meta.json");
    const scan = join(work, "checkov.json");
    writeFileSync(
      scan,
      JSON.stringify({ check_type: "terraform_plan", results: { failed_checks: [] }, summary: { passed: 5, failed: 0, checkov_version: "3.3.30" } }),
    );
    main(
      [
        "render-plan",
        "--kind",
        "pr",
        "--stack",
        "cci-lite-prod",
        "--plan-json",
        prod.planJson,
        "--plan-text",
        prod.planText,
        "--scan",
        scan,
        "--out",
        out,
        "--meta",
        meta,
        "--summary",
      ],
      env,
    );
    const body = readFileSync(out, "utf8");
    expect(body.startsWith(planCommentMarker("cci-lite-prod"))).toBe(true);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("https://github.com/acme/cci-lite/actions/runs/42");
    expect(body).toContain("`abcdef012345`");
    expect(body).toMatch(/checkov 3\.3\.30\):\*\* ✅ no findings/);
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8");
    expect(summary).toContain(prod.text.trim()); // the job summary has room for the whole plan
    expect(summary).not.toContain(planCommentMarker("cci-lite-prod"));
    expect(JSON.parse(readFileSync(meta, "utf8"))).toMatchObject({ stack: "cci-lite-prod", hasChanges: true, change: 0, destroy: 0 });
    expect(outputs()["has-changes"]).toBe("true");
  });

  test("render-plan (drift) has no PR marker; render-failure keeps the error", () => {
    const out = join(work, "issue.md");
    main(["render-plan", "--kind", "drift", "--stack", "cci-lite-prod", "--plan-json", prod.planJson, "--plan-text", prod.planText, "--out", out], env);
    expect(readFileSync(out, "utf8")).toMatch(/^### Drift: `cci-lite-prod`/);
    expect(readFileSync(out, "utf8")).toContain("closed by the first run without drift");
    const log = join(work, "plan.log");
    writeFileSync(log, "Initializing...\nError: Failed to get existing workspaces: AccessDenied\n");
    main(["render-failure", "--stack", "cci-lite-prod", "--log", log, "--out", out], env);
    expect(readFileSync(out, "utf8")).toContain("AccessDenied");
  });

  test("apply-matrix reads the per-stack plan results", () => {
    const metas = join(work, "metas");
    mkdirSync(metas);
    writeFileSync(join(metas, "cci-lite-prod.json"), JSON.stringify({ stack: "cci-lite-prod", hasChanges: true, add: 79, change: 0, destroy: 0 }));
    writeFileSync(join(metas, "cci-lite-dev.json"), JSON.stringify({ stack: "cci-lite-dev", hasChanges: true, add: 70, change: 0, destroy: 0 }));
    const full = JSON.stringify(buildStackMatrix(synthOut()).matrix);
    main(["apply-matrix", "--metas", metas, "--matrix", full], env);
    expect(outputs()["has-changes"]).toBe("true");
    expect(JSON.parse(outputs().matrix!).include.map((e: { stack: string; environment: string }) => [e.stack, e.environment])).toEqual([
      ["cci-lite-dev", "dev"],
      ["cci-lite-prod", "prod"],
    ]);
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8");
    expect(summary).toMatch(/`cci-lite-prod`: .*waits for approval in the `prod` environment/);
    expect(summary).toMatch(/`cci-lite-dev`: .*waits for approval in the `dev` environment/);
  });

  test("arguments, run URL and errors", () => {
    expect(parseArgs("render-plan", ["--stack", "1", "--summary", "--plan-json", "2", "--out="])).toEqual({
      stack: "1",
      summary: true,
      "plan-json": "2",
      out: "",
    });
    expect(parseArgs("apply-result", ["--outcome", ""])).toEqual({ outcome: "" });
    expect(() => parseArgs("render-plan", ["x"])).toThrow("render-plan: Unexpected argument 'x'");
    expect(() => parseArgs("matrix", ["--out-dir"])).toThrow("matrix: Option '--out-dir <value>' argument missing");
    expect(() => parseArgs("render-failure", ["--summary=yes"])).toThrow("render-failure: Option '--summary' does not take an argument");
    // An option of another command (or a typo) is refused by name, not ignored.
    expect(() => main(["redact-plan", "--plan-json", "p.json", "--out", "o.json", "--stack", "s"], env)).toThrow("redact-plan: Unknown option '--stack'");
    expect(() => main(["matrix", "--outdir", "x"], env)).toThrow("matrix: Unknown option '--outdir'");
    expect(runUrl({ ...env, GITHUB_RUN_ATTEMPT: "2" })).toBe("https://github.com/acme/cci-lite/actions/runs/42/attempts/2");
    expect(() => main(["nope"], env)).toThrow(/Unknown command/);
    expect(() => main(["render-plan", "--stack", "x"], env)).toThrow(/--plan-json is required/);
  });
});
