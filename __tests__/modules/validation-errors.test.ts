/**
 * Every construct validation in modules/ throws a ValidationError that names the construct path and the field,
 * printed like a configuration problem (main.ts prints `message` alone). One case per throw.
 */
import { App, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { Analytics } from "../../modules/analytics";
import { DeliveryAccess, RemoteState, stateNames } from "../../modules/bootstrap";
import { CostBudget } from "../../modules/budgets";
import { isUserError, ValidationError } from "../../modules/config/errors";
import { AlarmTopic } from "../../modules/constructs/alarm-topic";
import { CustomerKey } from "../../modules/constructs/customer-key";
import { EncryptedQueue } from "../../modules/constructs/encrypted-queue";
import { ManagedPolicy } from "../../modules/constructs/managed-policy";
import { PipelineFunction } from "../../modules/constructs/pipeline-function";
import { Role } from "../../modules/constructs/role";
import { SecureBucket } from "../../modules/constructs/secure-bucket";
import { StackContext } from "../../modules/constructs/stack-context";
import { policy } from "../../modules/iam/policy";
import { InsightDashboard, type InsightDashboardProps, InsightViews } from "../../modules/insights";
import { PrivateNetwork, type PrivateNetworkProps } from "../../modules/network";
import { Intake } from "../../modules/processor/intake";
import { GithubSettings } from "../../modules/github";
import { TranscribeAccess } from "../../modules/transcribe-access";
import { fakeBundles } from "../helpers/synth";

const ACCOUNT = "111122223333";
const REGION = "eu-central-1";

/** A stack with its StackContext (account, region, stem), as main.ts sets it. */
function stack(stem = "cci-lite-test"): TerraformStack {
  const s = new TerraformStack(Testing.app(), "s");
  StackContext.set(s, { accountId: ACCOUNT, region: REGION, stem });
  return s;
}
const key = (s: Construct, alias = "alias/k") => new CustomerKey(s, `key-${alias.slice(6)}`, { alias });
const bucket = (s: Construct, id = "b") =>
  new SecureBucket(s, id, { bucketName: `${id}-bucket-111122223333`, key: key(s, `alias/${id}`), expirations: [{ id: "all", prefix: "", days: 1 }] });
const topic = (s: Construct) => new AlarmTopic(s, "alarms", { topicName: "t-alarms", key: key(s, "alias/t") });
const fn = (s: Construct, over: Partial<ConstructorParameters<typeof PipelineFunction>[2]> = {}) =>
  new PipelineFunction(s, "fn", {
    handler: "start",
    functionName: "f",
    roleName: "f-role",
    description: "d",
    memoryMb: 192,
    timeoutSeconds: 60,
    environment: {},
    key: key(s, "alias/f"),
    logRetentionDays: 30,
    alarms: topic(s),
    bundle: fakeBundles().start,
    ...over,
  });

const SCOPE: PrivateNetworkProps["scope"] = {
  functionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/f`],
  inputBucketArn: "arn:aws:s3:::in",
  resultsBucketArn: "arn:aws:s3:::out",
  transcriptionJobArn: `arn:aws:transcribe:${REGION}:${ACCOUNT}:transcription-job/x*`,
  configPathArn: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/x`,
  bedrockResourceArns: [`arn:aws:bedrock:${REGION}::foundation-model/m`],
  analyzeFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:a`,
  settings: { deleteInputOnSuccess: false },
};
const network = (s: Construct, n: PrivateNetworkProps["network"]) => new PrivateNetwork(s, "net", { network: n, scope: SCOPE });
const placement = { subnetIds: ["subnet-01234567", "subnet-89abcdef"], securityGroupIds: ["sg-01234567"], dependsOn: [] };

const cases: Array<[string, string, (s: TerraformStack) => unknown]> = [
  ["CustomerKey", "alias", (s) => key(s, "alias/aws/s3")],
  ["CustomerKey", "deletionWindowDays", (s) => new CustomerKey(s, "k", { alias: "alias/x", deletionWindowDays: 3 })],
  [
    "CustomerKey",
    "policy",
    (s) => {
      const k = key(s);
      for (let i = 0; i < 600; i++) k.grantUse(`arn:aws:iam::${ACCOUNT}:role/a-rather-long-role-name-for-tenant-number-${i}`);
      Testing.synth(s);
    },
  ],
  ["SecureBucket", "expirations", (s) => new SecureBucket(s, "b", { bucketName: "b-111122223333", key: key(s), expirations: [] })],
  [
    "SecureBucket",
    "noncurrentVersionExpirationDays",
    (s) => new SecureBucket(s, "b", { bucketName: "b-111122223333", key: key(s), expirations: [{ id: "x", prefix: "", days: 1 }], versioned: true }),
  ],
  [
    "SecureBucket",
    "noncurrentVersionExpirationDays",
    (s) =>
      new SecureBucket(s, "b", {
        bucketName: "b-111122223333",
        key: key(s),
        expirations: [{ id: "x", prefix: "", days: 1 }],
        versioned: true,
        noncurrentVersionExpirationDays: 0.5,
      }),
  ],
  [
    "SecureBucket",
    "expirations",
    (s) =>
      new SecureBucket(s, "b", {
        bucketName: "b-111122223333",
        key: key(s),
        expirations: [
          { id: "x", prefix: "", days: 1 },
          { id: "x", prefix: "a/", days: 1 },
        ],
      }),
  ],
  [
    "SecureBucket",
    'expirations["x"].days',
    (s) => new SecureBucket(s, "b", { bucketName: "b-111122223333", key: key(s), expirations: [{ id: "x", prefix: "", days: 0 }] }),
  ],
  [
    "SecureBucket",
    "expirations",
    (s) =>
      new SecureBucket(s, "b", {
        bucketName: "b-111122223333",
        key: key(s),
        expirations: Array.from({ length: 1000 }, (_, i) => ({ id: `r${i}`, prefix: `${i}/`, days: 1 })),
      }),
  ],
  ["Role", "roleName", (s) => new Role(s, "r", { roleName: "bad name", description: "d", assumeRolePolicy: policy(), policyName: "p" })],
  [
    "Role",
    "policy",
    (s) => {
      new Role(s, "r", { roleName: "r", description: "d", assumeRolePolicy: policy(), policyName: "p" });
      Testing.synth(s);
    },
  ],
  ["EncryptedQueue", "retentionSeconds", (s) => new EncryptedQueue(s, "q", { queueName: "q", key: key(s), retentionSeconds: 30 })],
  ["EncryptedQueue", "visibilityTimeoutSeconds", (s) => new EncryptedQueue(s, "q", { queueName: "q", key: key(s), visibilityTimeoutSeconds: 50_000 })],
  [
    "EncryptedQueue",
    "deadLetter.maxReceiveCount",
    (s) => {
      const k = key(s);
      const dlq = new EncryptedQueue(s, "dlq", { queueName: "dlq", key: k });
      new EncryptedQueue(s, "q", { queueName: "q", key: k, deadLetter: { queue: dlq, maxReceiveCount: 0 } });
    },
  ],
  ["PipelineFunction", "memoryMb", (s) => fn(s, { memoryMb: 64 })],
  ["PipelineFunction", "timeoutSeconds", (s) => fn(s, { timeoutSeconds: 901 })],
  ["PipelineFunction", "reservedConcurrency", (s) => fn(s, { reservedConcurrency: 0 })],
  ["PipelineFunction", "vpc.subnetIds", (s) => fn(s, { vpc: { ...placement, subnetIds: ["subnet-01234567"] } })],
  ["PipelineFunction", "vpc.securityGroupIds", (s) => fn(s, { vpc: { ...placement, securityGroupIds: [] } })],
  [
    "PrivateNetwork",
    "network.subnets",
    (s) => network(s, { mode: "create", cidr: "10.0.0.0/16", subnets: [{ availabilityZoneId: "euc1-az1", cidr: "10.0.0.0/18" }] }),
  ],
  [
    "PrivateNetwork",
    "network.subnetIds",
    (s) => network(s, { mode: "existing", vpcId: "vpc-01234567", subnetIds: ["subnet-01234567"], routeTableIds: ["rtb-01234567"] }),
  ],
  [
    "Intake",
    "maxConcurrency",
    (s) => {
      const consumer = fn(s);
      new Intake(s, "intake", {
        key: key(s, "alias/i"),
        input: bucket(s),
        consumer,
        maxReceiveCount: 5,
        maxConcurrency: 1,
        paused: false,
        inputDays: 1,
        alarms: consumer.node.scope?.node.tryFindChild("alarms") as AlarmTopic,
      });
    },
  ],
  [
    "AlarmTopic",
    "addAlarm.name",
    (s) => topic(s).addAlarm({ name: "Bad Name", description: "d", runbook: "queueAge", namespace: "n", metricName: "m", threshold: 0 }),
  ],
  [
    "TranscribeAccess",
    "outputPrefix",
    (s) =>
      new TranscribeAccess(s, "t", {
        roleName: "t",
        input: bucket(s, "in"),
        results: bucket(s, "out"),
        outputPrefix: "tmp",
        key: key(s),
      }),
  ],
  ...(["databaseName", "queryResultsPrefix", "tenantIds"] as const).map((field): [string, string, (s: TerraformStack) => unknown] => [
    "Analytics",
    field,
    (s) =>
      new Analytics(s, "a", {
        databaseName: field === "databaseName" ? "Bad-Name" : "db",
        tableName: "t",
        workgroupName: "w",
        results: bucket(s),
        queryResultsPrefix: field === "queryResultsPrefix" ? "athena" : "athena/",
        tmpPrefix: "tmp/",
        tenantIds: field === "tenantIds" ? [] : ["a"],
        key: key(s, "alias/a"),
        bytesScannedCutoffPerQuery: 10_485_760,
        projectionDays: 45,
      }),
  ]),
  ["ManagedPolicy", "principals", (s) => new ManagedPolicy(s, "m", { policyName: "m", description: "d", principals: [] })],
  ["ManagedPolicy", "principals[0]", (s) => new ManagedPolicy(s, "m", { policyName: "m", description: "d", principals: ["arn:aws:iam::999999999999:role/x"] })],
  ["CostBudget", "monthlyLimit", (s) => new CostBudget(s, "b", { name: "b", monthlyLimit: 0, topic: topic(s) })],
  ["InsightViews", "languages", (s) => new InsightViews(s, "v", { databaseName: "db", tableName: "t", windowDays: 45, languages: [], dependsOn: [] })],
  // The ids start with the stack's stem: QuickSight ids leave it 40 characters.
  ["InsightDashboard", "stem", () => insights(stack("x".repeat(41)), {})],
  ["RemoteState", "state.region", (s) => new RemoteState(s, "state", { state: stateNames("cci-lite", ACCOUNT, "eu-west-1") })],
  [
    "DeliveryAccess",
    "state.region",
    (s) =>
      new DeliveryAccess(s, "delivery", {
        namePrefix: "cci-lite",
        state: stateNames("cci-lite", ACCOUNT, "eu-west-1"),
        github: { repository: "o/r" },
        environments: [],
        dataBucketArns: [],
      }),
  ],
  [
    "DeliveryAccess",
    "environments",
    (s) =>
      new DeliveryAccess(s, "delivery", {
        namePrefix: "cci-lite",
        state: stateNames("cci-lite", ACCOUNT, REGION),
        github: { repository: "o/r" },
        // cci-lite-prod-* would also match prod-eu's names: overlapping scopes in one account.
        environments: [
          { environment: "prod", deployEnvironment: "prod", stem: "cci-lite-prod" },
          { environment: "prod-eu", deployEnvironment: "prod-eu", stem: "cci-lite-prod-eu" },
        ],
        dataBucketArns: [],
      }),
  ],
  ["InsightDashboard", "refresh.dailyAt", (s) => insights(s, { refresh: { mode: "spice", dailyAt: "25:00", timezone: "UTC" } })],
  ["InsightDashboard", "tenantGroupArns", (s) => insights(s, { tenantGroupArns: new Map([["t", ["arn:aws:iam::111122223333:role/x"]]]) })],
  [
    "GithubSettings",
    "variables.aws-region",
    (s) =>
      new GithubSettings(s, "github", {
        settings: { owner: "o", name: "r", mainBranch: "main", codeOwners: [], requiredApprovals: 1, artifactRetentionDays: 7, environments: [] },
        allowedActions: [],
        variables: { "aws-region": "eu-central-1" },
      }),
  ],
];

function insights(s: Construct, over: Partial<InsightDashboardProps>): InsightDashboard {
  return new InsightDashboard(s, "i", {
    dataSourceArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:datasource/x`,
    databaseName: "db",
    views: new InsightViews(s, "views", { databaseName: "db", tableName: "t", windowDays: 45, languages: ["en-US"], dependsOn: [] }),
    ownerArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/admin`,
    tenantGroupArns: new Map(),
    refresh: { mode: "direct" },
    ...over,
  });
}

describe.each(cases)("%s rejects a bad %s", (construct, field, build) => {
  it("with a ValidationError naming the construct path and the field", () => {
    let error: unknown;
    try {
      build(stack());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(new RegExp(`^(Resolution error: )?Invalid s/[^\\n]+:\\n  - ${field.replace(/[[\]".]/g, "\\$&")}: \\S`));
    expect(isUserError(v)).toBe(true);
    expect(construct.length).toBeGreaterThan(0);
  });
});

it("covers every throw in modules/ outside the rule pack (and the stack context, one case each in stack-context.test.ts)", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  const path = require("node:path") as typeof import("node:path");
  const root = path.join(__dirname, "..", "..", "modules");
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== "security") walk(p);
      // stack-context.ts: one case each in stack-context.test.ts; github/settings.ts: pure functions over the
      // configurations (no construct path), each throw tested in __tests__/github/settings.test.ts and stack.test.ts.
      else if (e.name.endsWith(".ts") && e.name !== "stack-context.ts" && !p.endsWith(path.join("github", "settings.ts"))) files.push(p);
    }
  };
  walk(root);
  const validations = files.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/throw new ValidationError\(/g)]).length;
  expect(validations).toBe(cases.length);
  expect(App).toBeDefined();
});
