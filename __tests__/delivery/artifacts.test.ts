/**
 * Plan artifacts: encryption round trip of a REAL saved plan (scripts/delivery/seal.sh with OpenSSL), the redacted
 * plan JSON the security scan gets (real offline plan), and the apply role's session length.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOfflinePlan, plannedResources, PLAN_TIMEOUT_MS, type LoadedPlan } from "../helpers/offline-plan";
import { maskSensitive, REDACTED, redactPlanForScan } from "../../scripts/delivery/redact";
import { summarizePlan } from "../../scripts/delivery/plan-summary";
import { main } from "../../scripts/delivery/cli";
import { INIT_ARGS, terraformEnv } from "../../scripts/offline-plan";
import { APPLY_ROLE_MAX_SESSION_SECONDS } from "../../modules/bootstrap";
import { REPO_ROOT, workflow } from "./workflows";

jest.setTimeout(PLAN_TIMEOUT_MS);

const SEAL = join(REPO_ROOT, "scripts", "delivery", "seal.sh");
let prod: LoadedPlan;
let bootstrap: LoadedPlan;
let work: string;

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8", cwd: work });
const seal = (...args: string[]) => run("bash", [SEAL, ...args]);
/** `seal.sh open` with the digest `seal` printed for the file (the apply job gets it from the plan job's output). */
const open = (key: string, sealedFile: string, out: string, digest = sha256(sealedFile)) => seal("open", key, sealedFile, out, digest);
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A committed test-only RSA-3072 key pair (__tests__/fixtures/keys/README.md): generating one costs seconds per run. */
function keyPair(name: "prod" | "dev"): { priv: string; pub: string } {
  const dir = join(REPO_ROOT, "__tests__", "fixtures", "keys");
  const priv = join(dir, `test-only-${name}.pem`);
  const pub = join(dir, `test-only-${name}.pub.pem`);
  // The pair belongs together: the public key derived from the private one is the committed public key.
  expect(run("openssl", ["pkey", "-in", priv, "-pubout"]).stdout).toBe(readFileSync(pub, "utf8"));
  return { priv, pub };
}

