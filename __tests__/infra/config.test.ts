import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TENANT_SETTING_LIST } from "../../lambda-src/contracts/tenant-settings";
import { ConfigError } from "../../modules/config/errors";
import { accountGroups, loadConfigFile, loadEnvironments, parseConfig } from "../../modules/config/load";
import { bedrockResourceArns, naming } from "../../modules/config/naming";
import { BASE_CONFIG, config } from "../helpers/synth";

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, "config/prod.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain("config/prod.json");
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}

const withTenants = (tenants: unknown[]) => ({ ...BASE_CONFIG, tenants });

describe("configuration: defaults", () => {
  it("fills every default from a minimal file (account and repository only)", () => {
    const c = parseConfig({ environment: "dev", accountId: "123456789012", github: { repository: "acme/cci" }, quicksight: { enabled: false } }, "dev.json");
    expect(c.region).toBe("eu-central-1");
    // One tenant, every setting at its declared default (inheriting ones unset), no principals or groups.
    const settingDefaults = Object.fromEntries(TENANT_SETTING_LIST.filter(([, d]) => !d.inherit).map(([field, d]) => [field, d.default]));
    expect(c.tenants).toEqual([{ id: "demo-tenant", ...settingDefaults, uploaderPrincipals: [], quicksightGroups: [] }]);
    expect(c.tenants[0]).toMatchObject({ languages: ["en-US"], redactPii: false, maxSpeakers: 2 });
    expect(c.tenants[0].resultsRetentionDays).toBeUndefined();
    expect(c.bedrock.modelId).toBe("eu.anthropic.claude-haiku-4-5-20251001-v1:0");
    expect(c.retention).toEqual({ inputDays: 1, resultsDays: 30, transcriptsDays: 7, athenaResultsDays: 7, logsDays: 30 });
    expect(c.budget.monthlyLimit).toBe(100);
    expect(c.glueCrawler.enabled).toBe(false);
    expect(c.cloudtrail.enabled).toBe(false);
    expect(c.guardduty.enabled).toBe(false);
    expect(c.processing.paused).toBe(false);
    // First-apply safe defaults (#12 item 5): nothing that fails in an ordinary or new account.
    expect(c.processing.reservedConcurrency).toBeUndefined();
    expect(c.processing.intakeMaxConcurrency).toBe(5);
    expect(c.guardduty.createDetector).toBe(true);
    expect(c.github.useExistingOidcProvider).toBe(false);
    expect(c.access).toEqual({ uploaders: [], operators: [], analysts: [], administrators: [], transcriptReaders: [] });
    const noQuickSight = parseConfig({ environment: "dev", accountId: "123456789012", github: { repository: "acme/cci" } }, "dev.json");
    expect(noQuickSight.quicksight.enabled).toBe(false);
  });

  it("derives globally unique bucket names from prefix, environment, account and region", () => {
    const n = naming(config());
    expect(n.inputBucket).toBe("cci-lite-prod-input-111122223333-eu-central-1");
    expect(n.resultsBucket).toBe("cci-lite-prod-results-111122223333-eu-central-1");
    expect(naming(config({ buckets: { input: "my-input" } })).inputBucket).toBe("my-input");
  });

  it("allows the EU inference profile and the foundation model in any region (the policy requires the profile), or the named regions", () => {
    expect(bedrockResourceArns(config())).toEqual([
      "arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
    ]);
    expect(bedrockResourceArns(config({ bedrock: { destinationRegions: ["eu-west-1", "eu-north-1"] } })).slice(1)).toEqual([
      "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
      "arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
    ]);
    expect(bedrockResourceArns(config({ bedrock: { modelId: "anthropic.claude-haiku-4-5-20251001-v1:0" } }))).toEqual([
      "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
    ]);
  });
});

