/**
 * Every name and ARN derived from the configuration, in one place. ARNs are built from names (not read from
 * resource attributes) so that every policy is fully known in an offline plan; their partition follows from the
 * region (partitionOf, the same as the stack's StackContext).
 */
import { jobNamePrefix } from "../../lambda-src/core/job-name";
import { ATHENA_RESULTS_PREFIX, TMP_PREFIX, UNASSIGNED_TENANT } from "../../lambda-src/contracts/storage-layout";
import { configParameterPath, type ModelSettings, tenantDocument } from "../../lambda-src/contracts/tenant-settings";
import { INFERENCE_PROFILE_DESTINATIONS, partitionOf } from "./aws-facts";
import type { CciLiteConfig } from "./schema";

export interface Naming {
  /** `<prefix>-<env>`: the stem of most resource names. */
  readonly stem: string;
  readonly stackName: string;
  readonly inputBucket: string;
  readonly resultsBucket: string;
  readonly inputBucketArn: string;
  readonly resultsBucketArn: string;
  readonly keyAlias: string;
  readonly transcribeRoleName: string;
  readonly transcribeRoleArn: string;
  readonly glueDatabase: string;
  readonly resultsTable: string;
  /** A tenant's own Glue table, `call_results_<tenant with - as _>` (guide §13: what its reader role queries). */
  tenantResultsTable(tenant: string): string;
  readonly workgroup: string;
  readonly alarmTopic: string;
  readonly configPath: string;
  readonly jobNamePrefix: string;
  /** Prefix of the results bucket for Transcribe output. */
  readonly tmpPrefix: string;
  /** Prefix of the results bucket for Athena query results. */
  readonly athenaPrefix: string;
  /** Results prefix for uploads that name no configured tenant. */
  readonly unassignedPrefix: string;
  /** The SQS queue uploads wait in (`<stem>-intake`), and its dead-letter queue. */
  readonly intakeQueue: string;
  readonly intakeDeadLetterQueue: string;
  roleName(purpose: string): string;
  roleArn(purpose: string): string;
  functionName(handler: string): string;
  logGroupName(handler: string): string;
}

/** The intake queue of an environment (`<prefix>-<env>-intake`). */
export const intakeQueueName = (stem: string): string => `${stem}-intake`;
/** The intake queue's dead-letter queue (`<prefix>-<env>-intake-dlq`). */
export const intakeDeadLetterQueueName = (stem: string): string => `${stem}-intake-dlq`;

export function naming(cfg: CciLiteConfig): Naming {
  const stem = `${cfg.namePrefix}-${cfg.environment}`;
  const bucket = (kind: string) => `${stem}-${kind}-${cfg.accountId}-${cfg.region}`;
  const inputBucket = cfg.buckets.input ?? bucket("input");
  const resultsBucket = cfg.buckets.results ?? bucket("results");
  const roleName = (purpose: string) => `${stem}-${purpose}`;
  const partition = partitionOf(cfg.region);
  const roleArn = (purpose: string) => `arn:${partition}:iam::${cfg.accountId}:role/${roleName(purpose)}`;
  const functionName = (handler: string) => `${stem}-${handler}`;
  const resultsTable = "call_results";
  return {
    stem,
    stackName: `cci-lite-${cfg.environment}`,
    inputBucket,
    resultsBucket,
    inputBucketArn: `arn:${partition}:s3:::${inputBucket}`,
    resultsBucketArn: `arn:${partition}:s3:::${resultsBucket}`,
    keyAlias: `alias/${stem}-master-key`,
    transcribeRoleName: roleName("transcribe-access"),
    transcribeRoleArn: roleArn("transcribe-access"),
    glueDatabase: stem.replace(/-/g, "_"),
    resultsTable,
    tenantResultsTable: (tenant: string) => `${resultsTable}_${tenant.replace(/-/g, "_")}`,
    workgroup: stem,
    alarmTopic: `${stem}-alarms`,
    configPath: configParameterPath(cfg.environment),
    jobNamePrefix: jobNamePrefix(cfg.namePrefix, cfg.environment),
    tmpPrefix: TMP_PREFIX,
    athenaPrefix: ATHENA_RESULTS_PREFIX,
    unassignedPrefix: `${UNASSIGNED_TENANT}/`,
    intakeQueue: intakeQueueName(stem),
    intakeDeadLetterQueue: intakeDeadLetterQueueName(stem),
    roleName,
    roleArn,
    functionName,
    logGroupName: (handler: string) => `/aws/lambda/${functionName(handler)}`,
  };
}