beforeAll(() => {
  prod = loadOfflinePlan("cci-lite-prod");
  bootstrap = loadOfflinePlan("bootstrap-prod");
  work = mkdtempSync(join(tmpdir(), "seal-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("artifact encryption round trip (seal.sh)", () => {
  let prodKey: { priv: string; pub: string };
  let devKey: { priv: string; pub: string };
  let sealed: string;
  beforeAll(() => {
    prodKey = keyPair("prod");
    devKey = keyPair("dev");
    sealed = join(work, "plan.sealed");
  });

  test("encrypts a real saved plan with the public key and decrypts it, byte for byte, with the private key", () => {
    const r = seal("seal", prodKey.pub, prod.planFile, sealed);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // It prints the sealed file's SHA-256: what the plan job hands the apply job as a job output.
    expect(r.stdout).toBe(`${sha256(sealed)}\n`);
    const original = readFileSync(prod.planFile);
    const box = readFileSync(sealed);
    // Nothing of the plan is readable in the artifact (the plan file is a zip holding cdk.tf.json names and values).
    expect(box.includes(Buffer.from("aws_s3_bucket"))).toBe(false);
    expect(box.includes(original.subarray(0, 64))).toBe(false);
    const back = join(work, "plan.back");
    expect(open(prodKey.priv, sealed, back).status).toBe(0);
    expect(readFileSync(back).equals(original)).toBe(true);
    expect(statSync(back).size).toBe(original.length);
  });

  test("the apply job's artifact round trip: pack, seal, open, unpack, and Terraform reads exactly the same saved plan", () => {
    // The plan job's commands (apply.yml): tar without .terraform, seal with the environment's public key.
    const tgz = join(work, "plan.tgz");
    expect(run("tar", ["-C", prod.workDir, "--exclude=./.terraform", "-czf", tgz, "."]).status).toBe(0);
    expect(seal("seal", prodKey.pub, tgz, join(work, "artifact.sealed")).status).toBe(0);
    // The apply job's commands: open with the environment's private key, unpack into the stack directory, init.
    const stackDir = join(work, "stack");
    expect(open(prodKey.priv, join(work, "artifact.sealed"), join(work, "opened.tgz")).status).toBe(0);
    expect(run("mkdir", ["-p", stackDir]).status).toBe(0);
    expect(run("tar", ["-C", stackDir, "-xzf", join(work, "opened.tgz")]).status).toBe(0);
    const tf = (...args: string[]) => spawnSync("terraform", args, { cwd: stackDir, env: terraformEnv(), encoding: "utf8", maxBuffer: 1 << 28 });
    const init = tf(...INIT_ARGS);
    expect(init.stderr).toBe("");
    expect(init.status).toBe(0);
    const shown = tf("show", "-json", "plan.tfplan");
    expect(shown.status).toBe(0);
    const json = JSON.parse(shown.stdout);
    expect(summarizePlan(json)).toEqual(summarizePlan(prod.json));
    expect(json.configuration).toEqual(prod.json.configuration);
  });

  test("the wrong key (another environment's) fails and writes nothing", () => {
    const out = join(work, "wrong.out");
    const r = open(devKey.priv, sealed, out);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot unwrap the data key \(wrong private key\?\)/);
    expect(() => statSync(out)).toThrow();
  });

  test("an altered artifact fails the integrity check", () => {
    const dir = join(work, "tamper");
    expect(run("mkdir", ["-p", dir]).status).toBe(0);
    expect(run("tar", ["-C", dir, "-xf", sealed]).status).toBe(0);
    const payload = join(dir, "payload.enc");
    const bytes = readFileSync(payload);
    bytes[bytes.length - 40] ^= 0xff;
    writeFileSync(payload, bytes);
    const altered = join(work, "altered.sealed");
    expect(run("tar", ["-C", dir, "-cf", altered, "FORMAT", "key.enc", "payload.enc", "payload.hmac"]).status).toBe(0);
    // With the altered file's own digest (a digest check alone would stop it: seal-digest.test.ts), the MAC does.
    const r = open(prodKey.priv, altered, join(work, "altered.out"));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/integrity check failed/);
  });

  test("refuses a private key where a public key belongs, a missing key and a non-sealed input", () => {
    expect(seal("seal", prodKey.priv, prod.planFile, join(work, "x")).stderr).toMatch(/is not a PEM public key/);
    expect(open(prodKey.pub, prod.planFile, join(work, "x")).stderr).toMatch(/is not a PEM private key/);
    expect(seal("seal", join(work, "none.pem"), prod.planFile, join(work, "x")).stderr).toMatch(/missing or empty/);
    expect(open(prodKey.priv, prod.planFile, join(work, "x")).stderr).toMatch(/not a sealed file/);
    expect(seal("bogus", prodKey.pub, prod.planFile, join(work, "x")).stderr).toMatch(/unknown mode/);
  });

  test("errored.tfstate round trip (what a failed apply keeps)", () => {
    const state = join(work, "errored.tfstate");
    writeFileSync(state, JSON.stringify({ version: 4, serial: 7, resources: [{ type: "aws_s3_bucket", name: "input" }] }));
    expect(seal("seal", prodKey.pub, state, join(work, "errored.sealed")).status).toBe(0);
    expect(open(prodKey.priv, join(work, "errored.sealed"), join(work, "errored.back")).status).toBe(0);
    expect(readFileSync(join(work, "errored.back"), "utf8")).toBe(readFileSync(state, "utf8"));
  });

  test("seal.sh passes shellcheck", () => {
    const r = spawnSync("shellcheck", ["-s", "bash", SEAL], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("the plan JSON the security scan gets (redacted, real offline plan)", () => {
  test("no prior state, no before values, no drift, no variables; sensitive values replaced; resources intact", () => {
    const red = redactPlanForScan(prod.json) as Record<string, any>;
    expect(Object.keys(red).sort()).toEqual(
      [
        "applyable",
        "complete",
        "configuration",
        "errored",
        "format_version",
        "output_changes",
        "planned_values",
        "resource_changes",
        "terraform_version",
      ].sort(),
    );
    const text = JSON.stringify(red);
    expect(text).not.toMatch(/"prior_state"|"before":|"before_sensitive"|"resource_drift"/); // top-level "variables" is gone (keys above)
    // Every value Terraform marks sensitive in the real plan is gone, and nothing else.
    // Sensitive leaves that have a value (unknown or null ones have nothing to hide).
    let sensitive = 0;
    const count = (v: any, m: any): void => {
      if (m === true) sensitive += v === null || v === undefined ? 0 : 1;
      else if (m && typeof m === "object" && v && typeof v === "object") for (const k of Object.keys(m)) count(v[k], m[k]);
    };
    for (const rc of prod.json.resource_changes) count(rc.change.after, rc.change.after_sensitive);
    expect(sensitive).toBeGreaterThan(0);
    const redactedAfter = red.resource_changes.reduce((n: number, rc: any) => n + (JSON.stringify(rc.change.after).split(REDACTED).length - 1), 0);
    expect(redactedAfter).toBe(sensitive);
    // Same resources and actions: the scan and the comment see the whole change.
    expect(summarizePlan(red as never)).toEqual(summarizePlan(prod.json));
    expect(red.resource_changes.map((rc: any) => rc.address)).toEqual(prod.json.resource_changes.map((rc: any) => rc.address));
    const bucket = plannedResources(prod, "aws_s3_bucket")[0]!;
    expect(red.resource_changes.find((rc: any) => rc.address === bucket.address).change.after.bucket).toBe(bucket.after.bucket);
    // Outputs keep their actions only.
    for (const oc of Object.values<any>(red.output_changes)) expect(Object.keys(oc)).toEqual(["actions"]);
  });

  test("maskSensitive follows Terraform's nested sensitivity masks", () => {
    expect(maskSensitive({ a: "x", b: { c: "secret", d: [1, "s"] } }, { b: { c: true, d: [false, true] } })).toEqual({
      a: "x",
      b: { c: REDACTED, d: [1, REDACTED] },
    });
    expect(maskSensitive(null, true)).toBeNull();
    expect(() => redactPlanForScan({} as never)).toThrow(/Not a Terraform plan/);
  });

  test("cli redact-plan writes it (what the plan job uploads for the scan)", () => {
    const out = join(work, "scan.json");
    expect(main(["redact-plan", "--plan-json", prod.planJson, "--out", out], {})).toBe(0);
    const red = JSON.parse(readFileSync(out, "utf8"));
    expect(red.prior_state).toBeUndefined();
    expect(red.resource_changes).toHaveLength(prod.json.resource_changes.length);
  });
});

describe("apply session", () => {
  test("session >= timeout: the synthesized apply roles allow the session the apply job asks for", () => {
    const apply = workflow("apply").doc.jobs.apply!;
    const asked = Number(apply.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!.with!["role-duration-seconds"]);
    const timeout = Number((apply as { "timeout-minutes"?: number })["timeout-minutes"]);
    expect(asked).toBeGreaterThanOrEqual(timeout * 60);
    const roles = plannedResources(bootstrap, "aws_iam_role").filter((r) => /-github-apply-/.test(r.after.name));
    expect(roles.length).toBeGreaterThanOrEqual(1); // prod's account: its one apply role
    for (const r of roles) {
      expect(r.after.max_session_duration).toBe(APPLY_ROLE_MAX_SESSION_SECONDS);
      expect(asked).toBeLessThanOrEqual(r.after.max_session_duration);
    }
  });
});