describe("configuration: each class of mistake fails with the file and the field", () => {
  it("missing account id", () => {
    const { accountId: _, ...rest } = BASE_CONFIG as any;
    expect(problems(rest)).toEqual([expect.stringMatching(/^accountId: is required/)]);
  });
  it("account id that is not 12 digits", () => {
    expect(problems({ ...BASE_CONFIG, accountId: "1234" })).toEqual(["accountId: must be 12 digits"]);
  });
  it("unknown region", () => {
    expect(problems({ ...BASE_CONFIG, region: "eu-middle-9" })[0]).toMatch(/^region: /);
  });
  it("duplicate tenant", () => {
    expect(problems(withTenants([{ id: "acme" }, { id: "beta" }, { id: "acme" }]))).toEqual(['tenants[2].id: duplicates tenants[0].id "acme"']);
  });
  it.each([["Acme"], ["acme/calls"], ["-acme"], ["acme_1"], ["a".repeat(33)], [""], ["acme corp"]])("tenant id %p that is not a safe S3 prefix", (id) => {
    expect(problems(withTenants([{ id }]))[0]).toMatch(/^tenants\[0\]\.id: must be 1-32 characters/);
  });
  it("tenant id that shadows a pipeline prefix", () => {
    expect(problems(withTenants([{ id: "tmp" }]))).toEqual([expect.stringMatching(/^tenants\[0\]\.id: is reserved/)]);
  });
  it("a quota that is not a positive whole number, or an unknown quota", () => {
    expect(problems({ ...BASE_CONFIG, processing: { quotas: { modelRequestsPerMinute: 0 } } })[0]).toMatch(/^processing\.quotas\.modelRequestsPerMinute: /);
    expect(problems({ ...BASE_CONFIG, processing: { quotas: { comprehendRequestsPerSecond: 2.5 } } })[0]).toMatch(
      /^processing\.quotas\.comprehendRequestsPerSecond: /,
    );
    expect(problems({ ...BASE_CONFIG, processing: { quotas: { bedrockRpm: 10 } } })[0]).toBe("processing.quotas.bedrockRpm: unknown field");
  });
  it("a person group naming an IAM user, an Identity Center role or no role: one message each, naming the field", () => {
    const access = (analysts: string[]) => ({ ...BASE_CONFIG, access: { uploaders: [], operators: [], analysts, administrators: [] } });
    expect(problems(access(["arn:aws:iam::111122223333:user/alice"]))).toEqual([
      "access.analysts[0]: is an IAM user: attach the policy to a role instead (rule CCI-IAM-3: no policies on users)",
    ]);
    expect(problems(access(["arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Analyst_0123456789abcdef"]))).toEqual([
      "access.analysts[0]: is an IAM Identity Center role, which takes no attached policy (UnmodifiableEntity): add the policy to its permission set instead",
    ]);
    expect(problems(access(["arn:aws:iam::111122223333:root"]))).toEqual(["access.analysts[0]: is not an IAM role ARN"]);
    expect(parseConfig(access(["arn:aws:iam::111122223333:role/team/Analyst"]), "test.json").access.analysts).toEqual([
      "arn:aws:iam::111122223333:role/team/Analyst",
    ]);
  });
  it("no tenants at all", () => {
    expect(problems(withTenants([]))[0]).toMatch(/^tenants: /);
  });
  it("unknown Transcribe language", () => {
    expect(problems(withTenants([{ id: "acme", languages: ["xx-XX"] }]))[0]).toMatch(
      /^tenants\[0\]\.languages: has codes Transcribe batch does not accept: xx-XX/,
    );
  });
  it("more than five identification languages", () => {
    expect(problems(withTenants([{ id: "acme", languages: ["en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL"] }]))[0]).toMatch(/^tenants\[0\]\.languages: /);
  });
  it("a pause with audio that would expire under the waiting uploads", () => {
    expect(problems({ ...BASE_CONFIG, processing: { paused: true } })).toEqual([
      expect.stringMatching(/^retention\.inputDays: must be 7 while processing\.paused is true/),
    ]);
    expect(
      parseConfig({ ...BASE_CONFIG, processing: { paused: true }, retention: { ...(BASE_CONFIG as any).retention, inputDays: 7 } }, "x.json").processing.paused,
    ).toBe(true);
  });
  it("PII redaction together with language identification", () => {
    expect(problems(withTenants([{ id: "acme", languages: ["en-US", "de-DE"], redactPii: true }]))).toEqual([
      "tenants[0].redactPii: cannot be combined with language identification (more than one language): Transcribe does not support both",
    ]);
  });
  it("PII redaction in a language Transcribe cannot redact", () => {
    expect(problems(withTenants([{ id: "acme", languages: ["de-DE"], redactPii: true }]))[0]).toMatch(/^tenants\[0\]\.redactPii: is not available for de-DE/);
  });
  it.each([
    ["inputDays", 0],
    ["inputDays", 8],
    ["resultsDays", 0],
    ["resultsDays", 5000],
    ["logsDays", 31],
  ])("retention.%s = %p out of range", (field, value) => {
    expect(problems({ ...BASE_CONFIG, retention: { ...(BASE_CONFIG as any).retention, [field]: value } })[0]).toMatch(new RegExp(`^retention\\.${field}: `));
  });
  it("temporary transcripts kept longer than a tenant's results", () => {
    expect(problems(withTenants([{ id: "acme", resultsRetentionDays: 3 }]))).toEqual([
      "retention.transcriptsDays: must not exceed the shortest results retention (3 days): transcripts expire with or before results",
    ]);
  });
  it("unknown field (a typo is not silently ignored)", () => {
    expect(problems({ ...BASE_CONFIG, retension: {} })).toEqual(["retension: unknown field"]);
    expect(problems({ ...BASE_CONFIG, budget: { monthlyLimt: 5 } })).toEqual(["budget.monthlyLimt: unknown field"]);
  });
  it("QuickSight on without a principal", () => {
    expect(problems({ ...BASE_CONFIG, quicksight: { enabled: true } })).toEqual(["quicksight.principalArn: is required when quicksight.enabled is true"]);
  });
  it("alarm e-mail that is not an address", () => {
    expect(problems({ ...BASE_CONFIG, alarms: { emails: ["ops"] } })).toEqual(["alarms.emails[0]: is not an e-mail address"]);
  });
  it("budget that is not positive", () => {
    expect(problems({ ...BASE_CONFIG, budget: { monthlyLimit: 0 } })[0]).toMatch(/^budget\.monthlyLimit: /);
  });
  it("repository that is not owner/name", () => {
    expect(problems({ ...BASE_CONFIG, github: { repository: "cci-lite" } })).toEqual(["github.repository: must be owner/name"]);
  });
  it("environment name with a hyphen (job-name prefixes of two environments must never overlap)", () => {
    expect(problems({ ...BASE_CONFIG, environment: "prod-eu" })[0]).toMatch(/^environment: must be 2-16 characters/);
  });
  it("derived bucket name longer than S3 allows", () => {
    expect(problems({ ...BASE_CONFIG, namePrefix: "a-very-long-name", environment: "averylongenviron" })).toContain(
      "buckets.input: the derived name a-very-long-name-averylongenviron-input-111122223333-eu-central-1 is longer than 63 characters: shorten namePrefix or environment, or set buckets.input",
    );
  });
  it("several problems are all reported at once", () => {
    expect(problems({ ...BASE_CONFIG, accountId: "x", region: "nowhere", tenants: [{ id: "A" }] }).length).toBeGreaterThanOrEqual(3);
  });
});

