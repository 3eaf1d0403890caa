import { Testing, TerraformStack } from "cdktf";
import { CustomerKey } from "../../modules/constructs/customer-key";
import { SSM_SETTING_LIST } from "../../lambda-src/contracts/tenant-settings";
import { StackContext } from "../../modules/constructs/stack-context";
import { doc, statement, synthApp } from "../helpers/synth";

const s = synthApp();
const ACCOUNT = "111122223333";
const INPUT = "cci-lite-prod-input-111122223333-eu-central-1";
const RESULTS = "cci-lite-prod-results-111122223333-eu-central-1";

describe("key (guide §2, §4.3)", () => {
  const key = s.resource("aws_kms_key");
  const p = doc(key.policy);

  it("is a symmetric key with yearly rotation and a 30-day deletion window", () => {
    expect(key.enable_key_rotation).toBe(true);
    expect(key.rotation_period_in_days).toBe(365);
    expect(key.deletion_window_in_days).toBe(30);
    expect(key.customer_master_key_spec).toBe("SYMMETRIC_DEFAULT");
  });
  it("has the guide's alias, made unique per environment", () => {
    expect(s.resource("aws_kms_alias").name).toBe("alias/cci-lite-prod-master-key");
  });
  it("lets the account administer the key but not use it for data", () => {
    const admin = statement(key.policy, "AllowAccountAdministration");
    expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(admin.Action).toContain("kms:PutKeyPolicy".replace("PutKeyPolicy", "Put*"));
    expect(admin.Action).not.toContain("kms:Decrypt");
    expect(admin.Action).not.toContain("kms:*");
  });
  it("lets exactly the pipeline roles, Transcribe's role and the tenant reader roles use the key, and QuickSight's role by name", () => {
    const use = statement(key.policy, "AllowUseByPipelinePrincipals");
    expect(use.Condition.ArnEquals["aws:PrincipalArn"]).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-analyze-fn`,
      `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-demo-tenant-reader`,
      `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-reconcile-fn`,
      `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-start-fn`,
      `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-transcribe-access`,
    ]);
    // QuickSight's service role is QuickSight's, so no identity statement of ours can complete a root-delegated
    // aws:PrincipalArn grant: the statement grants it directly, by ARN in a condition (a named Principal would be
    // stored as the role's unique id and go stale when QuickSight recreates the role; config/prod.json enables QuickSight).
    const qs = statement(key.policy, "AllowQuickSightServiceRole");
    expect(qs).toEqual({
      Sid: "AllowQuickSightServiceRole",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/service-role/aws-quicksight-service-role-v0` },
        StringEquals: { "aws:PrincipalAccount": ACCOUNT },
      },
    });
    expect(use.Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
  });
  it("lets CloudWatch Logs encrypt only this deployment's Lambda log groups", () => {
    const logs = statement(key.policy, "AllowCloudWatchLogsForThisDeployment");
    expect(logs.Principal).toEqual({ Service: "logs.eu-central-1.amazonaws.com" });
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe(`arn:aws:logs:eu-central-1:${ACCOUNT}:log-group:/aws/lambda/cci-lite-prod-*`);
  });
  it("lets the services that deliver to encrypted topics and queues use it only for this stack's topic and queues", () => {
    const topic = "arn:aws:sns:eu-central-1:111122223333:cci-lite-prod-alarms";
    for (const [sid, service, context, arn] of [
      ["AllowServiceCloudwatchForTopics", "cloudwatch.amazonaws.com", "kms:EncryptionContext:aws:sns:topicArn", topic],
      ["AllowServiceBudgetsForTopics", "budgets.amazonaws.com", "kms:EncryptionContext:aws:sns:topicArn", topic],
      ["AllowServiceS3ForQueues", "s3.amazonaws.com", "kms:EncryptionContext:aws:sqs:arn", "arn:aws:sqs:eu-central-1:111122223333:cci-lite-prod-intake"],
      [
        "AllowServiceEventsForQueues",
        "events.amazonaws.com",
        "kms:EncryptionContext:aws:sqs:arn",
        "arn:aws:sqs:eu-central-1:111122223333:cci-lite-prod-events-dlq",
      ],
    ]) {
      const st = statement(key.policy, sid);
      expect(st.Principal).toEqual({ Service: service });
      expect(st.Action).toEqual(["kms:GenerateDataKey*", "kms:Decrypt"]);
      expect(st.Condition).toEqual({ StringEquals: { [context]: [arn] } });
    }
    expect(p.Statement).toHaveLength(8);
  });
});