/** Region the Bedrock runtime is called in. */
export function bedrockRegion(cfg: CciLiteConfig): string {
  return cfg.bedrock.region ?? cfg.region;
}

/**
 * ARNs `bedrock:InvokeModel` must allow for the configured model: for a cross-region inference profile, the
 * profile in its source region first, then the foundation model in every region the profile may route to — any
 * region (`*`), since AWS adds destination regions to a profile over time, unless `bedrock.destinationRegions`
 * names them; the functions' policy allows those foundation-model ARNs only through this profile
 * (`bedrock:InferenceProfileArn`, modules/processor/functions.ts). Otherwise the foundation model alone.
 */
export function bedrockResourceArns(cfg: CciLiteConfig): string[] {
  const model = cfg.bedrock.modelId;
  const region = bedrockRegion(cfg);
  const partition = partitionOf(cfg.region);
  const m = /^([a-z]+)\.([a-z0-9-]+\..+)$/.exec(model);
  const isProfile = m !== null && (m[1] === "global" || m[1] in INFERENCE_PROFILE_DESTINATIONS || cfg.bedrock.destinationRegions !== undefined);
  if (!isProfile || !m) return [`arn:${partition}:bedrock:${region}::foundation-model/${model}`];
  const foundation = m[2];
  return [
    `arn:${partition}:bedrock:${region}:${cfg.accountId}:inference-profile/${model}`,
    ...(cfg.bedrock.destinationRegions ?? ["*"]).map((r) => `arn:${partition}:bedrock:${r}::foundation-model/${foundation}`),
  ];
}

/** Results retention per tenant id, as its SSM document has it (its own, else `retention.resultsDays`). */
export function tenantResultsDays(cfg: CciLiteConfig): Map<string, number> {
  return new Map(cfg.tenants.map((t) => [t.id, tenantDocument(t, cfg).results_retention_days]));
}

/**
 * Days back from today that a results partition (`call_date`, the upload's day) can still hold a record: the longest
 * results retention, plus the 14 days an upload can wait in the intake queue (SQS's longest retention) before its
 * record is written, plus one day for time zones and the hours a job runs. Bounds the results tables' date
 * projection and the insight views (issue 20), so a query or refresh never lists days that cannot hold data. A call
 * reprocessed after that window is written again under its old day, outside it: `cci results` by call id finds it.
 */
export function resultsWindowDays(cfg: CciLiteConfig): number {
  return Math.max(cfg.retention.resultsDays, ...tenantResultsDays(cfg).values()) + INTAKE_WAIT_DAYS + 1;
}
/** The longest an upload waits in the intake queue (SQS's longest message retention, 14 days). */
export const INTAKE_WAIT_DAYS = 14;

/** The SSM models document (guide §5). */
export function modelSettings(cfg: CciLiteConfig): ModelSettings {
  return { bedrock_model_summary: cfg.bedrock.modelId, bedrock_region: bedrockRegion(cfg), max_tokens: cfg.bedrock.maxTokens };
}

/**
 * ARN of a QuickSight group of `quicksight.namespace`. QuickSight users and groups live in the account's identity
 * region, the region of `quicksight.principalArn` (which may differ from the deployment region).
 */
export function quicksightGroupArn(cfg: CciLiteConfig, group: string): string {
  const identityRegion = cfg.quicksight.principalArn?.split(":")[3] ?? cfg.region;
  return `arn:${partitionOf(cfg.region)}:quicksight:${identityRegion}:${cfg.accountId}:group/${cfg.quicksight.namespace}/${group}`;
}
