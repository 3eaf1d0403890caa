/**
 * The rule pack: every rule against a compliant and a non-compliant fixture, the real configuration with zero
 * violations (toggles on and off, one and two tenants), and a broken app that fails a real `cdktf synth`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Aspects, Testing } from "cdktf";
import { BootstrapStack, CciLiteStack } from "../../main";
import { RULES, SUPPRESSIONS, SecurityRules, errorsOf } from "../../modules/security";
import { config, fakeBundles } from "../helpers/synth";
import { RULE_FIXTURES, violations } from "./fixtures";

const REPO = path.resolve(__dirname, "..", "..");
const ids = (errors: string[], id: string) => errors.filter((e) => e.startsWith(`[${id}] `));

describe("rule pack definition", () => {
  it("gives every rule a unique id, a rationale and a guide or FSBP reference", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^CCI-[A-Z0-9]+-\d+$/);
      expect(r.rationale.length).toBeGreaterThan(20);
      expect(r.reference).toMatch(/Guide §|FSBP|IAM User Guide|GitHub OIDC/);
    }
  });

  it("keeps one rule per file, modules/security/rules/<service>/<RULE-ID>.ts, beside its service's helpers", () => {
    const dir = path.join(REPO, "modules", "security", "rules");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const ruleFiles = files.filter((f) => !/(^|\/)[a-z-]*helpers\.ts$/.test(f));
    expect(ruleFiles.map((f) => path.basename(f, ".ts")).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const f of ruleFiles) {
      expect(f).toMatch(/^[a-z0-9]+\/CCI-[A-Z0-9]+-\d+\.ts$/);
      expect(fs.readFileSync(path.join(dir, f), "utf8")).toContain(`id: "${path.basename(f, ".ts")}"`);
    }
    for (const f of files.filter((x) => !ruleFiles.includes(x))) expect(f).toMatch(/^[a-z0-9]+\/([a-z-]+-)?helpers\.ts$/);
  });

  it("has a compliant and a non-compliant fixture for every rule", () => {
    expect(Object.keys(RULE_FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))("%s", (id) => {
  const fixture = RULE_FIXTURES[id];

  it("accepts the compliant fixture", () => {
    expect(ids(violations(fixture.compliant), id)).toEqual([]);
  });

  it("reports the non-compliant fixture with the rule id and the construct path", () => {
    const found = ids(violations(fixture.broken, { tags: fixture.brokenTags }), id);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatch(new RegExp(`^\\[${id}\\] fixture/\\S*: `));
  });
});

describe("the CCI Lite stacks", () => {
  const synthAll = (overrides: Parameters<typeof config>[0] = {}) => {
    const app = Testing.app();
    const cfg = config(overrides);
    const stacks = [new CciLiteStack(app, cfg, { bundles: fakeBundles() }), new BootstrapStack(app, "bootstrap", [cfg])];
    const json = stacks.map((s) => JSON.parse(Testing.synth(s)));
    return { errors: errorsOf(app), json };
  };

  it("has zero violations in the default configuration", () => {
    expect(synthAll().errors).toEqual([]);
  });

  it.each([
    ["create", { mode: "create" }],
    ["existing", { mode: "existing", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-01234567", "subnet-89abcdef"], routeTableIds: ["rtb-01234567"] }],
  ])("has zero violations with private networking (network.mode %s), every function in the VPC (CCI-LAMBDA-5 applies)", (_mode, network) => {
    const { errors, json } = synthAll({ network } as Parameters<typeof config>[0]);
    expect(errors).toEqual([]);
    const fns = Object.values<any>(json[0].resource.aws_lambda_function);
    expect(fns).toHaveLength(3);
    for (const f of fns) expect(f.vpc_config.subnet_ids).toHaveLength(2);
  });

  it("has zero violations with CloudTrail and GuardDuty on and two tenants", () => {
    const { errors, json } = synthAll({
      cloudtrail: { enabled: true },
      guardduty: { enabled: true },
      tenants: [{ id: "acme" }, { id: "globex", readerPrincipals: ["arn:aws:iam::444455556666:root"] }],
    });
    expect(errors).toEqual([]);
    expect(Object.keys(json[0].resource.aws_cloudtrail)).toHaveLength(1);
    expect(Object.keys(json[0].resource.aws_s3_access_point)).toHaveLength(4);
  });

  it("lists each suppression with a reason and applies it only where named", () => {
    for (const s of SUPPRESSIONS) expect(s.reason.length).toBeGreaterThan(40);
    const app = Testing.app();
    const stack = new BootstrapStack(app, "bootstrap", [config()]);
    const unsuppressed = new SecurityRules({ suppressions: [] });
    Aspects.of(stack).add(unsuppressed);
    Testing.synth(stack);
    // Without the suppression the apply boundary and apply policy (service:* on *) are violations; with it, nothing else is.
    expect(errorsOf(stack)).toEqual([
      expect.stringMatching(/^\[CCI-IAM-1\] bootstrap\/delivery\/apply\/boundary: statement AllowAppServices allows/),
      expect.stringMatching(/^\[CCI-IAM-1\] bootstrap\/delivery\/apply\/prod\/policy: statement ManageAppResources allows/),
    ]);
  });

  it("fails the real `cdktf synth` of a deliberately broken app, naming every rule id", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-broken-"));
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "true", terraformProviders: [], terraformModules: [] }));
    let status = 0;
    let output = "";
    try {
      execFileSync(
        path.join(REPO, "node_modules", ".bin", "cdktf"),
        ["synth", "--app", `${path.join(REPO, "node_modules", ".bin", "tsx")} ${path.join(__dirname, "broken-app.ts")}`],
        {
          cwd: dir,
          env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0", TF_CLI_CONFIG_FILE: path.join(REPO, "tf", "offline.tfrc") },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      status = err.status;
      output = `${err.stdout}${err.stderr}`;
    }
    expect(status).toBe(1);
    for (const r of RULES) expect(output).toContain(`[${r.id}] broken/`);
  }, 120_000);
});

describe("docs/security.md", () => {
  const doc = fs.readFileSync(path.join(REPO, "docs", "security.md"), "utf8");
  it("lists every rule id and every suppression with its construct", () => {
    for (const r of RULES) expect(doc).toContain(`| ${r.id} |`);
    for (const s of SUPPRESSIONS) expect(doc).toContain(`| ${s.rule} | \`bootstrap/${s.path}\``);
  });
});

describe("CCI-S3-4 upload encryption denies (issue 12)", () => {
  it("reports each gap of the header-presence design: no key-id denies, and a deny that breaks multipart uploads", () => {
    const found = ids(violations(RULE_FIXTURES["CCI-S3-4"].broken), "CCI-S3-4").join("\n");
    expect(found).toContain("aws:kms and no s3:x-amz-server-side-encryption-aws-kms-key-id");
    expect(found).toContain("names another key");
    expect(found).toContain("multipart UploadPart requests cannot carry it");
  });
});