describe("storage (guide §3)", () => {
  const buckets = s.resources("aws_s3_bucket");
  it("creates the input and results buckets with derived names and no force destroy", () => {
    expect(
      Object.values(buckets)
        .map((b: any) => b.bucket)
        .sort(),
    ).toEqual([INPUT, RESULTS]);
    for (const b of Object.values(buckets)) expect((b as any).force_destroy).toBe(false);
  });
  it("encrypts both with the customer key by default, with bucket keys", () => {
    const keyId = Object.keys(s.resources("aws_kms_key"))[0];
    for (const enc of Object.values(s.resources("aws_s3_bucket_server_side_encryption_configuration")) as any[]) {
      expect(enc.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: `\${aws_kms_key.${keyId}.arn}` });
      expect(enc.rule[0].bucket_key_enabled).toBe(true);
    }
  });
  it("blocks all four kinds of public access on both", () => {
    const pabs = Object.values(s.resources("aws_s3_bucket_public_access_block")) as any[];
    expect(pabs).toHaveLength(2);
    for (const p of pabs) {
      expect([p.block_public_acls, p.block_public_policy, p.ignore_public_acls, p.restrict_public_buckets]).toEqual([true, true, true, true]);
    }
  });
  it("enforces bucket-owner object ownership (no ACLs)", () => {
    for (const o of Object.values(s.resources("aws_s3_bucket_ownership_controls")) as any[]) expect(o.rule.object_ownership).toBe("BucketOwnerEnforced");
  });
  it("expires audio after 1 day and aborts incomplete uploads", () => {
    const rules = s.resource("aws_s3_bucket_lifecycle_configuration", "input").rule;
    expect(rules[0]).toMatchObject({ id: "input-retention-1d", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 1 }] });
    expect(rules[1]).toMatchObject({ id: "abort-incomplete-multipart-uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] });
  });
  it("expires results after 30 days per tenant, temporary transcripts after 7, Athena results after 7, reconcile's markers after 7", () => {
    const rules = s.resource("aws_s3_bucket_lifecycle_configuration", "results").rule as any[];
    const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
    expect(byId["results-tenant-demo-tenant"]).toMatchObject({ filter: [{ prefix: "demo-tenant/" }], expiration: [{ days: 30 }] });
    expect(byId["tmp-transcripts"]).toMatchObject({ filter: [{ prefix: "tmp/" }], expiration: [{ days: 7 }] });
    expect(byId["athena-query-results"]).toMatchObject({ filter: [{ prefix: "athena-results/" }], expiration: [{ days: 7 }] });
    expect(byId["results-default"].expiration[0].days).toBe(30);
    expect(byId["reconcile-markers"]).toMatchObject({ filter: [{ prefix: "cci-lite/reconcile/done/" }], expiration: [{ days: 7 }] });
    expect(byId["job-claims"]).toMatchObject({ filter: [{ prefix: "cci-lite/jobs/" }], expiration: [{ days: 7 }] });
  });
  it("versions the results bucket with noncurrent versions kept 3 days (a bad write is recoverable); never the audio", () => {
    const versioning = s.resources("aws_s3_bucket_versioning");
    expect(Object.keys(versioning)).toEqual([expect.stringMatching(/results/)]);
    expect(Object.values(versioning)[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    const results = s.resource("aws_s3_bucket_lifecycle_configuration", "results");
    const rules = Object.fromEntries((results.rule as any[]).map((r) => [r.id, r]));
    expect(rules["noncurrent-versions"]).toMatchObject({ filter: [{ prefix: "" }], noncurrent_version_expiration: [{ noncurrent_days: 3 }] });
    // The lifecycle waits for versioning (a noncurrent rule on an unversioned bucket does nothing).
    expect(results.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\.[\w-]*results/)]);
    const input = s.resource("aws_s3_bucket_lifecycle_configuration", "input");
    expect((input.rule as any[]).some((r) => r.noncurrent_version_expiration)).toBe(false);
  });
  it("keeps a tenant's longer retention override (the catch-all rule uses the longest)", () => {
    const t = synthApp({ tenants: [{ id: "acme", resultsRetentionDays: 90 }, { id: "beta" }] });
    const rules = Object.fromEntries(
      (t.resource("aws_s3_bucket_lifecycle_configuration", "results").rule as any[]).map((r) => [r.id, r.expiration?.[0]?.days]),
    );
    expect(rules).toMatchObject({ "results-tenant-acme": 90, "results-tenant-beta": 30, "results-default": 90 });
  });

  for (const [name, bucket] of [
    ["input", INPUT],
    ["results", RESULTS],
  ]) {
    describe(`${name} bucket policy`, () => {
      const pol = s.resource("aws_s3_bucket_policy", name).policy;
      it("denies every request without TLS", () => {
        expect(statement(pol, "DenyInsecureTransport")).toEqual({
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
      });
      it("denies uploads asking for another encryption or another key, never an upload without headers (guide §3.3)", () => {
        const sse = "s3:x-amz-server-side-encryption";
        const keyId = "s3:x-amz-server-side-encryption-aws-kms-key-id";
        const keyArn = expect.stringMatching(/^\$\{aws_kms_key\.key_[A-Za-z0-9_]+\.arn\}$/);
        expect(statement(pol, "DenyPutWithOtherEncryption").Condition).toEqual({ StringNotEquals: { [sse]: "aws:kms" }, Null: { [sse]: "false" } });
        expect(statement(pol, "DenyKmsWithoutKeyId").Condition).toEqual({ StringEquals: { [sse]: "aws:kms" }, Null: { [keyId]: "true" } });
        expect(statement(pol, "DenyPutWithOtherKey").Condition).toEqual({
          StringNotEquals: { [keyId]: [keyArn, `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/cci-lite-prod-master-key`] },
          Null: { [keyId]: "false" },
        });
        expect(pol).not.toContain("DenyPutWithoutKmsHeader");
      });
    });
  }
  it("lets Transcribe's data-access role write only under tmp/ of the results bucket", () => {
    const st = statement(s.resource("aws_s3_bucket_policy", "results").policy, "DenyTranscribeAccessRoleOutsideTmp");
    expect(st).toMatchObject({
      Effect: "Deny",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      NotResource: `arn:aws:s3:::${RESULTS}/tmp/*`,
      Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/cci-lite-prod-transcribe-access" } },
    });
  });
});

describe("transcribe access (guide §4.2)", () => {
  const role = s.resource("aws_iam_role", "transcribe-access");
  const pol = s.resource("aws_iam_role_policy", "transcribe-access").policy;
  it("trusts transcribe.amazonaws.com for this account only", () => {
    const t = statement(role.assume_role_policy, "AllowServiceAssumeRole");
    expect(t.Principal).toEqual({ Service: "transcribe.amazonaws.com" });
    expect(t.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:transcribe:eu-central-1:${ACCOUNT}:*` },
    });
  });
  it("reads only uploaded audio, writes only under tmp/, and uses the key by alias", () => {
    const bySid = (a: any, b: any) => a[0].localeCompare(b[0]);
    expect(
      doc(pol)
        .Statement.map((x: any) => [x.Sid, x.Action, x.Resource])
        .sort(bySid),
    ).toEqual(
      [
        ["ReadInputAudio", "s3:GetObject", `arn:aws:s3:::${INPUT}/*/calls/*`],
        ["WriteTranscriptsUnderTmp", "s3:PutObject", `arn:aws:s3:::${RESULTS}/tmp/*`],
        ["UseCustomerKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], `arn:aws:kms:eu-central-1:${ACCOUNT}:key/*`],
      ].sort(bySid),
    );
    expect(statement(pol, "UseCustomerKey").Condition).toEqual({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/cci-lite-prod-master-key"] } });
  });
});

describe("config parameters (guide §5)", () => {
  it("writes the models parameter with the current model, not the retired Claude 3 Haiku", () => {
    const m = s.resource("aws_ssm_parameter", "models");
    expect(m.name).toBe("/cci-lite/prod/config/models");
    expect(JSON.parse(m.value)).toEqual({
      bedrock_model_summary: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      bedrock_region: "eu-central-1",
      max_tokens: 1024,
    });
  });
  it("writes one parameter per tenant with its options; a tenant without its own results retention gets retention.resultsDays", () => {
    const t = synthApp({
      retention: { resultsDays: 60 },
      tenants: [
        { id: "acme", languages: ["en-US", "de-DE"] },
        { id: "beta", languages: ["en-GB"], redactPii: true, resultsRetentionDays: 365 },
      ],
    });
    const params = Object.values(t.resources("aws_ssm_parameter")) as any[];
    const acme = params.find((p) => p.name === "/cci-lite/prod/config/tenants/acme");
    const acmeDocument = JSON.parse(acme.value);
    // Every declared setting, in declaration order (the defaults of each: __tests__/infra/tenant-settings.test.ts).
    expect(Object.keys(acmeDocument)).toEqual(["tenant_id", ...SSM_SETTING_LIST.map(([, d]) => d.document)]);
    expect(acmeDocument).toMatchObject({
      tenant_id: "acme",
      languages: ["en-US", "de-DE"],
      redact_pii: false,
      max_speakers: 2,
      results_retention_days: 60,
    });
    expect(JSON.parse(params.find((p) => p.name.endsWith("/beta")).value)).toMatchObject({ redact_pii: true, results_retention_days: 365 });
  });
});

describe("tags (guide §1)", () => {
  it("puts Project, Env, Owner and Data on every taggable resource through the provider's default tags", () => {
    const provider = s.json.provider.aws[0];
    expect(provider.default_tags).toEqual([{ tags: { Project: "CCI-Lite", Env: "prod", Owner: "Conversant", Data: "Voice" } }]);
    expect(provider.allowed_account_ids).toEqual([ACCOUNT]);
  });
  it("keeps state remote with S3-native locking, one key per environment", () => {
    expect(s.json.terraform.backend.s3).toEqual({
      bucket: "cci-lite-tfstate-111122223333-eu-central-1",
      key: "cci-lite/prod/terraform.tfstate",
      region: "eu-central-1",
      encrypt: true,
      kms_key_id: "arn:aws:kms:eu-central-1:111122223333:alias/cci-lite-tfstate",
      use_lockfile: true,
    });
  });
});

describe("CloudTrail bucket (guide §12, toggle on)", () => {
  it("exempts only CloudTrail's SSE-S3 digest files from the encryption-header denies", () => {
    const t = synthApp({ cloudtrail: { enabled: true } });
    const pol = t.resource("aws_s3_bucket_policy", "trail").policy;
    const bucket = "arn:aws:s3:::cci-lite-prod-trail-111122223333-eu-central-1";
    for (const sid of ["DenyPutWithOtherEncryption", "DenyKmsWithoutKeyId", "DenyPutWithOtherKey"]) {
      expect(statement(pol, sid).NotResource).toEqual([`${bucket}/AWSLogs/111122223333/CloudTrail-Digest/*`]);
      expect(statement(pol, sid).Resource).toBeUndefined();
    }
    expect(statement(s.resource("aws_s3_bucket_policy", "input").policy, "DenyPutWithOtherEncryption").Resource).toBe(`arn:aws:s3:::${INPUT}/*`);
  });
});

describe("key policy size", () => {
  it("fails synth with a clear message when so many principals need the key that KMS would reject the policy", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1" });
    const key = new CustomerKey(stack, "key", { alias: "alias/test" });
    for (let i = 0; i < 600; i++) key.grantUse(`arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-tenant-${String(i).padStart(3, "0")}-reader`);
    expect(() => Testing.synth(stack)).toThrow(/Invalid [^\n]*key:\n {2}- policy: \d+ bytes, over KMS's 32768-byte limit \(600 principals\)/);
  });
});
