/**
 * Guide §6-§8, redesigned: the three functions of the pipeline and what each may do. `start` validates uploads
 * and starts Transcribe jobs; `analyze` turns a finished job into the result JSON (Comprehend, Bedrock);
 * `reconcile` finds finished jobs without a result and stuck jobs. Each has its own least-privilege role,
 * written here as grants on the buckets, the key and the Transcribe role.
 */
import { Construct } from "constructs";
import { environmentVariables, POWERTOOLS, type ReconcileConfig, type StartConfig } from "../../lambda-src/contracts/environment";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { METRIC, METRICS_NAMESPACE } from "../../lambda-src/contracts/metrics";
import { ALL_UPLOADS_GLOB, ATHENA_RESULTS_PREFIX, RESULT_RECORDS_GLOB, TMP_PREFIX } from "../../lambda-src/contracts/storage-layout";
import type { Statement } from "../iam/policy";
import type { AlarmTopic } from "../constructs/alarm-topic";
import type { LambdaBundle } from "../constructs/bundling";
import type { CustomerKey } from "../constructs/customer-key";
import { type FunctionVpcPlacement, PipelineFunction } from "../constructs/pipeline-function";
import type { SecureBucket } from "../constructs/secure-bucket";
import type { Role } from "../constructs/role";
import { StackContext } from "../constructs/stack-context";

/**
 * Per-handler runtime settings, from `npm run bench` (docs/benchmarks.md). start: at least twice the peak RSS of a
 * typical upload (80 MiB), rounded up to a multiple of 64 MB. analyze: at least 1.5x the peak RSS of the longest call
 * Transcribe accepts (4-hour stereo transcript, 208 MiB = 218 MB -> 384 MB); its timeout: the 4-hour call needs about
 * 90 s at 384 MB (CPU time scaled to the vCPU share, 3x, plus 60 s of service round trips), 300 s leaves room for
 * Bedrock's SDK retries and the larger-budget request. reconcile only detects and hands jobs to analyze (no
 * transcript in memory): twice its measured peak, and 600 s for a run over many jobs.
 */
export const FUNCTION_SETTINGS: Record<HandlerName, { readonly memoryMb: number; readonly timeoutSeconds: number; readonly description: string }> = {
  start: { memoryMb: 192, timeoutSeconds: 60, description: "Validates uploads and starts Transcribe jobs (intake queue consumer)" },
  analyze: { memoryMb: 384, timeoutSeconds: 300, description: "Turns a finished Transcribe job into the call's result JSON" },
  reconcile: { memoryMb: 256, timeoutSeconds: 600, description: "Finds finished jobs without a result and stuck jobs" },
};

/**
 * The summary model grant (Converse is authorised as `bedrock:InvokeModel`). A cross-region inference profile
 * (an `inference-profile/` ARN first, then `foundation-model/` ARNs) gets two statements: the profile itself, and
 * the foundation model in the regions the profile routes to, only when the request goes through this profile.
 * `bedrock:InferenceProfileArn` is the condition key Bedrock sets on the foundation-model authorisation of a
 * profile request (Service Authorization Reference, "Actions, resources, and condition keys for Amazon Bedrock",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html; used the same way
 * in https://repost.aws/knowledge-center/bedrock-access-denied-exception). A plain foundation model: one statement.
 */
export function bedrockStatements(arns: readonly string[]): Statement[] {
  const profiles = arns.filter((a) => a.includes(":inference-profile/"));
  const models = arns.filter((a) => !a.includes(":inference-profile/"));
  if (profiles.length === 0) return [{ Sid: "InvokeSummaryModel", Effect: "Allow", Action: "bedrock:InvokeModel", Resource: [...models] }];
  return [
    { Sid: "InvokeSummaryModel", Effect: "Allow", Action: "bedrock:InvokeModel", Resource: profiles },
    {
      Sid: "InvokeFoundationModelThroughProfile",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: models,
      Condition: { ArnEquals: { "bedrock:InferenceProfileArn": profiles.length === 1 ? profiles[0] : profiles } },
    },
  ];
}

