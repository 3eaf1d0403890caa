/**
 * Small fixture stacks for the rule pack: for every rule a compliant construct and a non-compliant one.
 * `brokenStack` gathers non-compliant constructs; __tests__/security/broken-app.ts synthesizes it for real.
 */
import { Aspects, TerraformStack, Testing, type App } from "cdktf";
import { Construct } from "constructs";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SecurityRules, errorsOf } from "../../modules/security";
import { CustomerKey } from "../../modules/constructs/customer-key";
import { SecureBucket } from "../../modules/constructs/secure-bucket";
import { StackContext } from "../../modules/constructs/stack-context";

export const ACCOUNT = "111122223333";
export const KEY_ARN = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const TAGS = { Project: "CCI-Lite", Env: "test", Owner: "Security", Data: "Voice" };

/** A stack with a tagged AWS provider and the rule pack. */
export function fixtureStack(app: App, id: string, opts: { tags?: Record<string, string> | false } = {}): TerraformStack {
  const stack = new TerraformStack(app, id);
  StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1", stem: "fixture" });
  new AwsProvider(stack, "aws", { region: "eu-central-1", ...(opts.tags === false ? {} : { defaultTags: [{ tags: opts.tags ?? TAGS }] }) });
  Aspects.of(stack).add(new SecurityRules());
  return stack;
}

/** Synthesizes a fixture in-process and returns the error annotations (rule violations). */
export function violations(build: (scope: Construct) => void, opts: { tags?: Record<string, string> | false } = {}): string[] {
  const app = Testing.app();
  const stack = fixtureStack(app, "fixture", opts);
  build(stack);
  Testing.synth(stack);
  return errorsOf(stack);
}

const policyJson = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const lambdaTrust = (condition = true) =>
  policyJson({
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } } : {}),
  });

/** A Lambda function with everything the rules ask for; `broken` strips it all and adds a secret. */
export function lambdaFixture(scope: Construct, id: string, broken: boolean): void {
  const role = new IamRole(scope, `${id}-role`, { name: `${id}-role`, assumeRolePolicy: lambdaTrust() });
  const name = `${id}-fn`;
  const common = { functionName: name, role: role.arn, runtime: "nodejs22.x", handler: "index.handler", filename: "fixture.zip" };
  if (broken) {
    new LambdaFunction(scope, id, { ...common, environment: { variables: { DB_PASSWORD: "hunter2", OK_VALUE: "1" } } });
    return;
  }
  const dlq = new SqsQueue(scope, `${id}-dlq`, { name: `${id}-dlq`, kmsMasterKeyId: KEY_ARN });
  const group = new CloudwatchLogGroup(scope, `${id}-logs`, { name: `/aws/lambda/${name}`, retentionInDays: 30, kmsKeyId: KEY_ARN });
  new LambdaFunction(scope, id, {
    ...common,
    reservedConcurrentExecutions: 2,
    deadLetterConfig: { targetArn: dlq.arn },
    environment: { variables: { BEDROCK_MAX_TOKENS: "1024", RESULTS_BUCKET: "results" } },
    loggingConfig: { logFormat: "Text", logGroup: group.name },
  });
  new CloudwatchLogMetricFilter(scope, `${id}-errors`, {
    name: `${id}-errors`,
    logGroupName: group.name,
    pattern: "ERROR",
    metricTransformation: { name: `Errors-${id}`, namespace: "Fixture", value: "1" },
  });
  new CloudwatchMetricAlarm(scope, `${id}-alarm`, {
    alarmName: `${id}-errors`,
    namespace: "Fixture",
    metricName: `Errors-${id}`,
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: [`arn:aws:sns:eu-central-1:${ACCOUNT}:alarms`],
  });
}

/** A function consuming an SQS queue, its mapping capped at `maxConcurrency` (or not). */
function queueConsumer(scope: Construct, maxConcurrency: number | undefined): void {
  lambdaFixture(scope, "consumer", false);
  const queue = new SqsQueue(scope, "uploads", { name: "uploads", kmsMasterKeyId: KEY_ARN });
  new LambdaEventSourceMapping(scope, "mapping", {
    functionName: "consumer-fn",
    eventSourceArn: queue.arn,
    ...(maxConcurrency ? { scalingConfig: { maximumConcurrency: maxConcurrency } } : {}),
  });
}

/**
 * A function in private subnets (CCI-LAMBDA-5). Compliant: a route table with the local route only and HTTPS egress
 * to a prefix list. Broken: a default route to an internet gateway, a NAT-less subnet with public addresses and
 * egress to any address.
 */
