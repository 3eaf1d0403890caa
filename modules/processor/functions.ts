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
import { CATEGORY_RULES_FILE, type CategoryDocument } from "../../lambda-src/core/category-rules";
import type { AlarmTopic } from "../constructs/alarm-topic";
import type { LambdaBundle } from "../constructs/bundling";
import type { CustomerKey } from "../constructs/customer-key";
import { type FunctionVpcPlacement, PipelineFunction } from "../constructs/pipeline-function";
import type { SecureBucket } from "../constructs/secure-bucket";
import type { Role } from "../constructs/role";
import { type CallGrantScope, grantCalls } from "./call-grants";
import type { CallTargets } from "../iam/call-targets";
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

/** Function names are `<stem>-<handler>`, role names `<stem>-<handler>-fn` (the stem from the {@link StackContext}). */
export interface PipelineFunctionsProps {
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Transcribe's data-access role: the only role `start` may pass (its ARN goes into start's environment). */
  readonly transcribeRole: Role;
  /**
   * What the functions' calls act on (modules/iam/call-targets.ts; main.ts builds it once, for the roles and the
   * endpoint policies). The analyze function's ARN is taken from the function itself here.
   */
  readonly targets: CallTargets;
  /** Every handler's environment settings (each handler gets the variables of its contract; the analyze function's name is filled in here). */
  readonly settings: Omit<ReconcileConfig, "analyzeFunctionName">;
  /** Reserved concurrency per function. @default none */
  readonly reservedConcurrency?: Partial<Record<HandlerName, number>>;
  readonly logRetentionDays: number;
  readonly alarms: AlarmTopic;
  /** Prebuilt bundles (tests). @default bundled during synth */
  readonly bundles?: Record<HandlerName, LambdaBundle>;
  /**
   * The tenants' call category rules (`categoryDocument`, lambda-src/contracts/tenant-settings.ts): packaged with the
   * analyze function as `category-rules.json`. @default none (no tenant has rules: no file, no categories)
   */
  readonly categoryRules?: CategoryDocument;
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
    const rules = props.categoryRules && Object.keys(props.categoryRules).length ? JSON.stringify(props.categoryRules) : undefined;
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
        files: h === "analyze" && rules ? { [CATEGORY_RULES_FILE]: rules } : undefined,
        vpc: props.vpc,
      });
    }
    this.start = fns.start;
    this.analyze = fns.analyze;
    this.reconcile = fns.reconcile;

    // Each function's role: exactly the AWS calls of its handler (lambda-src/contracts/aws-calls.ts), granted by
    // the resource they act on (./call-grants.ts). start reads the call's record before a rejection (the one write
    // protocol, aws/records.ts commitRecord); analyze never writes over a newer upload's record (docs/pipeline.md
    // "Result identity"); reconcile only detects and hands jobs to analyze (docs/pipeline.md "Reconcile").
    const grants: CallGrantScope = {
      input,
      results,
      key,
      transcribeRole: props.transcribeRole,
      ...props.targets,
      analyzeFunctionArn: this.analyze.functionArn,
    };
    for (const h of HANDLER_NAMES) grantCalls(fns[h], h, grants);

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