/** Function names are `<stem>-<handler>`, role names `<stem>-<handler>-fn` (the stem from the {@link StackContext}). */
export interface PipelineFunctionsProps {
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Transcribe's data-access role: the only role `start` may pass (its ARN goes into start's environment). */
  readonly transcribeRole: Role;
  /** ARN of the SSM parameter path holding the tenant settings (`…:parameter/cci-lite/<env>/config`). */
  readonly configPathArn: string;
  /** ARNs `bedrock:InvokeModel` must allow (the profile and its foundation models). */
  readonly bedrockResourceArns: readonly string[];
  /** Every handler's environment settings (each handler gets the variables of its contract; the analyze function's name is filled in here). */
  readonly settings: Omit<ReconcileConfig, "analyzeFunctionName">;
  /** Reserved concurrency per function. @default none */
  readonly reservedConcurrency?: Partial<Record<HandlerName, number>>;
  readonly logRetentionDays: number;
  readonly alarms: AlarmTopic;
  /** Prebuilt bundles (tests). @default bundled during synth */
  readonly bundles?: Record<HandlerName, LambdaBundle>;
  /** Private networking (guide §12): every function runs in these subnets. @default no VPC */
  readonly vpc?: FunctionVpcPlacement;
}

export class PipelineFunctions extends Construct {
  readonly start: PipelineFunction;
  readonly analyze: PipelineFunction;
  readonly reconcile: PipelineFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    const { stem } = ctx;
    const { key, input, results } = props;
    const settings: ReconcileConfig & StartConfig = {
      ...props.settings,
      transcribeRoleArn: props.transcribeRole.principalArn,
      analyzeFunctionName: `${stem}-analyze`,
    };
    const powertools = { [POWERTOOLS.serviceName]: stem, [POWERTOOLS.metricsNamespace]: METRICS_NAMESPACE, [POWERTOOLS.logLevel]: "INFO" };
    const fns = {} as Record<HandlerName, PipelineFunction>;
    for (const h of HANDLER_NAMES) {
      fns[h] = new PipelineFunction(this, h, {
        handler: h,
        functionName: `${stem}-${h}`,
        roleName: `${stem}-${h}-fn`,
        ...FUNCTION_SETTINGS[h],
        reservedConcurrency: props.reservedConcurrency?.[h],
        environment: { ...environmentVariables(h, settings), ...powertools },
        key,
        logRetentionDays: props.logRetentionDays,
        alarms: props.alarms,
        bundle: props.bundles?.[h],
        vpc: props.vpc,
      });
    }
    this.start = fns.start;
    this.analyze = fns.analyze;
    this.reconcile = fns.reconcile;

    const jobArn = ctx.arn("transcribe", `transcription-job/${settings.jobNamePrefix}*`);
    const writeRecords = (f: PipelineFunction) => {
      results.grantPut(f, "WriteResultsAndErrorRecords");
      f.addToPrincipalPolicy({
        Sid: "NeverWriteTranscriptsOrQueryResults",
        Effect: "Deny",
        Action: "s3:PutObject",
        Resource: [results.objectsArn(`${TMP_PREFIX}*`), results.objectsArn(`${ATHENA_RESULTS_PREFIX}*`)],
      });
    };

