/**
 * Proof 2 (issue 12): the requests AWS services and people make against our policies on their own, each with the
 * principal, action, resource and context keys the cited AWS page documents, simulated over the real offline plan
 * (or, for toggles the default configuration leaves off, the synthesized stack). Every case asserts what AWS would
 * decide, and every decision is what the pipeline needs.
 *
 * Context keys, as AWS documents them for these requests:
 * - a service calling with its own service principal: `aws:SourceArn` / `aws:SourceAccount` of the resource it
 *   acts for (IAM User Guide, global condition keys), no `aws:PrincipalArn`;
 * - SQS and SNS server-side encryption: KMS calls by the sending principal, with `kms:EncryptionContext:aws:sqs:arn`
 *   or `kms:EncryptionContext:aws:sns:topicArn` (the queue or topic ARN);
 * - S3 SSE-KMS: KMS calls with the requester's credentials, `kms:ViaService` = `s3.<region>.amazonaws.com`;
 * - a service acting with a caller's credentials (Athena): `aws:CalledVia`.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { loadOfflinePlan, plannedResources, type LoadedPlan } from "../helpers/offline-plan";
import { config, synthApp, synthBootstrap } from "../helpers/synth";
import { naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import { tenantNames } from "../../modules/tenants";
import { ACCOUNT, type Decision, type Policy, simulate } from "./iam";
import {
  AP,
  AWS_S3_KEY,
  INPUT,
  KEY,
  KEY_ALIAS_ARN,
  KMS_CTX,
  one,
  REGION,
  RESULTS,
  role,
  SSE,
  STATE,
  STATE_KEY,
  STATE_KMS_CTX,
  synthesizedPolicy,
} from "./plan-policies";
import { DOCS } from "./service-docs";

/** Registers a named Proof 2 case with the page it follows (checked below: every case cites one). */
const cases: Array<{ name: string; cite: string }> = [];
function proof2(name: string, cite: string, fn: () => Promise<void>): void {
  cases.push({ name, cite });
  test(name, fn);
}

const S3_VIA = `s3.${REGION}.amazonaws.com`;
const ALIAS_CTX = { "kms:ResourceAliases": ["alias/cci-lite-prod-master-key"] };
const STATE_ALIAS_CTX = { "kms:ResourceAliases": ["alias/cci-lite-tfstate"] };
const sqs = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const INTAKE = sqs("cci-lite-prod-intake");
const EVENTS_DLQ = sqs("cci-lite-prod-events-dlq");
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:cci-lite-prod-alarms`;
const RULE = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
const LOG_GROUP = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/cci-lite-prod-trail`;
const TRAIL_BUCKET = `arn:aws:s3:::cci-lite-prod-trail-${ACCOUNT}-${REGION}`;
const QUICKSIGHT_ROLE = role("service-role/aws-quicksight-service-role-v0");
const TENANT = role("cci-lite-prod-demo-tenant-reader");
const TRANSCRIBE = role("cci-lite-prod-transcribe-access");
const APPLY = role("cci-lite-github-apply-prod");
const ADMIN = role("Admin");
const allow = (Action: string | string[], Resource: string | string[], Condition?: Policy["Statement"][number]["Condition"]): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) }],
});
/** AWS managed AdministratorAccess (not in the plan: attached by ARN). */
const ADMINISTRATOR_ACCESS = allow("*", "*");

let app: LoadedPlan;
let boot: LoadedPlan;
const keyPolicy = () => one(app, "aws_kms_key", "key");
/** The prod apply role's real policy and permission boundary (bootstrap plan). */
const asApply = () => ({ identity: [one(boot, "aws_iam_role_policy", "apply_prod_policy")], boundary: one(boot, "aws_iam_policy", "apply_boundary") });
const identity = (addressPart: string): Policy[] => [one(app, "aws_iam_role_policy", addressPart)];

beforeAll(() => {
  app = loadOfflinePlan("cci-lite-prod");
  boot = loadOfflinePlan("bootstrap-prod");
}, 600_000);

/** A KMS request S3 makes with the requester's credentials for an SSE-KMS object of `bucketArn`. */
const viaS3 = (bucketArn: string, aliases = ALIAS_CTX) => ({ "kms:ViaService": S3_VIA, ...aliases, "kms:EncryptionContext:aws:s3:arn": bucketArn });

