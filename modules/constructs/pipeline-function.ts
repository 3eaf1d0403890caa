/**
 * One Lambda function of the pipeline, with everything that belongs to it: its own role (least privilege, filled
 * by grants), its log group (encrypted with the key, created before the function), its code (bundled from
 * `lambda-src/handlers/<handler>.ts` with esbuild, or a given bundle), and its alarms (errors, throttles,
 * duration near the timeout, `ERROR` log lines; guide §9 and §12).
 */
import { AssetType, type ITerraformDependable, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { type AwsClient, endpointUrlEnvironment } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_ENTRY, type HandlerName } from "../../lambda-src/contracts/handlers";
import { ValidationError } from "../config/errors";
import { type ArnBuilder, type Grantee, serviceTrust, type Statement } from "../iam/policy";
import type { AlarmTopic } from "./alarm-topic";
import { bundleHandler, type LambdaBundle, packageWithFiles } from "./bundling";
import type { CustomerKey } from "./customer-key";
import { Role } from "./role";
import { StackContext } from "./stack-context";

/** Lambda's limits for the settings below. */
/** The functions' runtime; tests, scripts and workflows run the same Node major (.nvmrc, docs/testing.md). */
export const LAMBDA_RUNTIME = "nodejs22.x";
const MEMORY_MB = { min: 128, max: 10_240 };
const TIMEOUT_SECONDS = { min: 1, max: 900 };

/** Where a function runs when private networking is on (guide §12, docs/network.md). */
export interface FunctionVpcPlacement {
  /** Private subnets in two or more Availability Zones. */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Created before the function (the endpoints and the security group rules it needs), destroyed after it. */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * The endpoints to call by URL (interface endpoints without private DNS), by client: the function's environment
   * gets `AWS_ENDPOINT_URL_<SERVICE>` for each client its handler uses. @default none
   */
  readonly endpointUrls?: Readonly<Partial<Record<AwsClient, string>>>;
}

/**
 * The network interface permissions Lambda needs to place a function in a VPC: the actions of the AWS managed
 * policy AWSLambdaVPCAccessExecutionRole (v3) without its Logs actions (the function has its own log statement).
 * `ec2:DescribeNetworkInterfaces` and `ec2:DescribeSubnets` support no resource-level permissions; the others are
 * scoped to this account and region. Subnet or security group ARNs would be narrower but are unknown until apply
 * (the role's policy would be unknown in the reviewed plan), and the Lambda Developer Guide warns that a
 * `DeleteNetworkInterface` without a matching resource keeps the function from the VPC.
 */
export function vpcAccessStatements(at: ArnBuilder): Statement[] {
  return [
    { Sid: "DescribeNetworkInterfaces", Effect: "Allow", Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], Resource: "*" },
    {
      Sid: "ManageFunctionNetworkInterfaces",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: at.arn("ec2", "*/*"),
    },
  ];
}

export interface PipelineFunctionProps {
  /** Which handler of lambda-src/handlers runs. */
  readonly handler: HandlerName;
  readonly functionName: string;
  readonly roleName: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Reserved concurrency. @default none (the function shares the account's unreserved pool) */
  readonly reservedConcurrency?: number;
  /** Environment variables (no secrets: they are readable by anyone who may read the function's configuration). */
  readonly environment: Record<string, string>;
  /** Encrypts the log group. */
  readonly key: CustomerKey;
  readonly logRetentionDays: number;
  /** Receives the function's alarms. */
  readonly alarms: AlarmTopic;
  /** A prebuilt bundle (tests). @default built from the handler's source with esbuild during synth */
  readonly bundle?: LambdaBundle;
  /** Data files packaged beside the bundle (name -> content), read by the handler from its task root. @default none */
  readonly files?: Readonly<Record<string, string>>;
  /** Run in these private subnets (`vpc_config`); the role gains the network interface permissions. @default no VPC */
  readonly vpc?: FunctionVpcPlacement;
}

export class PipelineFunction extends Construct implements Grantee {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: CloudwatchLogGroup;
  readonly functionName: string;
  /** Built from the name: known at plan time. */
  readonly functionArn: string;
  readonly principalArn: string;
  readonly keyPolicyPrincipals: readonly string[];
  readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { memoryMb, timeoutSeconds, reservedConcurrency } = props;
    if (!Number.isInteger(memoryMb) || memoryMb < MEMORY_MB.min || memoryMb > MEMORY_MB.max) {
      throw new ValidationError(this.node.path, "memoryMb", `must be ${MEMORY_MB.min}-${MEMORY_MB.max}, got ${memoryMb}`);
    }
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_SECONDS.min || timeoutSeconds > TIMEOUT_SECONDS.max) {
      throw new ValidationError(this.node.path, "timeoutSeconds", `must be ${TIMEOUT_SECONDS.min}-${TIMEOUT_SECONDS.max}, got ${timeoutSeconds}`);
    }
    if (reservedConcurrency !== undefined && (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1)) {
      throw new ValidationError(this.node.path, "reservedConcurrency", `must be a whole number >= 1 when set, got ${reservedConcurrency}`);
    }
    const logGroupName = `/aws/lambda/${props.functionName}`;
    this.functionName = props.functionName;
    this.timeoutSeconds = timeoutSeconds;
    const ctx = StackContext.of(this);
    this.functionArn = ctx.arn("lambda", `function:${props.functionName}`);