    // start: reads the upload's first bytes and the tenant's settings, starts the job, or writes a REJECTED record
    // through the one write protocol (aws/records.ts commitRecord): it reads the call's record first, and a missing
    // record must read as 404 (ListBucket), not 403.
    const start = this.start;
    input.grantList(start, "ListInput");
    input.grantRead(start, "ReadAudioHeaders", ALL_UPLOADS_GLOB, { versions: true });
    results.grantList(start, "ListResults");
    results.grantRead(start, "ReadCallRecords", RESULT_RECORDS_GLOB);
    writeRecords(start);
    start.addToPrincipalPolicy({ Sid: "ReadTenantSettings", Effect: "Allow", Action: "ssm:GetParameter", Resource: `${props.configPathArn}/*` });
    // StartTranscriptionJob and TagResource support no resource-level permissions (Service Authorization
    // Reference): a job ARN as Resource never matches, so the output bucket condition does the scoping.
    start.addToPrincipalPolicy({
      Sid: "StartJobsIntoResultsBucket",
      Effect: "Allow",
      Action: "transcribe:StartTranscriptionJob",
      Resource: "*",
      Condition: { StringEquals: { "transcribe:OutputBucketName": results.bucketName } },
    });
    start.addToPrincipalPolicy({ Sid: "TagJobs", Effect: "Allow", Action: "transcribe:TagResource", Resource: "*" });
    start.addToPrincipalPolicy({
      Sid: "PassTranscribeDataAccessRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: props.transcribeRole.principalArn,
      Condition: { StringEquals: { "iam:PassedToService": "transcribe.amazonaws.com" } },
    });
    // The caller of StartTranscriptionJob with OutputEncryptionKMSKeyId needs the key too (Transcribe docs).
    key.grant(start, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]);

    // analyze: job, transcript, models, result record (never over a newer upload's; docs/pipeline.md "Result
    // identity"), the job's "settled" marker under cci-lite/, and optionally the processed audio.
    const analyze = this.analyze;
    analyze.addToPrincipalPolicy({ Sid: "ReadJobs", Effect: "Allow", Action: "transcribe:GetTranscriptionJob", Resource: jobArn });
    results.grantList(analyze, "ListResults");
    results.grantRead(analyze, "ReadTranscriptsAndResults");
    writeRecords(analyze);
    analyze.addToPrincipalPolicy({
      Sid: "DetectSentiment",
      Effect: "Allow",
      Action: ["comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"],
      Resource: "*",
    });
    for (const statement of bedrockStatements(props.bedrockResourceArns)) analyze.addToPrincipalPolicy(statement);
    if (settings.deleteInputOnSuccess) {
      input.grantDelete(analyze, "DeleteProcessedAudio", ALL_UPLOADS_GLOB);
      // The delete names the processed ETag (`If-Match`) so a newer upload of the key is kept; S3 requires
      // s3:GetObject besides s3:DeleteObject for a conditional delete with an ETag (S3 User Guide, conditional deletes).
      input.grantRead(analyze, "ReadAudioForConditionalDelete", ALL_UPLOADS_GLOB);
    }

    // reconcile: detection only (docs/pipeline.md "Reconcile"). Lists jobs and the settled markers, reads its
    // state, hands unsettled jobs to analyze (asynchronous invoke of that one function), writes JOB_STUCK and
    // PROCESSING_ERROR records. No Comprehend, no Bedrock, no deletes.
    const reconcile = this.reconcile;
    reconcile.addToPrincipalPolicy({ Sid: "ListJobs", Effect: "Allow", Action: "transcribe:ListTranscriptionJobs", Resource: "*" });
    reconcile.addToPrincipalPolicy({ Sid: "ReadJobs", Effect: "Allow", Action: "transcribe:GetTranscriptionJob", Resource: jobArn });
    results.grantList(reconcile, "ListResultsAndMarkers");
    results.grantRead(reconcile, "ReadResultsAndState");
    writeRecords(reconcile);
    reconcile.addToPrincipalPolicy({ Sid: "HandJobsToAnalyze", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: analyze.functionArn });

    // Outcomes the handlers count (EMF): any failed, rejected or stuck call notifies.
    for (const [metric, name, description, runbook] of [
      [METRIC.CallsFailed, "calls-failed", "Calls that ended in a FAILED record.", "callsFailed"],
      [METRIC.CallsRejected, "calls-rejected", "Uploads rejected (error record written).", "callsRejected"],
      [METRIC.JobsStuck, "jobs-stuck", `Transcribe jobs unfinished after ${settings.stuckJobHours} h.`, "jobsStuck"],
      [METRIC.SummariesFailed, "summaries-failed", "COMPLETED calls recorded without a model summary (summary_error).", "modelAccessDenied"],
    ] as const) {
      props.alarms.addAlarm({ name, description, runbook, namespace: METRICS_NAMESPACE, metricName: metric, dimensions: { service: stem }, threshold: 0 });
    }
    // reconcile's watermark age (seconds, every run): fires at three quarters of the lookback, before jobs older
    // than the lookback floor would leave every window unseen.
    const watermarkHours = (settings.reconcileLookbackHours * 3) / 4;
    props.alarms.addAlarm({
      name: "reconcile-watermark-age",
      description: `reconcile's window starts more than ${watermarkHours} h back (lookback ${settings.reconcileLookbackHours} h).`,
      runbook: "reconcileWatermarkAge",
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.ReconcileWatermarkAge,
      dimensions: { service: stem },
      statistic: "Maximum",
      period: 3600,
      threshold: watermarkHours * 3600,
    });
  }
}