export function vpcFunctionFixture(scope: Construct, broken: boolean): void {
  const vpc = new Vpc(scope, "vpc", { cidrBlock: "10.0.0.0/16" });
  const routes = new RouteTable(scope, "routes", { vpcId: vpc.id });
  const subnets = ["a", "b"].map((z, i) => {
    const subnet = new Subnet(scope, `subnet-${z}`, {
      vpcId: vpc.id,
      cidrBlock: `10.0.${i}.0/24`,
      availabilityZoneId: `euc1-az${i + 1}`,
      mapPublicIpOnLaunch: broken && i === 0,
    });
    new RouteTableAssociation(scope, `subnet-${z}-routes`, { subnetId: subnet.id, routeTableId: routes.id });
    return subnet;
  });
  const sg = new SecurityGroup(scope, "functions", { name: "functions", description: "functions", vpcId: vpc.id });
  new VpcSecurityGroupEgressRule(scope, "https-out", {
    securityGroupId: sg.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    ...(broken ? { cidrIpv4: "0.0.0.0/0" } : { prefixListId: "pl-6ea54007" }),
  });
  if (broken) {
    const igw = new InternetGateway(scope, "igw", { vpcId: vpc.id });
    new Route(scope, "default-route", { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
  }
  const role = new IamRole(scope, "vpc-fn-role", { name: "vpc-fn-role", assumeRolePolicy: lambdaTrust() });
  new LambdaFunction(scope, "vpc-fn", {
    functionName: "vpc-fn",
    role: role.arn,
    runtime: "nodejs22.x",
    handler: "index.handler",
    filename: "fixture.zip",
    vpcConfig: { subnetIds: subnets.map((s) => s.id), securityGroupIds: [sg.id] },
  });
}

export interface RuleFixture {
  readonly compliant: (scope: Construct) => void;
  readonly broken: (scope: Construct) => void;
  /** Provider tags for the broken fixture (CCI-TAG-1). */
  readonly brokenTags?: Record<string, string> | false;
}

const secureBucket = (scope: Construct) =>
  new SecureBucket(scope, "ok-bucket", {
    bucketName: "ok-bucket-111122223333",
    key: new CustomerKey(scope, "ok-bucket-key", { alias: "alias/ok-bucket" }),
    expirations: [{ id: "all", prefix: "", days: 1 }],
  });
const bareBucket = (scope: Construct) => new S3Bucket(scope, "bare-bucket", { bucket: "bare-bucket-111122223333" });
const oidcTrust = (condition: object) =>
  policyJson({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  });

/** One compliant and one non-compliant fixture per rule id. */
export const RULE_FIXTURES: Record<string, RuleFixture> = {
  "CCI-S3-1": {
    compliant: secureBucket,
    broken: (s) => {
      const b = bareBucket(s);
      new S3BucketServerSideEncryptionConfigurationA(s, "sse-s3", { bucket: b.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    },
  },
  "CCI-S3-2": { compliant: secureBucket, broken: bareBucket },
  "CCI-S3-3": { compliant: secureBucket, broken: bareBucket },
  "CCI-S3-4": {
    compliant: secureBucket,
    // The design before issue 12: a header-presence deny (breaks multipart uploads) and aws:kms without a key id.
    broken: (s) => {
      const b = bareBucket(s);
      new S3BucketPolicy(s, "legacy-policy", {
        bucket: b.id,
        policy: policyJson(
          {
            Sid: "DenyPutWithoutKmsHeader",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::bare-bucket-111122223333/*",
            Condition: { Null: { "s3:x-amz-server-side-encryption": "true" } },
          },
          {
            Sid: "DenyPutWithOtherEncryption",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::bare-bucket-111122223333/*",
            Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
          },
        ),
      });
    },
  },
  "CCI-S3-5": { compliant: secureBucket, broken: bareBucket },
  "CCI-S3-6": { compliant: secureBucket, broken: bareBucket },
  "CCI-KMS-1": {
    compliant: (s) => new KmsKey(s, "key", { enableKeyRotation: true }),
    broken: (s) => new KmsKey(s, "key", { enableKeyRotation: false }),
  },
  "CCI-LOG-1": {
    compliant: (s) => new CloudwatchLogGroup(s, "logs", { name: "/fixture/ok", retentionInDays: 30, kmsKeyId: KEY_ARN }),
    broken: (s) => new CloudwatchLogGroup(s, "logs", { name: "/fixture/forever" }),
  },
  "CCI-LOG-2": {
    compliant: (s) => lambdaFixture(s, "fn", false),
    // A managed log group but no ERROR filter or alarm.
    broken: (s) => {
      const g = new CloudwatchLogGroup(s, "logs", { name: "/aws/lambda/quiet-fn", retentionInDays: 30, kmsKeyId: KEY_ARN });
      new LambdaFunction(s, "fn", {
        functionName: "quiet-fn",
        role: "arn:aws:iam::111122223333:role/x",
        runtime: "nodejs22.x",
        handler: "index.handler",
        filename: "fixture.zip",
        loggingConfig: { logFormat: "Text", logGroup: g.name },
      });
    },
  },
  "CCI-SNS-1": {
    compliant: (s) => new SnsTopic(s, "topic", { name: "ok", kmsMasterKeyId: KEY_ARN }),
    broken: (s) => new SnsTopic(s, "topic", { name: "plain" }),
  },
  "CCI-SQS-1": {
    compliant: (s) => new SqsQueue(s, "queue", { name: "ok", kmsMasterKeyId: KEY_ARN }),
    broken: (s) => new SqsQueue(s, "queue", { name: "plain", sqsManagedSseEnabled: true }),
  },
  "CCI-LAMBDA-1": { compliant: (s) => lambdaFixture(s, "fn", false), broken: (s) => lambdaFixture(s, "fn", true) },
  "CCI-LAMBDA-2": { compliant: (s) => queueConsumer(s, 5), broken: (s) => queueConsumer(s, undefined) },
  "CCI-LAMBDA-3": { compliant: (s) => lambdaFixture(s, "fn", false), broken: (s) => lambdaFixture(s, "fn", true) },
  "CCI-LAMBDA-4": { compliant: (s) => lambdaFixture(s, "fn", false), broken: (s) => lambdaFixture(s, "fn", true) },
  "CCI-LAMBDA-5": { compliant: (s) => vpcFunctionFixture(s, false), broken: (s) => vpcFunctionFixture(s, true) },
  "CCI-IAM-1": {
    compliant: (s) => {
      const r = new IamRole(s, "role", { name: "narrow", assumeRolePolicy: lambdaTrust() });
      new IamRolePolicy(s, "policy", { role: r.name, policy: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) });
    },
    broken: (s) => {
      const r = new IamRole(s, "role", { name: "wide", assumeRolePolicy: lambdaTrust() });
      new IamRolePolicy(s, "policy", { role: r.name, policy: policyJson({ Effect: "Allow", Action: ["s3:*"], Resource: "*" }) });
      new IamRolePolicyAttachment(s, "admin", { role: r.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    },
  },
  "CCI-IAM-2": {
    compliant: (s) => new IamRole(s, "role", { name: "scoped", assumeRolePolicy: lambdaTrust(true) }),
    broken: (s) => new IamRole(s, "role", { name: "deputy", assumeRolePolicy: lambdaTrust(false) }),
  },
  "CCI-IAM-3": {
    compliant: (s) => new IamUser(s, "user", { name: "break-glass" }),
    broken: (s) => {
      const u = new IamUser(s, "user", { name: "ci" });
      new IamUserPolicy(s, "user-policy", { user: u.name, policy: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) });
    },
  },
  "CCI-IAM-4": {
    compliant: (s) =>
      new IamRole(s, "role", {
        name: "gh",
        assumeRolePolicy: oidcTrust({
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/r:environment:prod" },
        }),
      }),
    broken: (s) =>
      new IamRole(s, "role", {
        name: "gh",
        assumeRolePolicy: oidcTrust({ "ForAllValues:StringLike": { "token.actions.githubusercontent.com:sub": "repo:*" } }),
      }),
  },
  "CCI-IAM-5": {
    compliant: (s) => {
      const q = new SqsQueue(s, "queue", { name: "q", kmsMasterKeyId: KEY_ARN });
      new SqsQueuePolicy(s, "qp", {
        queueUrl: q.url,
        policy: policyJson({
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "*",
          Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:s3:::b" } },
        }),
      });
      new LambdaPermission(s, "perm", {
        action: "lambda:InvokeFunction",
        functionName: "f",
        principal: "events.amazonaws.com",
        sourceArn: `arn:aws:events:eu-central-1:${ACCOUNT}:rule/r`,
      });
    },
    broken: (s) => {
      const q = new SqsQueue(s, "queue", { name: "q", kmsMasterKeyId: KEY_ARN });
      new SqsQueuePolicy(s, "qp", {
        queueUrl: q.url,
        policy: policyJson({ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" }),
      });
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: "f", principal: "s3.amazonaws.com" });
    },
  },
  "CCI-TAG-1": {
    compliant: (s) => new SqsQueue(s, "queue", { name: "q", kmsMasterKeyId: KEY_ARN, tags: { Name: "q" } }),
    broken: (s) => new SqsQueue(s, "queue", { name: "q", kmsMasterKeyId: KEY_ARN, tags: { Owner: "" } }),
    brokenTags: { Project: "CCI-Lite", Env: "test" },
  },
  "CCI-CT-1": {
    compliant: (s) => new Cloudtrail(s, "trail", { name: "t", s3BucketName: "b", isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: KEY_ARN }),
    broken: (s) => new Cloudtrail(s, "trail", { name: "t", s3BucketName: "b" }),
  },
};

/** A stack breaking every rule at once (used by the real `cdktf synth` test). */
export function brokenStack(app: App): TerraformStack {
  const stack = fixtureStack(app, "broken", { tags: { Project: "CCI-Lite" } });
  for (const [id, f] of Object.entries(RULE_FIXTURES)) f.broken(new Construct(stack, id.toLowerCase()));
  return stack;
}
