/**
 * Guide §6-§9 and §14, redesigned: uploads reach an encrypted SQS intake queue (nothing is lost when
 * Transcribe's quota is hit or processing is paused); `start` starts a Transcribe job per object and returns;
 * Transcribe's completion event (EventBridge) invokes `analyze`; `reconcile` runs on a schedule and picks up
 * missed events and stuck jobs. One role per function, least privilege; logs encrypted with the key;
 * alarms on errors, throttles, duration, dead letters, queue age, failed/rejected calls and stuck jobs.
 */
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { bundleLambdas, type HandlerName, type LambdaBundle } from "../../scripts/bundle-lambdas";
import type { AlarmTopic } from "../alarms";
import type { ConfigParameters } from "../config-parameters";
import { bedrockRegion, bedrockResourceArns, type Naming } from "../config/naming";
import type { CciLiteConfig } from "../config/schema";
import { denyInsecureTransport, keyByAlias, policy, render, serviceTrust, type Statement } from "../iam/policy";
import type { CustomerKey } from "../key";
import type { SecureBucket } from "../storage/secure-bucket";

/** Namespace of the pipeline's EMF metrics (their only dimension is `service`). */
export const METRICS_NAMESPACE = "CCI-Lite";

/**
 * Per-handler runtime settings. Memory is at least twice the peak RSS `npm run bench` measured (start 80 MiB,
 * analyze and reconcile 119 MiB; docs/benchmarks.md), rounded up to a multiple of 64 MB.
 */
export const FUNCTION_SETTINGS: Record<HandlerName, { readonly memoryMb: number; readonly timeoutSeconds: number; readonly description: string }> = {
  start: { memoryMb: 192, timeoutSeconds: 60, description: "Validates uploads and starts Transcribe jobs (intake queue consumer)" },
  analyze: { memoryMb: 256, timeoutSeconds: 300, description: "Turns a finished Transcribe job into the call's result JSON" },
  reconcile: { memoryMb: 256, timeoutSeconds: 600, description: "Finds finished jobs without a result and stuck jobs" },
};

let cachedBundles: Record<HandlerName, LambdaBundle> | undefined;
/** Bundles once per process (synth of many stacks, many tests). */
function defaultBundles(): Record<HandlerName, LambdaBundle> {
  cachedBundles ??= bundleLambdas();
  return cachedBundles;
}

export interface ProcessorProps {
  readonly config: CciLiteConfig;
  readonly naming: Naming;
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Transcribe's data-access role (the only role `start` may pass). */
  readonly transcribeRoleArn: string;
  readonly parameters: ConfigParameters;
  readonly alarms: AlarmTopic;
  /** Pre-built bundles (tests). @default built with esbuild at synth */
  readonly bundles?: Record<HandlerName, LambdaBundle>;
}

export class Processor extends Construct {
  readonly intakeQueue: SqsQueue;
  readonly intakeDeadLetterQueue: SqsQueue;
  readonly eventsDeadLetterQueue: SqsQueue;
  readonly functions: Record<HandlerName, LambdaFunction>;
  readonly roleArns: Record<HandlerName, string>;
  readonly intakeMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const { config: cfg, naming: n, key } = props;
    const p = cfg.processing;
    if (p.reservedConcurrency.start < 2) throw new Error(`Processor ${id}: processing.reservedConcurrency.start must be >= 2 (SQS maximum concurrency)`);
    const bundles = props.bundles ?? defaultBundles();
    const region = cfg.region;
    const account = cfg.accountId;
    const queueArn = (name: string) => `arn:aws:sqs:${region}:${account}:${name}`;
    const ruleArn = (name: string) => `arn:aws:events:${region}:${account}:rule/${name}`;
    const jobArn = `arn:aws:transcribe:${region}:${account}:transcription-job/${n.jobNamePrefix}*`;
    const keyUse = (actions: string[]): Statement => ({ Sid: "UseCustomerKey", Effect: "Allow", Action: actions, ...keyByAlias(account, region, n.keyAlias) });