    this.role = new Role(this, "role", {
      roleName: props.roleName,
      description: `CCI Lite ${props.handler} function`,
      assumeRolePolicy: serviceTrust("lambda.amazonaws.com", ctx.accountId),
      policyName: `${props.handler}-least-privilege`,
    });
    this.principalArn = this.role.principalArn;
    this.keyPolicyPrincipals = [this.principalArn];
    this.role.addToPrincipalPolicy({
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: ctx.arn("logs", `log-group:${logGroupName}:*`),
    });
    const vpc = props.vpc;
    if (vpc) {
      if (vpc.subnetIds.length < 2)
        throw new ValidationError(this.node.path, "vpc.subnetIds", `needs subnets in two or more zones, got ${vpc.subnetIds.length}`);
      if (vpc.securityGroupIds.length === 0) throw new ValidationError(this.node.path, "vpc.securityGroupIds", "must name at least one security group");
      // Lambda checks these permissions at CreateFunction: the role's policy is a dependency of the function below.
      for (const statement of vpcAccessStatements(ctx)) this.role.addToPrincipalPolicy(statement);
    }
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: logGroupName, retentionInDays: props.logRetentionDays, kmsKeyId: props.key.key.arn });

    const bundle = packageWithFiles(props.bundle ?? bundleHandler(props.handler), props.files ?? {});
    const asset = new TerraformAsset(this, "code", { path: bundle.dir, type: AssetType.ARCHIVE });
    this.fn = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: HANDLER_ENTRY,
      filename: asset.path,
      sourceCodeHash: asset.assetHash,
      memorySize: memoryMb,
      timeout: timeoutSeconds,
      reservedConcurrentExecutions: reservedConcurrency,
      // No kms_key_arn: the variables hold names, not secrets, and Lambda encrypts them at rest with its own key.
      // A customer key here would need kms:CreateGrant/Encrypt for every deployer and kms:Decrypt for every reader
      // of the function (docs/security.md, "Lambda environment").
      // Without private DNS, the endpoints of the services the handler calls (docs/network.md, "Private DNS").
      environment: { variables: { ...props.environment, ...endpointUrlEnvironment(props.handler, vpc?.endpointUrls ?? {}) } },
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      vpcConfig: vpc ? { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] } : undefined,
      // The role's policy must exist before the function runs (and, in a VPC, before it is created); the log group
      // before its first line; in a VPC, the endpoints before its first call.
      dependsOn: [this.logGroup, this.role.policy, ...(vpc?.dependsOn ?? [])],
    });

    const alarms = props.alarms;
    const h = props.handler;
    alarms.addErrorLogAlarm(h, this.logGroup, logGroupName);
    const dims = { FunctionName: props.functionName };
    alarms.addAlarm({
      name: `${h}-errors`,
      description: `${h} function errors (guide §9 LambdaErrorsHigh).`,
      runbook: "functionErrors",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: dims,
      evaluationPeriods: 2,
      threshold: 0,
    });
    alarms.addAlarm({
      name: `${h}-throttles`,
      description: `${h} function throttled (concurrency reached).`,
      runbook: "functionThrottles",
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: dims,
      threshold: 0,
    });
    alarms.addAlarm({
      name: `${h}-duration-near-timeout`,
      description: `${h} duration above 80% of its ${timeoutSeconds}s timeout (guide §9 LambdaDurationHigh).`,
      runbook: "functionDuration",
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: dims,
      statistic: "Maximum",
      threshold: timeoutSeconds * 1000 * 0.8,
    });
  }

  addToPrincipalPolicy(statement: Statement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
