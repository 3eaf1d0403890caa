/**
 * The emulated tier's rewrite of the synthesized stacks (scripts/emulated/overrides.ts), on every configuration the
 * tier applies (scripts/emulated/configurations.ts): every endpoint of the provider and the backend is 127.0.0.1, every
 * service of the stack has one, the excluded types are gone with everything referring to them, and the synthesized
 * output itself is left as it was.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../main";
import { EMULATED_CONFIGURATIONS, writeEmulatedConfigs } from "../../scripts/emulated/configurations";
import {
  assertLoopbackEndpoints,
  CONDITIONAL_DENY_REASON,
  EMULATOR_MAX_RETRIES,
  emulatedStackJson,
  endpointOf,
  endpointUrls,
  EXCLUDED_TYPES,
  type StackJson,
} from "../../scripts/emulated/overrides";
import { offlinePlannable, stacksOf } from "../../scripts/offline-plan";
import { fakeBundles } from "../helpers/synth";
import { EXISTING_NETWORK } from "../helpers/plan-targets";

const MOTO = "http://127.0.0.1:4566";
let stacks: Array<{ name: string; json: StackJson; text: string }>;
let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-emulated-overrides-"));
  const configDir = writeEmulatedConfigs(path.join(root, "config"), EXISTING_NETWORK);
  buildApp({ configDir, outdir: path.join(root, "out"), bundles: fakeBundles() }).synth();
  stacks = offlinePlannable(stacksOf(path.join(root, "out"))).plannable.map((s) => {
    const text = fs.readFileSync(path.join(s.synthDir, "cdk.tf.json"), "utf8");
    return { name: s.name, json: JSON.parse(text), text };
  });
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("the emulated copy of every applied configuration", () => {
  it("covers bootstrap and one stack per emulated configuration", () => {
    expect(stacks.map((s) => s.name).sort()).toEqual(["bootstrap", ...EMULATED_CONFIGURATIONS.map((c) => `cci-lite-${c.environment}`)].sort());
  });

  it("sends every request of the provider and the backend to 127.0.0.1", () => {
    for (const s of stacks) {
      const { json } = emulatedStackJson(s.json, MOTO);
      const urls = endpointUrls(json);
      expect(urls.length).toBeGreaterThan(1);
      for (const u of urls) expect([s.name, new URL(u).hostname]).toEqual([s.name, "127.0.0.1"]);
      expect(() => assertLoopbackEndpoints(s.name, json)).not.toThrow();
      const [provider] = json.provider?.aws ?? [];
      expect(provider).toMatchObject({ skip_credentials_validation: true, s3_use_path_style: true, max_retries: EMULATOR_MAX_RETRIES });
      // The account pin stays: moto answers STS with MOTO_ACCOUNT_ID, so it is really checked.
      expect(provider.allowed_account_ids).toEqual(s.json.provider?.aws?.[0].allowed_account_ids);
    }
  });

  it("has an endpoint for the service of every remaining resource type, and STS", () => {
    for (const s of stacks) {
      const { json, endpoints } = emulatedStackJson(s.json, MOTO);
      expect(endpoints.sts).toBe(MOTO);
      for (const type of Object.keys(json.resource ?? {})) {
        const key = endpointOf(type);
        if (key) expect([s.name, type, endpoints[key]]).toEqual([s.name, type, MOTO]);
      }
    }
  });

  it("points the app stacks' S3 backend at moto, keeping bucket, key, KMS key and lockfile", () => {
    for (const s of stacks.filter((x) => x.name !== "bootstrap")) {
      const backend = emulatedStackJson(s.json, MOTO).json.terraform?.backend?.s3 as Record<string, unknown>;
      const synthesized = s.json.terraform?.backend?.s3 as Record<string, unknown>;
      expect(backend).toMatchObject({ ...synthesized, endpoints: { s3: MOTO, sts: MOTO }, use_path_style: true });
    }
  });

  it("removes the excluded types and what refers to them, and drops only conditional Deny statements", () => {
    const prod = stacks.find((s) => s.name === "cci-lite-prod") as (typeof stacks)[number];
    const emulated = emulatedStackJson(prod.json, MOTO);
    expect(emulated.excluded.length).toBeGreaterThan(0);
    for (const type of Object.keys(EXCLUDED_TYPES)) expect(emulated.json.resource?.[type]).toBeUndefined();
    const text = JSON.stringify(emulated.json);
    for (const address of [...emulated.excluded, ...emulated.dependents]) expect(text).not.toContain(`\${${address}.`);
    expect(emulated.droppedStatements.length).toBeGreaterThan(0);
    for (const [, block] of Object.entries(emulated.json.resource?.aws_s3_bucket_policy ?? {})) {
      const doc = JSON.parse((block as { policy: string }).policy);
      expect(doc.Statement.filter((st: { Effect: string; Condition?: unknown }) => st.Effect === "Deny" && st.Condition)).toEqual([]);
    }
    expect(CONDITIONAL_DENY_REASON).toMatch(/moto/);
  });

  it("never changes the synthesized stack it copies", () => {
    for (const s of stacks) {
      emulatedStackJson(s.json, MOTO);
      expect(JSON.stringify(s.json)).toBe(JSON.stringify(JSON.parse(s.text)));
    }
  });
});

describe("the loopback check and the endpoint table", () => {
  it("refuses an endpoint that is not 127.0.0.1, naming it", () => {
    const json: StackJson = { provider: { aws: [{ endpoints: [{ s3: MOTO, kms: "https://kms.eu-central-1.amazonaws.com" }] }] } };
    expect(() => assertLoopbackEndpoints("x", json)).toThrow(/kms\.eu-central-1\.amazonaws\.com, not 127\.0\.0\.1/);
    expect(() => assertLoopbackEndpoints("x", { provider: { aws: [{}] } })).toThrow(/no endpoints/);
    expect(() => assertLoopbackEndpoints("x", { provider: { aws: [{ endpoints: [{ s3: "http://localhost.example:1" }] }] } })).toThrow(/not 127/);
  });
  it("names an unknown resource type instead of guessing its service", () => {
    expect(() => endpointOf("aws_rds_cluster")).toThrow(/aws_rds_cluster.*ENDPOINT_OF/);
    expect(endpointOf("aws_s3_access_point")).toBe("s3control");
    expect(endpointOf("aws_s3_bucket_policy")).toBe("s3");
    expect(endpointOf("aws_iam_policy_document")).toBeNull();
    expect(endpointOf("aws_vpc_security_group_ingress_rule")).toBe("ec2");
  });
  it("removes a dependent of an excluded resource (references and depends_on), transitively", () => {
    const json: StackJson = {
      provider: { aws: [{}] },
      resource: {
        aws_budgets_budget: { b: { name: "x" } },
        aws_sns_topic: { t: { name: "${aws_budgets_budget.b.name}" }, keep: { name: "k" } },
        aws_sns_topic_policy: { p: { arn: "${aws_sns_topic.t.arn}" }, k: { arn: "${aws_sns_topic.keep.arn}" } },
        aws_sqs_queue: { q: { depends_on: ["aws_sns_topic_policy.p"] } },
      },
      output: { o: { value: "${aws_sns_topic.t.arn}" } },
    };
    const e = emulatedStackJson(json, MOTO);
    expect(e.excluded).toEqual(["aws_budgets_budget.b"]);
    expect([...e.dependents].sort()).toEqual(["aws_sns_topic.t", "aws_sns_topic_policy.p", "aws_sqs_queue.q", "output.o"]);
    expect(Object.keys(e.json.resource ?? {}).sort()).toEqual(["aws_sns_topic", "aws_sns_topic_policy"]);
    expect(Object.keys(e.json.resource?.aws_sns_topic ?? {})).toEqual(["keep"]);
  });
});