    // ── Queues: intake (S3 events) and dead letters, all encrypted with the key ──
    const names = { intake: `${n.stem}-intake`, intakeDlq: `${n.stem}-intake-dlq`, eventsDlq: `${n.stem}-events-dlq` };
    const retention = 14 * 24 * 3600; // the SQS maximum: uploads wait this long while processing is paused
    this.intakeDeadLetterQueue = new SqsQueue(this, "intake-dlq", {
      name: names.intakeDlq,
      kmsMasterKeyId: key.key.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: retention,
    });
    this.intakeQueue = new SqsQueue(this, "intake", {
      name: names.intake,
      kmsMasterKeyId: key.key.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: retention,
      // Six times the consumer's timeout, as Lambda recommends for SQS sources.
      visibilityTimeoutSeconds: 6 * FUNCTION_SETTINGS.start.timeoutSeconds,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(names.intakeDlq), maxReceiveCount: p.maxReceiveCount }),
      dependsOn: [this.intakeDeadLetterQueue],
    });
    this.eventsDeadLetterQueue = new SqsQueue(this, "events-dlq", {
      name: names.eventsDlq,
      kmsMasterKeyId: key.key.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: retention,
    });
    const denyInsecure = (arn: string): Statement => denyInsecureTransport("sqs:*", arn);
    const intakePolicy = new SqsQueuePolicy(this, "intake-policy", {
      queueUrl: this.intakeQueue.url,
      policy: render(
        policy(
          {
            Sid: "AllowInputBucketEvents",
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn(names.intake),
            Condition: { ArnEquals: { "aws:SourceArn": n.inputBucketArn }, StringEquals: { "aws:SourceAccount": account } },
          },
          denyInsecure(queueArn(names.intake)),
        ),
      ),
    });
    const analyzeRuleName = `${n.stem}-transcribe-job-state`;
    const reconcileRuleName = `${n.stem}-reconcile-schedule`;
    new SqsQueuePolicy(this, "events-dlq-policy", {
      queueUrl: this.eventsDeadLetterQueue.url,
      policy: render(
        policy(
          {
            Sid: "AllowEventBridgeDeadLetters",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn(names.eventsDlq),
            Condition: { ArnEquals: { "aws:SourceArn": [ruleArn(analyzeRuleName), ruleArn(reconcileRuleName)] } },
          },
          denyInsecure(queueArn(names.eventsDlq)),
        ),
      ),
    });
    new SqsQueuePolicy(this, "intake-dlq-policy", {
      queueUrl: this.intakeDeadLetterQueue.url,
      policy: render(policy(denyInsecure(queueArn(names.intakeDlq)))),
    });
    key.grantServiceForResources("s3.amazonaws.com", { sqsQueueArns: [queueArn(names.intake)] });
    key.grantServiceForResources("events.amazonaws.com", { sqsQueueArns: [queueArn(names.eventsDlq)] });

    // Every object created in the input bucket is an event: `start` decides (and records) what is rejected.
    new S3BucketNotification(this, "input-notification", {
      bucket: props.input.bucket.id,
      queue: [{ id: "all-uploads", queueArn: this.intakeQueue.arn, events: ["s3:ObjectCreated:*"] }],
      dependsOn: [intakePolicy],
    });

    // ── Roles: one per function, built from names so the policies are known at plan ──
    const resultsArn = n.resultsBucketArn;
    const logStatement = (h: HandlerName): Statement => ({
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${region}:${account}:log-group:${n.logGroupName(h)}:*`,
    });
    const writeRecords: Statement[] = [
      { Sid: "WriteResultsAndErrorRecords", Effect: "Allow", Action: "s3:PutObject", Resource: `${resultsArn}/*` },
      {
        Sid: "NeverWriteTranscriptsOrQueryResults",
        Effect: "Deny",
        Action: "s3:PutObject",
        Resource: [`${resultsArn}/${n.tmpPrefix}*`, `${resultsArn}/${n.athenaPrefix}*`],
      },
    ];
    const analyzeCore: Statement[] = [
      { Sid: "ReadJobs", Effect: "Allow", Action: "transcribe:GetTranscriptionJob", Resource: jobArn },
      { Sid: "ListResults", Effect: "Allow", Action: "s3:ListBucket", Resource: resultsArn },
      { Sid: "ReadTranscriptsAndResults", Effect: "Allow", Action: "s3:GetObject", Resource: `${resultsArn}/*` },
      ...writeRecords,
      { Sid: "DetectSentiment", Effect: "Allow", Action: ["comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"], Resource: "*" },
      { Sid: "InvokeSummaryModel", Effect: "Allow", Action: "bedrock:InvokeModel", Resource: bedrockResourceArns(cfg) },
      ...(p.deleteInputOnSuccess
        ? [{ Sid: "DeleteProcessedAudio", Effect: "Allow" as const, Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${n.inputBucketArn}/*/calls/*` }]
        : []),
      { Sid: "SendFailedEventsToDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn(names.eventsDlq) },
      keyUse(["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]),
    ];
    const statements: Record<HandlerName, Statement[]> = {
      start: [
        { Sid: "ConsumeIntakeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], Resource: queueArn(names.intake) },
        { Sid: "ListInput", Effect: "Allow", Action: "s3:ListBucket", Resource: n.inputBucketArn },
        { Sid: "ReadAudioHeaders", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${n.inputBucketArn}/*/calls/*` },
        ...writeRecords,
        { Sid: "ReadTenantSettings", Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:${region}:${account}:parameter${n.configPath}/*` },
        // StartTranscriptionJob and TagResource support no resource-level permissions (Service Authorization
        // Reference): a job ARN as Resource never matches, so the output bucket condition does the scoping.
        {
          Sid: "StartJobsIntoResultsBucket",
          Effect: "Allow",
          Action: "transcribe:StartTranscriptionJob",
          Resource: "*",
          Condition: { StringEquals: { "transcribe:OutputBucketName": n.resultsBucket } },
        },
        { Sid: "TagJobs", Effect: "Allow", Action: "transcribe:TagResource", Resource: "*" },
        {
          Sid: "PassTranscribeDataAccessRole",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: props.transcribeRoleArn,
          Condition: { StringEquals: { "iam:PassedToService": "transcribe.amazonaws.com" } },
        },
        keyUse(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]),
      ],
      analyze: analyzeCore,
      reconcile: [{ Sid: "ListJobs", Effect: "Allow", Action: "transcribe:ListTranscriptionJobs", Resource: "*" }, ...analyzeCore],
    };

    const common: Record<string, string> = {
      ENVIRONMENT: cfg.environment,
      NAME_PREFIX: cfg.namePrefix,
      INPUT_BUCKET: n.inputBucket,
      RESULTS_BUCKET: n.resultsBucket,
      KMS_KEY_ARN: key.key.arn,
      JOB_NAME_PREFIX: n.jobNamePrefix,
      CONFIG_PATH: n.configPath,
      POWERTOOLS_SERVICE_NAME: n.stem,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: "INFO",
    };
    const summary = {
      BEDROCK_MODEL_ID: cfg.bedrock.modelId,
      BEDROCK_REGION: bedrockRegion(cfg),
      BEDROCK_MAX_TOKENS: String(cfg.bedrock.maxTokens),
      DELETE_INPUT_ON_SUCCESS: String(p.deleteInputOnSuccess),
    };
    const env: Record<HandlerName, Record<string, string>> = {
      start: { ...common, TRANSCRIBE_ROLE_ARN: props.transcribeRoleArn },
      analyze: { ...common, ...summary },
      reconcile: { ...common, ...summary, STUCK_JOB_HOURS: String(p.stuckJobHours), RECONCILE_LOOKBACK_HOURS: "48" },
    };

    const functions = {} as Record<HandlerName, LambdaFunction>;
    const roleArns = {} as Record<HandlerName, string>;
    for (const h of ["start", "analyze", "reconcile"] as const) {
      const roleName = n.roleName(`${h}-fn`);
      roleArns[h] = `arn:aws:iam::${account}:role/${roleName}`;
      key.grantUse(roleArns[h]);
      const role = new IamRole(this, `${h}-role`, {
        name: roleName,
        description: `CCI Lite ${h} function`,
        assumeRolePolicy: render(serviceTrust("lambda.amazonaws.com", account)),
      });
      new IamRolePolicy(this, `${h}-policy`, { role: role.name, name: `${h}-least-privilege`, policy: render(policy(logStatement(h), ...statements[h])) });
      const logGroup = new CloudwatchLogGroup(this, `${h}-logs`, {
        name: n.logGroupName(h),
        retentionInDays: cfg.retention.logsDays,
        kmsKeyId: key.key.arn,
      });
      const asset = new TerraformAsset(this, `${h}-code`, { path: bundles[h].dir, type: AssetType.ARCHIVE });
      const settings = FUNCTION_SETTINGS[h];
      functions[h] = new LambdaFunction(this, `${h}-fn`, {
        functionName: n.functionName(h),
        description: settings.description,
        role: role.arn,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        filename: asset.path,
        sourceCodeHash: asset.assetHash,
        memorySize: settings.memoryMb,
        timeout: settings.timeoutSeconds,
        reservedConcurrentExecutions: p.reservedConcurrency[h],
        kmsKeyArn: key.key.arn,
        environment: { variables: env[h] },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        dependsOn: [logGroup],
      });
      props.alarms.addErrorLogAlarm(h, n.logGroupName(h));
      const dims = { FunctionName: n.functionName(h) };
      props.alarms.addAlarm({ name: `${h}-errors`, description: `${h} function errors (guide §9 LambdaErrorsHigh)`, namespace: "AWS/Lambda", metricName: "Errors", dimensions: dims, evaluationPeriods: 2, threshold: 0 });
      props.alarms.addAlarm({ name: `${h}-throttles`, description: `${h} function throttled (reserved concurrency reached)`, namespace: "AWS/Lambda", metricName: "Throttles", dimensions: dims, threshold: 0 });
      props.alarms.addAlarm({
        name: `${h}-duration-near-timeout`,
        description: `${h} duration above 80% of its ${settings.timeoutSeconds}s timeout (guide §9 LambdaDurationHigh)`,
        namespace: "AWS/Lambda",
        metricName: "Duration",
        dimensions: dims,
        statistic: "Maximum",
        threshold: settings.timeoutSeconds * 1000 * 0.8,
      });
    }
    this.functions = functions;
    this.roleArns = roleArns;

    // ── Intake → start (the pause switch disables this mapping; messages wait in the queue) ──
    this.intakeMapping = new LambdaEventSourceMapping(this, "intake-mapping", {
      functionName: functions.start.arn,
      eventSourceArn: this.intakeQueue.arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: p.reservedConcurrency.start },
      enabled: !p.paused,
    });

    // ── Transcribe completion → analyze (best effort; reconcile covers the misses) ──
    const analyzeRule = new CloudwatchEventRule(this, "job-state-rule", {
      name: analyzeRuleName,
      description: `Transcribe jobs of ${n.stem} finished`,
      eventPattern: JSON.stringify({
        source: ["aws.transcribe"],
        "detail-type": ["Transcribe Job State Change"],
        detail: { TranscriptionJobName: [{ prefix: n.jobNamePrefix }], TranscriptionJobStatus: ["COMPLETED", "FAILED"] },
      }),
    });
    const reconcileRule = new CloudwatchEventRule(this, "reconcile-rule", {
      name: reconcileRuleName,
      description: `Reconcile ${n.stem} jobs and results`,
      scheduleExpression: `rate(${p.reconcileEveryMinutes} minutes)`,
    });
    for (const [h, rule, ruleName] of [["analyze", analyzeRule, analyzeRuleName], ["reconcile", reconcileRule, reconcileRuleName]] as const) {
      new CloudwatchEventTarget(this, `${h}-target`, {
        rule: rule.name,
        arn: functions[h].arn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 20 },
        deadLetterConfig: { arn: this.eventsDeadLetterQueue.arn },
      });
      new LambdaPermission(this, `${h}-invoke-permission`, {
        statementId: "AllowEventBridge",
        action: "lambda:InvokeFunction",
        functionName: functions[h].functionName,
        principal: "events.amazonaws.com",
        // Source ARN only (it names this account): EventBridge's troubleshooting guide warns that a SourceAccount
        // condition on the permission keeps rules from invoking the function.
        sourceArn: ruleArn(ruleName),
      });
      new LambdaFunctionEventInvokeConfig(this, `${h}-async`, {
        functionName: functions[h].functionName,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 6 * 3600,
        destinationConfig: { onFailure: { destination: this.eventsDeadLetterQueue.arn } },
      });
    }

    // ── Pipeline alarms ──
    const service = { service: n.stem };
    const queueAlarm = (name: string, queue: string, description: string, metricName: string, threshold: number, actionsEnabled = true) =>
      props.alarms.addAlarm({ name, description, namespace: "AWS/SQS", metricName, dimensions: { QueueName: queue }, statistic: "Maximum", threshold, actionsEnabled });
    queueAlarm("intake-dlq-not-empty", names.intakeDlq, "Uploads that failed start repeatedly (redrive after fixing, see README)", "ApproximateNumberOfMessagesVisible", 0);
    queueAlarm("events-dlq-not-empty", names.eventsDlq, "Job events analyze/reconcile could not process", "ApproximateNumberOfMessagesVisible", 0);
    // While paused the backlog ages on purpose: the alarm stays but does not notify.
    queueAlarm("intake-oldest-message-age", names.intake, "Oldest upload waiting over 15 minutes (silenced while processing.paused)", "ApproximateAgeOfOldestMessage", 900, !p.paused);
    for (const [metric, name, description] of [
      ["CallsFailed", "calls-failed", "Calls that ended in a FAILED record"],
      ["CallsRejected", "calls-rejected", "Uploads rejected (error record written)"],
      ["JobsStuck", "jobs-stuck", `Transcribe jobs unfinished after ${p.stuckJobHours} h`],
    ] as const) {
      props.alarms.addAlarm({ name, description, namespace: METRICS_NAMESPACE, metricName: metric, dimensions: service, threshold: 0 });
    }
  }
}
