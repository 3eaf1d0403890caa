/**
 * The requests AWS services make on their own (Proof 2, docs/security.md), as cases of one mode (./service-case.ts):
 * the same requests and context keys as service-requests.test.ts on the prod plan, built from the mode's names.
 * Service principals carry `aws:SourceArn`/`aws:SourceAccount` and no `aws:PrincipalArn`; SQS and SNS encryption
 * calls carry the queue's or topic's encryption context; S3 SSE-KMS calls use the requester's credentials.
 */
import type { Decision, Policy } from "./iam";
import type { Check, ServiceCase } from "./service-case";
import { ATHENA, allow, OTHER_ACCOUNT, SSE, viaS3 } from "./service-case";
import { DOCS } from "./service-docs";
import type { ServiceWorld } from "./service-world";

const keyPolicy = (w: ServiceWorld) => w.policy("app", "aws_kms_key", "key");
/** `principal` uses the application key for `action` with `context`. */
const onKey = (w: ServiceWorld, principal: string, action: string, context: Record<string, string | string[]>, expect: Decision = "Allowed"): Check => ({
  request: { principal, action, resource: w.key, resourcePolicy: keyPolicy(w), context },
  expect,
});
const DATA_KEY = ["kms:GenerateDataKey", "kms:Decrypt"];

const sendToQueue = (
  w: ServiceWorld,
  policyPart: string,
  queue: string,
  principal: string,
  context: Record<string, string>,
  expect: "Allowed" | "ImplicitlyDenied",
): Check => ({
  request: { principal, action: "sqs:SendMessage", resource: queue, resourcePolicy: w.policy("app", "aws_sqs_queue_policy", policyPart), context },
  expect,
});
const publish = (w: ServiceWorld, service: string, sourceArn: string, sourceAccount: string, expect: "Allowed" | "ImplicitlyDenied"): Check => ({
  request: {
    principal: service,
    action: "sns:Publish",
    resource: w.topic,
    resourcePolicy: w.policy("app", "aws_sns_topic_policy", "alarms"),
    context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
  },
  expect,
});
const topicKey = (w: ServiceWorld, service: string): Check[] => [
  ...DATA_KEY.map((a) => onKey(w, service, a, { "kms:EncryptionContext:aws:sns:topicArn": w.topic })),
  onKey(w, service, "kms:GenerateDataKey", { "kms:EncryptionContext:aws:sns:topicArn": w.arn("sns", "another-topic") }, "ImplicitlyDenied"),
];

/** `principal` with `identity` makes `action` on `resource` under `resourcePolicy`. */
const as = (
  principal: string,
  identity: Policy[],
  action: string,
  resource: string,
  resourcePolicy: Policy,
  context: Record<string, string | string[]>,
  expect: Decision = "Allowed",
): Check => ({
  request: { principal, action, resource, identity, resourcePolicy, context },
  expect,
});
const results = (w: ServiceWorld) => w.policy("app", "aws_s3_bucket_policy", "storage_results");
const input = (w: ServiceWorld) => w.policy("app", "aws_s3_bucket_policy", "storage_input");
const transcribe = (w: ServiceWorld) => w.policy("app", "aws_iam_role_policy", "transcribe-access");
const reader = (w: ServiceWorld, tenant: string) => w.policy("app", "aws_iam_role_policy", `tenants_${tenant}_reader`);
const KMS = (w: ServiceWorld) => SSE(w.key);
const qsRole = (w: ServiceWorld) => w.role(w.cfg.quicksight.serviceRoleName);
/** What QuickSight's own S3 access setting attaches to its role for the results bucket (the stack attaches nothing). */
const qsIdentity = (w: ServiceWorld) => [
  allow(["s3:GetObject", "s3:GetObjectVersion"], `${w.n.resultsBucketArn}/*`),
  allow(["s3:ListBucket", "s3:GetBucketLocation"], w.n.resultsBucketArn),
];
const CT = "cloudtrail.amazonaws.com";
const trailKey = (w: ServiceWorld, action: string, context: Record<string, string>, expect: "Allowed" | "ImplicitlyDenied"): Check =>
  onKey(w, CT, action, context, expect);