describe("configuration files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-config-"));
  });

  it("loads every shipped configuration", () => {
    const envs = loadEnvironments(path.join(__dirname, "..", "..", "config"), "");
    expect(envs.map((e) => e.environment)).toContain("prod");
  });
  it("rejects invalid JSON naming the file", () => {
    fs.writeFileSync(path.join(dir, "prod.json"), "{ nope");
    expect(() => loadConfigFile(path.join(dir, "prod.json"))).toThrow(/prod\.json:\n {2}- is not valid JSON/);
  });
  it("rejects a file whose name differs from its environment", () => {
    fs.writeFileSync(path.join(dir, "staging.json"), JSON.stringify(BASE_CONFIG));
    expect(() => loadConfigFile(path.join(dir, "staging.json"))).toThrow('environment: is "prod" but the file is named staging.json');
  });
  it("rejects an environment selection that names a missing file", () => {
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(BASE_CONFIG));
    expect(() => loadEnvironments(dir, "prod,qa")).toThrow(/qa\.json:\n {2}- does not exist/);
  });
  it("loads environments in separate accounts: one bootstrap stack per account (bootstrap-<environments>)", () => {
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(BASE_CONFIG));
    fs.writeFileSync(path.join(dir, "qa.json"), JSON.stringify({ ...BASE_CONFIG, environment: "qa", quicksight: { enabled: false } }));
    fs.writeFileSync(
      path.join(dir, "dev.json"),
      JSON.stringify({ ...BASE_CONFIG, environment: "dev", accountId: "999999999999", quicksight: { enabled: false } }),
    );
    const groups = accountGroups(loadEnvironments(dir, ""));
    expect(groups.map((g) => [g.accountId, g.stackName, g.environments.map((c) => c.environment)])).toEqual([
      ["999999999999", "bootstrap-dev", ["dev"]],
      ["111122223333", "bootstrap-prod-qa", ["prod", "qa"]],
    ]);
    // One account for all: the stack keeps its name.
    expect(accountGroups(loadEnvironments(dir, "prod,qa")).map((g) => g.stackName)).toEqual(["bootstrap"]);
  });
  it("gives each account-wide singleton one owner among the environments of an account (GuardDuty detector, CloudTrail)", () => {
    const on = { cloudtrail: { enabled: true }, guardduty: { enabled: true } };
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify({ ...BASE_CONFIG, ...on }));
    fs.writeFileSync(path.join(dir, "qa.json"), JSON.stringify({ ...BASE_CONFIG, environment: "qa", quicksight: { enabled: false }, ...on }));
    expect(() => loadEnvironments(dir, "")).toThrow(
      /guardduty\.createDetector: prod and qa share account 111122223333 and both create the region's one detector[\s\S]*cloudtrail\.enabled: prod and qa share account 111122223333/,
    );
    // The owner creates, the other reads: valid.
    const reader = { cloudtrail: { enabled: false }, guardduty: { enabled: true, createDetector: false } };
    fs.writeFileSync(path.join(dir, "qa.json"), JSON.stringify({ ...BASE_CONFIG, environment: "qa", quicksight: { enabled: false }, ...reader }));
    expect(loadEnvironments(dir, "").map((c) => c.environment)).toEqual(["prod", "qa"]);
    // In separate accounts each environment owns its own.
    fs.writeFileSync(
      path.join(dir, "qa.json"),
      JSON.stringify({ ...BASE_CONFIG, environment: "qa", accountId: "999999999999", quicksight: { enabled: false }, ...on }),
    );
    expect(loadEnvironments(dir, "")).toHaveLength(2);
  });
});