describe("the simulator evaluates kms:EncryptionContext conditions (iam.ts pre-evaluation)", () => {
  const sendKey = (queueArn: string | undefined): Promise<Decision> =>
    simulate({
      principal: "s3.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: KEY,
      resourcePolicy: keyPolicy(),
      context: queueArn ? { "kms:EncryptionContext:aws:sqs:arn": queueArn } : {},
    });

  it("allows S3 a data key for the intake queue (right queue ARN)", async () => {
    expect(await sendKey(INTAKE)).toBe("Allowed");
  });
  it("denies S3 a data key for another queue's ARN, and without an encryption context", async () => {
    expect(await sendKey(sqs("someone-elses-queue"))).toBe("ImplicitlyDenied");
    expect(await sendKey(undefined)).toBe("ImplicitlyDenied");
  });
  it("is needed: the library alone drops the context key and denies the right queue ARN (remove the pre-evaluation when this fails)", async () => {
    const raw = await runSimulation(
      {
        request: {
          principal: "s3.amazonaws.com",
          action: "kms:GenerateDataKey",
          resource: { resource: KEY, accountId: ACCOUNT },
          contextVariables: { "kms:EncryptionContext:aws:sqs:arn": INTAKE },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: keyPolicy(),
      },
      {},
    );
    expect(raw.resultType === "single" && raw.result.ignoredContextKeys).toEqual(["kms:EncryptionContext:aws:sqs:arn"]);
    expect(raw.resultType === "single" && raw.overallResult).toBe("ImplicitlyDenied");
  });
  it("rejects an encryption context on an action that carries none (kms:DescribeKey)", async () => {
    await expect(
      simulate({
        principal: "cloudtrail.amazonaws.com",
        action: "kms:DescribeKey",
        resource: KEY,
        resourcePolicy: keyPolicy(),
        context: { "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL },
      }),
    ).rejects.toThrow(/carries no encryption context/);
  });
});

describe("Proof 2: S3 event notifications to the intake queue", () => {
  const send = (sourceArn: string, sourceAccount = ACCOUNT) =>
    simulate({
      principal: "s3.amazonaws.com",
      action: "sqs:SendMessage",
      resource: INTAKE,
      resourcePolicy: one(app, "aws_sqs_queue_policy", "intake_queue_policy"),
      context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
    });

  proof2("S3 → SQS: the input bucket's notification may be sent to the intake queue, another bucket's may not", DOCS.s3Notifications, async () => {
    expect(await send(INPUT)).toBe("Allowed");
    expect(await send("arn:aws:s3:::someone-elses-bucket", "999999999999")).toBe("ImplicitlyDenied");
  });
  proof2("S3 → SQS: S3 encrypts and verifies the message with the key, for the intake queue only (aws:sqs:arn context)", DOCS.sqsKeys, async () => {
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(
        await simulate({
          principal: "s3.amazonaws.com",
          action,
          resource: KEY,
          resourcePolicy: keyPolicy(),
          context: { "kms:EncryptionContext:aws:sqs:arn": INTAKE },
        }),
      ).toBe("Allowed");
      expect(
        await simulate({
          principal: "s3.amazonaws.com",
          action,
          resource: KEY,
          resourcePolicy: keyPolicy(),
          context: { "kms:EncryptionContext:aws:sqs:arn": EVENTS_DLQ },
        }),
      ).toBe("ImplicitlyDenied");
    }
  });
});

describe("Proof 2: CloudWatch Logs encrypts the function log groups", () => {
  const logs = `logs.${REGION}.amazonaws.com`;
  const use = (action: string, group: string) =>
    simulate({ principal: logs, action, resource: KEY, resourcePolicy: keyPolicy(), context: { "kms:EncryptionContext:aws:logs:arn": LOG_GROUP(group) } });

  proof2("CloudWatch Logs: logs.<region> may encrypt and decrypt each function's log group with the key, and no other group", DOCS.logsKeys, async () => {
    for (const h of ["start", "analyze", "reconcile"]) {
      for (const action of ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom"])
        expect([h, action, await use(action, `/aws/lambda/cci-lite-prod-${h}`)]).toEqual([h, action, "Allowed"]);
    }
    expect(await use("kms:GenerateDataKey", "/aws/lambda/another-app")).toBe("ImplicitlyDenied");
    expect(await use("kms:Decrypt", "/aws/lambda/cci-lite-staging-start")).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: alarm and budget notifications to the encrypted topic", () => {
  const publish = (service: string, sourceArn: string, sourceAccount = ACCOUNT) =>
    simulate({
      principal: service,
      action: "sns:Publish",
      resource: TOPIC,
      resourcePolicy: one(app, "aws_sns_topic_policy", "alarms"),
      context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
    });
  const topicKey = (service: string, action: string, topicArn = TOPIC) =>
    simulate({ principal: service, action, resource: KEY, resourcePolicy: keyPolicy(), context: { "kms:EncryptionContext:aws:sns:topicArn": topicArn } });

  proof2("CloudWatch → SNS: an alarm of this account may publish to the topic, another account's may not", DOCS.snsKeys, async () => {
    expect(await publish("cloudwatch.amazonaws.com", `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:cci-lite-prod-intake-dlq-not-empty`)).toBe("Allowed");
    expect(await publish("cloudwatch.amazonaws.com", `arn:aws:cloudwatch:${REGION}:999999999999:alarm:x`, "999999999999")).toBe("ImplicitlyDenied");
  });
  proof2("CloudWatch → SNS: CloudWatch may use the key for this topic only (aws:sns:topicArn context)", DOCS.snsKeys, async () => {
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) expect(await topicKey("cloudwatch.amazonaws.com", action)).toBe("Allowed");
    expect(await topicKey("cloudwatch.amazonaws.com", "kms:GenerateDataKey", `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`)).toBe("ImplicitlyDenied");
  });
  proof2("Budgets → SNS: this account's budget may publish to the topic", DOCS.budgetsSns, async () => {
    expect(await publish("budgets.amazonaws.com", `arn:aws:budgets::${ACCOUNT}:budget/cci-lite-prod-monthly`)).toBe("Allowed");
    expect(await publish("budgets.amazonaws.com", "arn:aws:budgets::999999999999:budget/x", "999999999999")).toBe("ImplicitlyDenied");
  });
  proof2("Budgets → SNS: Budgets may use the key for this topic only (aws:sns:topicArn context)", DOCS.snsKeys, async () => {
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) expect(await topicKey("budgets.amazonaws.com", action)).toBe("Allowed");
    expect(await topicKey("budgets.amazonaws.com", "kms:GenerateDataKey", `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`)).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: EventBridge dead letters", () => {
  const send = (ruleName: string) =>
    simulate({
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: EVENTS_DLQ,
      resourcePolicy: one(app, "aws_sqs_queue_policy", "job-events_dlq_policy"),
      context: { "aws:SourceArn": RULE(ruleName) },
    });

  proof2("EventBridge → SQS: both rules may send undeliverable events to the events DLQ, another rule may not", DOCS.eventBridgeDlq, async () => {
    expect(await send("cci-lite-prod-transcribe-job-state")).toBe("Allowed");
    expect(await send("cci-lite-prod-reconcile-schedule")).toBe("Allowed");
    expect(await send("someone-elses-rule")).toBe("ImplicitlyDenied");
  });
  // EventBridge's KMS request for an encrypted DLQ carries no aws:SourceArn/SourceAccount; the key policy relies on
  // the queue's encryption context alone.
  proof2("EventBridge → SQS: EventBridge may use the key for the events DLQ only (aws:sqs:arn context)", DOCS.sqsKeys, async () => {
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(
        await simulate({
          principal: "events.amazonaws.com",
          action,
          resource: KEY,
          resourcePolicy: keyPolicy(),
          context: { "kms:EncryptionContext:aws:sqs:arn": EVENTS_DLQ },
        }),
      ).toBe("Allowed");
    }
    expect(
      await simulate({
        principal: "events.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: KEY,
        resourcePolicy: keyPolicy(),
        context: { "kms:EncryptionContext:aws:sqs:arn": INTAKE },
      }),
    ).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: Transcribe through its data-access role", () => {
  const as = (action: string, resource: string, context: Record<string, string | string[]>, resourcePolicy: Policy) =>
    simulate({ principal: TRANSCRIBE, action, resource, identity: identity("transcribe-access"), resourcePolicy, context });

  proof2(
    "Transcribe: writes the transcript under tmp/ with SSE-KMS naming the key ARN (OutputEncryptionKMSKeyId) and S3 gets a data key",
    DOCS.transcribeKeys,
    async () => {
      expect(
        await as("s3:PutObject", `${RESULTS}/tmp/demo-tenant/cci-lite-prod-demo-tenant-abc.json`, KMS_CTX, one(app, "aws_s3_bucket_policy", "storage_results")),
      ).toBe("Allowed");
      expect(await as("kms:GenerateDataKey", KEY, viaS3(RESULTS), keyPolicy())).toBe("Allowed");
    },
  );
  proof2("Transcribe: reads the uploaded audio and S3 decrypts it with the key", DOCS.transcribeKeys, async () => {
    expect(await as("s3:GetObject", `${INPUT}/demo-tenant/calls/c1.wav`, {}, one(app, "aws_s3_bucket_policy", "storage_input"))).toBe("Allowed");
    expect(await as("kms:Decrypt", KEY, viaS3(INPUT), keyPolicy())).toBe("Allowed");
  });
});

describe("Proof 2: Athena for a tenant workgroup user", () => {
  const athena = { "aws:CalledVia": ["athena.amazonaws.com"] };
  const as = (action: string, resource: string, context: Record<string, string | string[]>, resourcePolicy: Policy) =>
    simulate({ principal: TENANT, action, resource, identity: identity("demo-tenant_reader"), resourcePolicy, context });

  proof2(
    "Athena: writes a tenant's query results under athena-results/<tenant>/ with the workgroup's key, and S3 gets a data key",
    DOCS.athenaEncryption,
    async () => {
      const results = one(app, "aws_s3_bucket_policy", "storage_results");
      expect(await as("s3:PutObject", `${RESULTS}/athena-results/demo-tenant/0f1e2d3c.csv`, { ...athena, ...KMS_CTX }, results)).toBe("Allowed");
      expect(await as("s3:PutObject", `${RESULTS}/athena-results/other-tenant/0f1e2d3c.csv`, { ...athena, ...KMS_CTX }, results)).toBe("ImplicitlyDenied");
      expect(await as("kms:GenerateDataKey", KEY, { ...athena, ...viaS3(RESULTS) }, keyPolicy())).toBe("Allowed");
    },
  );
  proof2("Athena: reads the tenant's results for the tenant (aws:CalledVia athena) and S3 decrypts them", DOCS.athenaCalledVia, async () => {
    expect(await as("s3:GetObject", `${RESULTS}/demo-tenant/2026/11/25/c1.json`, athena, one(app, "aws_s3_bucket_policy", "storage_results"))).toBe("Allowed");
    expect(await as("kms:Decrypt", KEY, { ...athena, ...viaS3(RESULTS) }, keyPolicy())).toBe("Allowed");
    expect(await as("kms:Decrypt", KEY, { "kms:ViaService": `sqs.${REGION}.amazonaws.com`, ...ALIAS_CTX }, keyPolicy())).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: QuickSight's service role", () => {
  // QuickSight is off by default; the case turns it on with the default service role.
  const qs = synthApp({
    quicksight: {
      enabled: true,
      principalArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin`,
      serviceRoleName: "service-role/aws-quicksight-service-role-v0",
    },
  });
  const qsKeyPolicy = () => synthesizedPolicy(qs.resource("aws_kms_key").policy);
  // What QuickSight's own settings attach to the role (its S3 access setting for the results bucket; the stack attaches
  // nothing): object reads, and nothing for KMS.
  const qsIdentity = [allow(["s3:GetObject", "s3:GetObjectVersion"], `${RESULTS}/*`), allow(["s3:ListBucket", "s3:GetBucketLocation"], RESULTS)];
  const athena = { "aws:CalledVia": ["athena.amazonaws.com"] };

  proof2("QuickSight: its service role reads results through Athena", DOCS.quicksight, async () => {
    expect(
      await simulate({
        principal: QUICKSIGHT_ROLE,
        action: "s3:GetObject",
        resource: `${RESULTS}/demo-tenant/2026/11/25/c1.json`,
        identity: qsIdentity,
        resourcePolicy: one(app, "aws_s3_bucket_policy", "storage_results"),
        context: athena,
      }),
    ).toBe("Allowed");
  });
  // The key policy grants the service role directly, by ARN in a condition (it is QuickSight's, outside the stack: no identity statement of ours
  // could give it KMS permissions, so the aws:PrincipalArn route under the account root would not be enough).
  proof2("QuickSight: S3 decrypts results for its service role, granted directly by the key policy (by ARN)", DOCS.quicksight, async () => {
    const decrypt = (principal: string) =>
      simulate({
        principal,
        action: "kms:Decrypt",
        resource: KEY,
        identity: qsIdentity,
        resourcePolicy: qsKeyPolicy(),
        context: { ...athena, ...viaS3(RESULTS) },
      });
    expect(await decrypt(QUICKSIGHT_ROLE)).toBe("Allowed");
    expect(await decrypt(role("some-other-role"))).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: CloudTrail (toggle on)", () => {
  const trail = synthApp({ cloudtrail: { enabled: true } });
  const trailKeyPolicy = () => synthesizedPolicy(trail.resource("aws_kms_key").policy);
  const trailBucketPolicy = () => synthesizedPolicy(trail.resource("aws_s3_bucket_policy", "trail").policy);
  const ct = "cloudtrail.amazonaws.com";

  proof2("CloudTrail: DescribeKey (no encryption context) for this trail, and not for another", DOCS.cloudtrailKeys, async () => {
    expect(
      await simulate({ principal: ct, action: "kms:DescribeKey", resource: KEY, resourcePolicy: trailKeyPolicy(), context: { "aws:SourceArn": TRAIL } }),
    ).toBe("Allowed");
    expect(
      await simulate({
        principal: ct,
        action: "kms:DescribeKey",
        resource: KEY,
        resourcePolicy: trailKeyPolicy(),
        context: { "aws:SourceArn": `${TRAIL}-other` },
      }),
    ).toBe("ImplicitlyDenied");
  });
  proof2("CloudTrail: GenerateDataKey* for this trail's log files (aws:cloudtrail:arn context)", DOCS.cloudtrailKeys, async () => {
    const ctx = { "aws:SourceArn": TRAIL, "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL };
    expect(await simulate({ principal: ct, action: "kms:GenerateDataKey", resource: KEY, resourcePolicy: trailKeyPolicy(), context: ctx })).toBe("Allowed");
    expect(
      await simulate({ principal: ct, action: "kms:GenerateDataKey", resource: KEY, resourcePolicy: trailKeyPolicy(), context: { "aws:SourceArn": TRAIL } }),
    ).toBe("ImplicitlyDenied");
  });
  proof2("CloudTrail: the pre-fix combined statement denied DescribeKey (the failure the split fixes)", DOCS.cloudtrailKeys, async () => {
    const combined: Policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowServiceCloudtrail",
          Effect: "Allow",
          Principal: { Service: ct },
          Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceArn": TRAIL },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
          },
        },
      ],
    };
    expect(await simulate({ principal: ct, action: "kms:DescribeKey", resource: KEY, resourcePolicy: combined, context: { "aws:SourceArn": TRAIL } })).toBe(
      "ImplicitlyDenied",
    );
  });
  proof2("CloudTrail: delivers SSE-KMS log files and SSE-S3 digest files to its bucket (digest prefix exempt)", DOCS.cloudtrailKeys, async () => {
    const put = (key: string, sse: Record<string, string>) =>
      simulate({
        principal: ct,
        action: "s3:PutObject",
        resource: `${TRAIL_BUCKET}/${key}`,
        resourcePolicy: trailBucketPolicy(),
        context: { "aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control", ...sse },
      });
    expect(await put(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/25/log.json.gz`, KMS_CTX)).toBe("Allowed");
    expect(await put(`AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2026/11/25/digest.json.gz`, { "s3:x-amz-server-side-encryption": "AES256" })).toBe(
      "Allowed",
    );
    expect(await put(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/25/log.json.gz`, { "s3:x-amz-server-side-encryption": "AES256" })).toBe(
      "ExplicitlyDenied",
    );
  });
});

describe("Proof 2: the deployer creates the Lambda functions", () => {
  proof2(
    "Deployer: the apply role (its policy and boundary) creates a function and passes its role; no function sets kms_key_arn, so Lambda needs no kms:CreateGrant",
    DOCS.lambdaEnvKeys,
    async () => {
      const functions = plannedResources(app, "aws_lambda_function");
      expect(functions).toHaveLength(3);
      for (const f of functions) expect([f.address, f.after.kms_key_arn ?? null, f.afterUnknown?.kms_key_arn ?? false]).toEqual([f.address, null, false]);
      const as = (action: string, resource: string, context: Record<string, string> = {}) =>
        simulate({ principal: APPLY, action, resource, ...asApply(), context });
      expect(await as("lambda:CreateFunction", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cci-lite-prod-start`)).toBe("Allowed");
      expect(await as("iam:PassRole", role("cci-lite-prod-start-fn"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("Allowed");
    },
  );
});

describe("Proof 2: an uploader's single and multipart uploads", () => {
  // An IAM principal of the account allowed to upload audio for one tenant, and S3's use of the key on its behalf.
  const UPLOADER = role("cci-lite-prod-uploader");
  const uploader = (objects: string): Policy[] => [
    allow("s3:PutObject", objects),
    allow(["kms:GenerateDataKey", "kms:Decrypt"], `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`, { StringEquals: { "kms:ViaService": S3_VIA } }),
  ];
  const OBJECT = `${INPUT}/demo-tenant/calls/c1.wav`;
  const INPUT_AP = AP("cci-lite-prod-demo-tenant-input");
  const AP_OBJECT = `${INPUT_AP}/object/demo-tenant/calls/c1.wav`;
  const targets = [
    {
      via: "the input bucket",
      resource: OBJECT,
      identity: uploader(`${INPUT}/demo-tenant/calls/*`),
      policy: () => one(app, "aws_s3_bucket_policy", "storage_input"),
    },
    {
      via: "the tenant's input access point",
      resource: AP_OBJECT,
      identity: uploader(`${INPUT_AP}/object/demo-tenant/calls/*`),
      policy: () => one(app, "aws_s3_access_point", "demo-tenant_input-access-point"),
    },
  ];
  const AES = { "s3:x-amz-server-side-encryption": "AES256" };
  const HTTP = { "aws:SecureTransport": "false" };

  for (const t of targets) {
    /** One request authorised as s3:PutObject (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload). */
    const put = (context: Record<string, string>) =>
      simulate({ principal: UPLOADER, action: "s3:PutObject", resource: t.resource, identity: t.identity, resourcePolicy: t.policy(), context });
    /** A multipart upload: every step must be allowed. UploadPart/Complete carry no SSE headers (S3 rejects them there). */
    const multipart = async (initiate: Record<string, string>, partsSeeInitiateHeaders = false): Promise<Decision[]> => [
      await put(initiate),
      await put(partsSeeInitiateHeaders ? initiate : {}),
      await put({}),
    ];

    proof2(`Uploader via ${t.via}: single PutObject naming the key ARN is allowed, and so is the key's alias ARN`, DOCS.s3KmsKeyCondition, async () => {
      expect(await put(KMS_CTX)).toBe("Allowed");
      expect(await put(SSE(KEY_ALIAS_ARN))).toBe("Allowed");
    });
    proof2(`Uploader via ${t.via}: single PutObject without encryption headers is allowed (the bucket default is the key)`, DOCS.s3Put, async () => {
      expect(await put({})).toBe("Allowed");
    });
    proof2(`Uploader via ${t.via}: AES256, aws:kms without a key id (aws/s3), or aws/s3's key ARN are denied`, DOCS.s3Put, async () => {
      expect(await put(AES)).toBe("ExplicitlyDenied");
      expect(await put({ "s3:x-amz-server-side-encryption": "aws:kms:dsse" })).toBe("ExplicitlyDenied");
      expect(await put(SSE())).toBe("ExplicitlyDenied");
      expect(await put(SSE(AWS_S3_KEY))).toBe("ExplicitlyDenied");
      expect(await put(SSE(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/s3`))).toBe("ExplicitlyDenied");
    });
    proof2(`Uploader via ${t.via}: plain HTTP is denied, with or without headers`, DOCS.conditionOperators, async () => {
      expect(await put({ ...KMS_CTX, ...HTTP })).toBe("ExplicitlyDenied");
      expect(await put(HTTP)).toBe("ExplicitlyDenied");
    });
    proof2(
      `Uploader via ${t.via}: multipart (CreateMultipartUpload naming the key ARN, UploadPart and Complete without headers) is allowed, however S3 presents the parts`,
      DOCS.s3Multipart,
      async () => {
        expect(await multipart(KMS_CTX)).toEqual(["Allowed", "Allowed", "Allowed"]);
        expect(await multipart(KMS_CTX, true)).toEqual(["Allowed", "Allowed", "Allowed"]);
        expect(await multipart({})).toEqual(["Allowed", "Allowed", "Allowed"]);
      },
    );
    proof2(`Uploader via ${t.via}: multipart initiated with AES256 or aws/s3 is denied at CreateMultipartUpload`, DOCS.s3Multipart, async () => {
      expect((await multipart(AES))[0]).toBe("ExplicitlyDenied");
      expect((await multipart(SSE()))[0]).toBe("ExplicitlyDenied");
      expect((await multipart(SSE(AWS_S3_KEY)))[0]).toBe("ExplicitlyDenied");
    });
  }

  // The configured uploaders (access.uploaders for every tenant, tenants[].uploaderPrincipals for one) get a managed
  // policy from the stack and a place in the key policy: S3 can then generate and decrypt the data key with their
  // credentials (CreateMultipartUpload, UploadPart, CompleteMultipartUpload).
  const TENANT_UPLOADER = role("demo-tenant-recorder");
  const withUploaders = synthApp({
    access: { uploaders: [UPLOADER], operators: [], analysts: [], administrators: [] },
    tenants: [{ id: "demo-tenant", languages: ["en-US"], uploaderPrincipals: [TENANT_UPLOADER] }],
  });
  const managedPolicy = (part: string): Policy[] => [synthesizedPolicy(withUploaders.resource("aws_iam_policy", part).policy)];
  const uploaderKey = () => synthesizedPolicy(withUploaders.resource("aws_kms_key").policy);
  const uploaderBucket = () => synthesizedPolicy(withUploaders.resource("aws_s3_bucket_policy", "storage_input").policy);

  proof2("Uploader (configured): S3 generates and decrypts the object's data key with the uploader's credentials", DOCS.s3KmsKeyCondition, async () => {
    for (const [principal, part] of [
      [UPLOADER, "people_uploaders_policy"],
      [TENANT_UPLOADER, "people_uploaders-demo-tenant_policy"],
    ] as const) {
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        expect(await simulate({ principal, action, resource: KEY, identity: managedPolicy(part), resourcePolicy: uploaderKey(), context: viaS3(INPUT) })).toBe(
          "Allowed",
        );
      }
    }
    // Not configured: no place in the key policy.
    expect(
      await simulate({
        principal: role("stranger"),
        action: "kms:GenerateDataKey",
        resource: KEY,
        identity: managedPolicy("people_uploaders_policy"),
        resourcePolicy: uploaderKey(),
        context: viaS3(INPUT),
      }),
    ).toBe("ImplicitlyDenied");
  });
  proof2("Uploader (configured): a tenant's uploader writes only under its tenant's calls/ prefix", DOCS.s3Put, async () => {
    const put = (principal: string, part: string, key: string) =>
      simulate({
        principal,
        action: "s3:PutObject",
        resource: `${INPUT}/${key}`,
        identity: managedPolicy(part),
        resourcePolicy: uploaderBucket(),
        context: KMS_CTX,
      });
    expect(await put(TENANT_UPLOADER, "people_uploaders-demo-tenant_policy", "demo-tenant/calls/c1.wav")).toBe("Allowed");
    expect(await put(TENANT_UPLOADER, "people_uploaders-demo-tenant_policy", "other/calls/c1.wav")).toBe("ImplicitlyDenied");
    expect(await put(UPLOADER, "people_uploaders_policy", "other/calls/c1.wav")).toBe("Allowed");
    expect(await put(UPLOADER, "people_uploaders_policy", "other/results.json")).toBe("ImplicitlyDenied");
  });
});

describe("Proof 2: Terraform state lock writes", () => {
  const lock = `${STATE}/cci-lite/prod/terraform.tfstate.tflock`;
  const stateBucket = () => one(boot, "aws_s3_bucket_policy", "state");
  const stateKey = () => one(boot, "aws_kms_key", "key");

  proof2(
    "Apply role: writes the state lock object with SSE-KMS naming the state key's alias ARN (kms_key_id), and S3 gets a data key",
    DOCS.terraformS3Backend,
    async () => {
      expect(
        await simulate({
          principal: APPLY,
          action: "s3:PutObject",
          resource: lock,
          ...asApply(),
          resourcePolicy: stateBucket(),
          context: STATE_KMS_CTX,
        }),
      ).toBe("Allowed");
      expect(
        await simulate({
          principal: APPLY,
          action: "kms:GenerateDataKey",
          resource: STATE_KEY,
          ...asApply(),
          resourcePolicy: stateKey(),
          context: viaS3(STATE, STATE_ALIAS_CTX),
        }),
      ).toBe("Allowed");
    },
  );
  proof2("Administrator (README hand deploy): the state bucket policy lets the lock write through", DOCS.terraformS3Backend, async () => {
    expect(
      await simulate({
        principal: ADMIN,
        action: "s3:PutObject",
        resource: lock,
        identity: [ADMINISTRATOR_ACCESS],
        resourcePolicy: stateBucket(),
        context: STATE_KMS_CTX,
      }),
    ).toBe("Allowed");
    expect(
      await simulate({
        principal: ADMIN,
        action: "s3:PutObject",
        resource: lock,
        identity: [ADMINISTRATOR_ACCESS],
        resourcePolicy: stateBucket(),
        context: SSE(),
      }),
    ).toBe("ExplicitlyDenied");
  });
  // access.administrators are named in the state key policy (bootstrap stack): hand deploys and break-glass.
  proof2("Administrator (README hand deploy): S3 generates the lock object's data key under the state key", DOCS.terraformS3Backend, async () => {
    const withAdmins = synthBootstrap({ access: { uploaders: [], operators: [], analysts: [], administrators: [ADMIN] } });
    const key = () => synthesizedPolicy(withAdmins.resource("aws_kms_key", "state").policy);
    const dataKey = (principal: string) =>
      simulate({
        principal,
        action: "kms:GenerateDataKey",
        resource: STATE_KEY,
        identity: [ADMINISTRATOR_ACCESS],
        resourcePolicy: key(),
        context: viaS3(STATE, STATE_ALIAS_CTX),
      });
    expect(await dataKey(ADMIN)).toBe("Allowed");
    expect(await dataKey(role("NotConfigured"))).toBe("ImplicitlyDenied");
  });
});

describe("who may use the customer key (key policy inventory)", () => {
  interface Inventory {
    /** `AWS` principals of every statement. */
    aws: string[];
    /** `aws:PrincipalArn` values the use statements accept. */
    principalArns: string[];
    /** Service principals, each with the actions and context it is limited to. */
    services: string[];
  }
  const CRYPTO = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|Sign|Verify|GenerateMac|VerifyMac|DeriveSharedSecret)/;

  /** Every principal the key policy names, and how. */
  function inventory(doc: Policy): Inventory {
    const out: Inventory = { aws: [], principalArns: [], services: [] };
    for (const st of doc.Statement) {
      expect(st.Effect).toBe("Allow");
      expect(st.Principal).not.toBe("*");
      const aws = [st.Principal?.AWS ?? []].flat() as string[];
      const services = [st.Principal?.Service ?? []].flat() as string[];
      out.aws.push(...aws);
      for (const s of services) out.services.push(`${s} ${[st.Action].flat().join(",")} ${JSON.stringify(st.Condition ?? {})}`);
      const arns = Object.values<Record<string, unknown>>(st.Condition ?? {}).flatMap((block) => [block["aws:PrincipalArn"] ?? []].flat() as string[]);
      out.principalArns.push(...arns);
      // The account root is named twice: administration (no cryptographic action at all) and use (only for the
      // principals its aws:PrincipalArn condition lists). A root statement that could encrypt or decrypt without that
      // list would let any IAM principal with an identity policy use the key. "*" (QuickSight's service role) is
      // allowed only with an aws:PrincipalArn list and this account.
      const crypto = [st.Action].flat().filter((a: string) => CRYPTO.test(a) || a === "kms:*" || a === "*");
      if (aws.some((a) => a.endsWith(":root")) && crypto.length) expect([st.Sid, arns.length > 0]).toEqual([st.Sid, true]);
      if (aws.includes("*")) expect([st.Sid, arns.length > 0, st.Condition?.StringEquals?.["aws:PrincipalAccount"]]).toEqual([st.Sid, true, ACCOUNT]);
    }
    return { aws: [...new Set(out.aws)].sort(), principalArns: [...new Set(out.principalArns)].sort(), services: out.services.sort() };
  }

  /** The documented list (docs/security.md, "Who may use the customer key"), derived from the configuration. */
  function expected(cfg: CciLiteConfig): Inventory {
    const n = naming(cfg);
    const stem = n.stem;
    const ec = (key: string, values: string[]) => JSON.stringify({ StringEquals: { [`kms:EncryptionContext:${key}`]: values.sort() } });
    const principalArns = [
      ...["start", "analyze", "reconcile"].map((h) => role(`${stem}-${h}-fn`)),
      role(n.transcribeRoleName),
      ...cfg.tenants.map((t) => tenantNames(cfg, n, t.id).roleArn),
      ...(cfg.glueCrawler.enabled ? [role(n.roleName("glue-crawler"))] : []),
      ...cfg.access.uploaders,
      ...cfg.access.operators,
      ...cfg.access.analysts,
      ...cfg.tenants.flatMap((t) => t.uploaderPrincipals),
    ];
    const topic = `arn:aws:sns:${cfg.region}:${cfg.accountId}:${n.alarmTopic}`;
    const trail = `arn:aws:cloudtrail:${cfg.region}:${cfg.accountId}:trail/${stem}-trail`;
    const services = [
      `logs.${cfg.region}.amazonaws.com kms:Encrypt*,kms:Decrypt*,kms:ReEncrypt*,kms:GenerateDataKey*,kms:Describe* ${JSON.stringify({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${cfg.region}:${cfg.accountId}:log-group:/aws/lambda/${stem}-*` } })}`,
      `s3.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sqs:arn", [`arn:aws:sqs:${cfg.region}:${cfg.accountId}:${stem}-intake`])}`,
      `cloudwatch.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`,
      `budgets.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`,
      `events.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sqs:arn", [`arn:aws:sqs:${cfg.region}:${cfg.accountId}:${stem}-events-dlq`])}`,
      ...(cfg.guardduty.enabled ? [`events.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`] : []),
      ...(cfg.cloudtrail.enabled
        ? [
            `cloudtrail.amazonaws.com kms:DescribeKey ${JSON.stringify({ StringEquals: { "aws:SourceArn": trail } })}`,
            `cloudtrail.amazonaws.com kms:GenerateDataKey* ${JSON.stringify({ StringEquals: { "aws:SourceArn": trail }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${cfg.accountId}:trail/*` } })}`,
          ]
        : []),
    ];
    // QuickSight's service role: any principal ("*") whose ARN is exactly the role's, in this account.
    const quicksight = cfg.quicksight.enabled ? [role(cfg.quicksight.serviceRoleName)] : [];
    const aws = [`arn:aws:iam::${cfg.accountId}:root`, ...(quicksight.length ? ["*"] : [])];
    return { aws: aws.sort(), principalArns: [...new Set([...principalArns, ...quicksight])].sort(), services: services.sort() };
  }

  it("application key, default configuration (offline plan): only the documented principals", () => {
    expect(inventory(keyPolicy())).toEqual(expected(config()));
  });
  it("application key, every toggle on and two tenants: only the documented principals", () => {
    const overrides = {
      tenants: [{ id: "acme", uploaderPrincipals: [role("acme-recorder")] }, { id: "globex" }],
      access: { uploaders: [role("recordings-export")], operators: [role("ops")], analysts: [role("analyst")], administrators: [] },
      cloudtrail: { enabled: true },
      guardduty: { enabled: true },
      glueCrawler: { enabled: true },
      quicksight: {
        enabled: true,
        principalArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin`,
        serviceRoleName: "service-role/aws-quicksight-service-role-v0",
      },
    };
    expect(inventory(synthesizedPolicy(synthApp(overrides).resource("aws_kms_key").policy))).toEqual(expected(config(overrides)));
  });
  it("state key (bootstrap): the account administers it; only the GitHub plan and apply roles of its environments use it", () => {
    expect(inventory(one(boot, "aws_kms_key", "key"))).toEqual({
      aws: [`arn:aws:iam::${ACCOUNT}:root`],
      principalArns: [APPLY, role("cci-lite-github-plan-prod")].sort(),
      services: [],
    });
    expect(inventory(synthesizedPolicy(synthBootstrap().resource("aws_kms_key").policy)).principalArns).toEqual(
      [APPLY, role("cci-lite-github-plan-prod")].sort(),
    );
  });
});

describe("Proof 2 bookkeeping", () => {
  it("every case cites an AWS documentation page (or Terraform's, for its own backend)", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) expect([c.name, c.cite]).toEqual([c.name, expect.stringMatching(/^https:\/\/(docs\.aws\.amazon\.com|developer\.hashicorp\.com)\//)]);
  });
});