const trailPut = (w: ServiceWorld, key: string, sse: Record<string, string>, expect: "Allowed" | "ExplicitlyDenied"): Check => ({
  request: {
    principal: CT,
    action: "s3:PutObject",
    resource: `${w.trailBucket}/${key}`,
    resourcePolicy: w.policy("app", "aws_s3_bucket_policy", "trail"),
    context: { "aws:SourceArn": w.trail, "s3:x-amz-acl": "bucket-owner-full-control", ...sse },
  },
  expect,
});
const DAY = "2026/11/25";

export const AWS_SERVICE_CASES: readonly ServiceCase[] = [
  {
    name: "S3 → SQS: the input bucket's notification may be sent to the intake queue, another bucket's may not",
    cite: DOCS.s3Notifications,
    checks: (w) => [
      sendToQueue(w, "intake_queue_policy", w.intake, "s3.amazonaws.com", { "aws:SourceArn": w.n.inputBucketArn, "aws:SourceAccount": w.account }, "Allowed"),
      sendToQueue(
        w,
        "intake_queue_policy",
        w.intake,
        "s3.amazonaws.com",
        { "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket", "aws:SourceAccount": OTHER_ACCOUNT },
        "ImplicitlyDenied",
      ),
    ],
  },
  {
    name: "S3 → SQS: S3 encrypts and verifies the message with the key, for the intake queue only (aws:sqs:arn context)",
    cite: DOCS.sqsKeys,
    checks: (w) =>
      DATA_KEY.flatMap((a) => [
        onKey(w, "s3.amazonaws.com", a, { "kms:EncryptionContext:aws:sqs:arn": w.intake }),
        onKey(w, "s3.amazonaws.com", a, { "kms:EncryptionContext:aws:sqs:arn": w.eventsDlq }, "ImplicitlyDenied"),
      ]),
  },
  {
    name: "CloudWatch Logs: logs.<region> may encrypt and decrypt each function's log group with the key, and no other group",
    cite: DOCS.logsKeys,
    checks: (w) => {
      const use = (action: string, group: string, expect: "Allowed" | "ImplicitlyDenied" = "Allowed") =>
        onKey(w, `logs.${w.region}.amazonaws.com`, action, { "kms:EncryptionContext:aws:logs:arn": w.arn("logs", `log-group:${group}`) }, expect);
      return [
        ...w.logGroups.flatMap((g) => ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom"].map((a) => use(a, g))),
        use("kms:GenerateDataKey", "/aws/lambda/another-app", "ImplicitlyDenied"),
        use("kms:Decrypt", `/aws/lambda/${w.cfg.namePrefix}-staging-start`, "ImplicitlyDenied"),
      ];
    },
  },
  {
    name: "CloudWatch → SNS: every alarm of this account may publish to the topic, another account's may not",
    cite: DOCS.snsKeys,
    checks: (w) => [
      ...w.alarms.map((a) => publish(w, "cloudwatch.amazonaws.com", w.arn("cloudwatch", `alarm:${a}`), w.account, "Allowed")),
      publish(w, "cloudwatch.amazonaws.com", `arn:aws:cloudwatch:${w.region}:${OTHER_ACCOUNT}:alarm:x`, OTHER_ACCOUNT, "ImplicitlyDenied"),
    ],
  },
  {
    name: "CloudWatch → SNS: CloudWatch may use the key for this topic only (aws:sns:topicArn context)",
    cite: DOCS.snsKeys,
    checks: (w) => topicKey(w, "cloudwatch.amazonaws.com"),
  },
  {
    name: "Budgets → SNS: this account's budget may publish to the topic",
    cite: DOCS.budgetsSns,
    checks: (w) => [
      { fact: "the stack has a budget", holds: w.budgets.length > 0 },
      ...w.budgets.map((b) => publish(w, "budgets.amazonaws.com", `arn:${w.partition}:budgets::${w.account}:budget/${b}`, w.account, "Allowed")),
      publish(w, "budgets.amazonaws.com", `arn:aws:budgets::${OTHER_ACCOUNT}:budget/x`, OTHER_ACCOUNT, "ImplicitlyDenied"),
    ],
  },
  {
    name: "Budgets → SNS: Budgets may use the key for this topic only (aws:sns:topicArn context)",
    cite: DOCS.snsKeys,
    checks: (w) => topicKey(w, "budgets.amazonaws.com"),
  },
  {
    name: "EventBridge → SQS: both rules may send undeliverable events to the events DLQ, another rule may not",
    cite: DOCS.eventBridgeDlq,
    checks: (w) => [
      { fact: `the stack has the rules ${w.dlqRules.join(", ")}`, holds: w.dlqRules.every((r) => w.eventRules.includes(r)) },
      ...[...w.dlqRules.map((r) => [r, "Allowed"] as const), ["someone-elses-rule", "ImplicitlyDenied"] as const].map(([r, expect]) =>
        sendToQueue(w, "job-events_dlq_policy", w.eventsDlq, "events.amazonaws.com", { "aws:SourceArn": w.arn("events", `rule/${r}`) }, expect),
      ),
    ],
  },
  {
    name: "EventBridge → SQS: EventBridge may use the key for the events DLQ only (aws:sqs:arn context)",
    cite: DOCS.sqsKeys,
    checks: (w) => [
      ...DATA_KEY.map((a) => onKey(w, "events.amazonaws.com", a, { "kms:EncryptionContext:aws:sqs:arn": w.eventsDlq })),
      onKey(w, "events.amazonaws.com", "kms:GenerateDataKey", { "kms:EncryptionContext:aws:sqs:arn": w.intake }, "ImplicitlyDenied"),
    ],
  },
  {
    name: "EventBridge → SNS: every rule targeting the topic (GuardDuty findings) may publish to it and use the key for it, another rule may not",
    cite: DOCS.eventBridgeSns,
    when: (cfg) => cfg.guardduty.enabled,
    checks: (w) => [
      { fact: "a rule targets the alarm topic", holds: w.topicRules.length > 0 },
      ...w.topicRules.map((r) => publish(w, "events.amazonaws.com", w.arn("events", `rule/${r}`), w.account, "Allowed")),
      publish(w, "events.amazonaws.com", w.arn("events", "rule/someone-elses-rule"), w.account, "ImplicitlyDenied"),
      ...topicKey(w, "events.amazonaws.com"),
    ],
  },
  {
    name: "Transcribe: writes each tenant's transcript under tmp/ with SSE-KMS naming the key ARN (OutputEncryptionKMSKeyId) and S3 gets a data key",
    cite: DOCS.transcribeKeys,
    checks: (w) => [
      ...w.tenants.map((t) =>
        as(
          w.n.transcribeRoleArn,
          [transcribe(w)],
          "s3:PutObject",
          `${w.n.resultsBucketArn}/${w.n.tmpPrefix}${t.tenant}/${w.n.jobNamePrefix}${t.tenant}-abc.json`,
          results(w),
          KMS(w),
        ),
      ),
      as(w.n.transcribeRoleArn, [transcribe(w)], "kms:GenerateDataKey", w.key, keyPolicy(w), viaS3(w, w.n.resultsBucketArn)),
    ],
  },
  {
    name: "Transcribe: reads each tenant's uploaded audio and S3 decrypts it with the key",
    cite: DOCS.transcribeKeys,
    checks: (w) => [
      ...w.tenants.map((t) => as(w.n.transcribeRoleArn, [transcribe(w)], "s3:GetObject", `${w.n.inputBucketArn}/${t.uploadPrefix}c1.wav`, input(w), {})),
      as(w.n.transcribeRoleArn, [transcribe(w)], "kms:Decrypt", w.key, keyPolicy(w), viaS3(w, w.n.inputBucketArn)),
    ],
  },
  {
    name: "Athena: writes each tenant's query results under athena-results/<tenant>/ with the workgroup's key, and S3 gets a data key",
    cite: DOCS.athenaEncryption,
    checks: (w) =>
      w.tenants.flatMap((t) => [
        as(t.roleArn, [reader(w, t.tenant)], "s3:PutObject", `${w.n.resultsBucketArn}/${t.queryResultsPrefix}0f1e2d3c.csv`, results(w), {
          ...ATHENA,
          ...KMS(w),
        }),
        as(
          t.roleArn,
          [reader(w, t.tenant)],
          "s3:PutObject",
          `${w.n.resultsBucketArn}/${w.n.athenaPrefix}other-tenant/0f1e2d3c.csv`,
          results(w),
          { ...ATHENA, ...KMS(w) },
          "ImplicitlyDenied",
        ),
        as(t.roleArn, [reader(w, t.tenant)], "kms:GenerateDataKey", w.key, keyPolicy(w), { ...ATHENA, ...viaS3(w, w.n.resultsBucketArn) }),
      ]),
  },
  {
    name: "Athena: reads each tenant's results for the tenant (aws:CalledVia athena) and S3 decrypts them",
    cite: DOCS.athenaCalledVia,
    checks: (w) =>
      w.tenants.flatMap((t) => [
        as(t.roleArn, [reader(w, t.tenant)], "s3:GetObject", `${w.n.resultsBucketArn}/${t.resultsPrefix}${DAY}/c1.json`, results(w), ATHENA),
        as(t.roleArn, [reader(w, t.tenant)], "kms:Decrypt", w.key, keyPolicy(w), { ...ATHENA, ...viaS3(w, w.n.resultsBucketArn) }),
        as(
          t.roleArn,
          [reader(w, t.tenant)],
          "kms:Decrypt",
          w.key,
          keyPolicy(w),
          { "kms:ViaService": `sqs.${w.region}.amazonaws.com`, ...w.aliasContext },
          "ImplicitlyDenied",
        ),
      ]),
  },
  {
    name: "QuickSight: its service role reads results through Athena",
    cite: DOCS.quicksight,
    when: (cfg) => cfg.quicksight.enabled,
    checks: (w) => [as(qsRole(w), qsIdentity(w), "s3:GetObject", `${w.n.resultsBucketArn}/${w.tenants[0].resultsPrefix}${DAY}/c1.json`, results(w), ATHENA)],
  },
  {
    name: "QuickSight: S3 decrypts results for its service role, granted directly by the key policy (by ARN)",
    cite: DOCS.quicksight,
    when: (cfg) => cfg.quicksight.enabled,
    checks: (w) => [
      as(qsRole(w), qsIdentity(w), "kms:Decrypt", w.key, keyPolicy(w), { ...ATHENA, ...viaS3(w, w.n.resultsBucketArn) }),
      as(w.role("some-other-role"), qsIdentity(w), "kms:Decrypt", w.key, keyPolicy(w), { ...ATHENA, ...viaS3(w, w.n.resultsBucketArn) }, "ImplicitlyDenied"),
    ],
  },
  {
    name: "CloudTrail: DescribeKey (no encryption context) for this trail, and not for another",
    cite: DOCS.cloudtrailKeys,
    when: (cfg) => cfg.cloudtrail.enabled,
    checks: (w) => [
      trailKey(w, "kms:DescribeKey", { "aws:SourceArn": w.trail }, "Allowed"),
      trailKey(w, "kms:DescribeKey", { "aws:SourceArn": `${w.trail}-other` }, "ImplicitlyDenied"),
    ],
  },
  {
    name: "CloudTrail: GenerateDataKey* for this trail's log files (aws:cloudtrail:arn context)",
    cite: DOCS.cloudtrailKeys,
    when: (cfg) => cfg.cloudtrail.enabled,
    checks: (w) => [
      trailKey(w, "kms:GenerateDataKey", { "aws:SourceArn": w.trail, "kms:EncryptionContext:aws:cloudtrail:arn": w.trail }, "Allowed"),
      trailKey(w, "kms:GenerateDataKey", { "aws:SourceArn": w.trail }, "ImplicitlyDenied"),
    ],
  },
  {
    name: "CloudTrail: delivers SSE-KMS log files and SSE-S3 digest files to its bucket (digest prefix exempt)",
    cite: DOCS.cloudtrailKeys,
    when: (cfg) => cfg.cloudtrail.enabled,
    checks: (w) => {
      const at = (kind: string, file: string) => `AWSLogs/${w.account}/${kind}/${w.region}/${DAY}/${file}`;
      return [
        trailPut(w, at("CloudTrail", "log.json.gz"), KMS(w), "Allowed"),
        trailPut(w, at("CloudTrail-Digest", "digest.json.gz"), { "s3:x-amz-server-side-encryption": "AES256" }, "Allowed"),
        trailPut(w, at("CloudTrail", "log.json.gz"), { "s3:x-amz-server-side-encryption": "AES256" }, "ExplicitlyDenied"),
      ];
    },
  },
];
