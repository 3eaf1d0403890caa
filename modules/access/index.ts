/**
 * Guide §4.3 and §13, for the people and systems outside the pipeline: uploaders (all tenants, or one tenant's
 * prefix), operators (dead-letter redrive, reprocessing, results and logs), analysts (every tenant through the
 * environment's Athena workgroup) and, opt-in, transcript readers (one tenant's transcripts, ./transcript-readers.ts). Each group is one managed policy, filled by grants on the buckets, queues and key
 * and attached to the configured roles and users; the key policy names exactly those principals. A group with no
 * principals creates nothing.
 */
import { Construct } from "constructs";
import { ALL_UPLOADS_GLOB, ATHENA_RESULTS_PREFIX, TMP_PREFIX, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import type { CustomerKey } from "../constructs/customer-key";
import type { EncryptedQueue } from "../constructs/encrypted-queue";
import { ManagedPolicy } from "../constructs/managed-policy";
import type { PipelineFunction } from "../constructs/pipeline-function";
import type { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { CALLED_VIA_ATHENA, queryWorkgroup, readTableDefinitions } from "../iam/athena";
import type { Grantee } from "../iam/policy";
import { grantTranscriptReading } from "./transcript-readers";
import { peoplePolicyName } from "../config/people-policies";

/**
 * Policies are `<stem>-uploader`, `<stem>-<tenant>-uploader`, `<stem>-operator`, `<stem>-analyst`,
 * `<stem>-<tenant>-transcript-reader` (the stem from the {@link StackContext}).
 */
export interface PeopleAccessProps {
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Principals uploading for every tenant. */
  readonly uploaders: readonly string[];
  /** Principals uploading for one tenant, by tenant id. */
  readonly tenantUploaders: ReadonlyMap<string, readonly string[]>;
  readonly operators: readonly string[];
  readonly analysts: readonly string[];
  /**
   * Principals reading one tenant's transcripts (and records), by tenant id (`access.transcriptReaders`); never an
   * operator or analyst (their policies deny transcripts). @default none
   */
  readonly transcriptReaders?: ReadonlyMap<string, readonly string[]>;
  /** The queue uploads wait in, and the dead-letter queues operators redrive. */
  readonly intakeQueue: EncryptedQueue;
  readonly deadLetterQueues: readonly EncryptedQueue[];
  /** Functions whose logs operators read; `reprocess` is the one they invoke to reprocess a call. */
  readonly functions: readonly PipelineFunction[];
  readonly reprocess: PipelineFunction;
  /** The environment's Athena workgroup and the results table analysts query. */
  readonly workgroupName: string;
  readonly glueDatabase: string;
  readonly resultsTable: string;
  /**
   * The insight views (Athena views in the same database, modules/insights/views.ts) analysts and operators query
   * besides the results table (docs/insights.md). @default none
   */
  readonly insightViews?: readonly string[];
  /** Every transcription job of the environment starts with it (lambda-src/core/job-name.ts): operators read those jobs. */
  readonly jobNamePrefix: string;
}

export class PeopleAccess extends Construct {
  constructor(scope: Construct, id: string, props: PeopleAccessProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    const { stem } = ctx;
    const { input, results } = props;
    const managed = (pid: string, policyName: string, description: string, principals: readonly string[]) =>
      principals.length ? new ManagedPolicy(this, pid, { policyName, description, principals }) : undefined;

    // Uploads: put (single or multipart) under the upload prefix; the key for S3 to encrypt and to assemble parts.
    const upload = (p: Grantee, pattern: string) => {
      input.grantPut(p, "UploadAudio", pattern);
      p.addToPrincipalPolicy({
        Sid: "ManageMultipartUploads",
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: input.objectsArn(pattern),
      });
      props.key.grantDecrypt(p); // UploadPart and CompleteMultipartUpload decrypt the upload's data key
    };
    const all = managed("uploaders", peoplePolicyName(stem, "uploader"), "CCI Lite: upload call audio for every tenant", props.uploaders);
    if (all) upload(all, ALL_UPLOADS_GLOB);
    for (const [tenant, principals] of props.tenantUploaders) {
      const p = managed(`uploaders-${tenant}`, peoplePolicyName(stem, "uploader", tenant), `CCI Lite: upload call audio for tenant ${tenant}`, principals);
      if (p) upload(p, `${uploadPrefix(tenant)}*`);
    }

    // Athena for `cci results` (analysts, and operators: they read every record in S3 already, so the same queries
    // widen nothing): the workgroup, the table definition, and S3 and the key only through Athena.
    const query = (p: Grantee) => {
      const viaAthena = CALLED_VIA_ATHENA;
      p.addToPrincipalPolicy(queryWorkgroup("QueryEnvironmentWorkgroup", ctx, props.workgroupName));
      p.addToPrincipalPolicy(readTableDefinitions("ReadResultsTableDefinition", ctx, props.glueDatabase, [props.resultsTable, ...(props.insightViews ?? [])]));
      p.addToPrincipalPolicy({
        Sid: "AthenaListsResults",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: results.bucketArn,
        Condition: viaAthena,
      });
      p.addToPrincipalPolicy({ Sid: "AthenaReadsResults", Effect: "Allow", Action: "s3:GetObject", Resource: results.objectsArn(), Condition: viaAthena });
      p.addToPrincipalPolicy({
        Sid: "AthenaWritesQueryResults",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: results.objectsArn(`${ATHENA_RESULTS_PREFIX}*`),
        Condition: viaAthena,
      });
      p.addToPrincipalPolicy({ Sid: "NeverReadTranscripts", Effect: "Deny", Action: "s3:GetObject", Resource: results.objectsArn(`${TMP_PREFIX}*`) });
      props.key.grant(p, ["kms:Decrypt", "kms:GenerateDataKey"]);
    };

    const operators = managed(
      "operators",
      peoplePolicyName(stem, "operator"),
      "CCI Lite: redrive dead letters, reprocess calls, read results and logs",
      props.operators,
    );
    if (operators) {
      // cci redrive: SQS's move task receives and deletes at the source and sends at the destination with the
      // caller's permissions (and key use through SQS); the CLI finds both queues by name first.
      props.deadLetterQueues.forEach((dlq, i) => {
        dlq.grantConsume(operators, `ReadDeadLetters${i + 1}`);
      });
      operators.addToPrincipalPolicy({
        Sid: "RedriveDeadLetters",
        Effect: "Allow",
        Action: ["sqs:GetQueueUrl", "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:CancelMessageMoveTask", "sqs:ListDeadLetterSourceQueues"],
        Resource: props.deadLetterQueues.map((q) => q.queueArn),
      });
      props.intakeQueue.grantSend(operators, "RedriveIntoIntakeQueue");
      operators.addToPrincipalPolicy({
        Sid: "FindIntakeQueue",
        Effect: "Allow",
        Action: ["sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
        Resource: props.intakeQueue.queueArn,
      });
      // cci status, wait, reprocess: the record (a missing one answers 404 with ListBucket), the call's
      // transcription job (ListTranscriptionJobs allows no resource-level permission; GetTranscriptionJob is
      // scoped to this environment's job names), and a pending upload under `<tenant>/calls/`.
      results.grantList(operators, "ListResults");
      results.grantRead(operators, "ReadResults");
      operators.addToPrincipalPolicy({ Sid: "ListTranscriptionJobs", Effect: "Allow", Action: "transcribe:ListTranscriptionJobs", Resource: "*" });
      operators.addToPrincipalPolicy({
        Sid: "ReadTranscriptionJobs",
        Effect: "Allow",
        Action: "transcribe:GetTranscriptionJob",
        Resource: ctx.arn("transcribe", `transcription-job/${props.jobNamePrefix}*`),
      });
      operators.addToPrincipalPolicy({
        Sid: "ListPendingUploads",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: input.bucketArn,
        Condition: { StringLike: { "s3:prefix": ALL_UPLOADS_GLOB } },
      });
      operators.addToPrincipalPolicy({ Sid: "ReprocessCalls", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: props.reprocess.functionArn });
      // cci logs: CloudWatch Logs documents both forms of a log group's ARN for IAM (with and without `:*`).
      operators.addToPrincipalPolicy({
        Sid: "ReadFunctionLogs",
        Effect: "Allow",
        Action: ["logs:FilterLogEvents", "logs:GetLogEvents", "logs:DescribeLogStreams", "logs:StartQuery"],
        Resource: props.functions.flatMap((f) => {
          const group = ctx.arn("logs", `log-group:/aws/lambda/${f.functionName}`);
          return [group, `${group}:*`];
        }),
      });
      // A Logs Insights query started on those groups is read and stopped by its query id: these two actions have no
      // resource type (Service Authorization Reference, CloudWatch Logs), so `*`; they reach only queries' results.
      operators.addToPrincipalPolicy({ Sid: "ReadLogsInsightsResults", Effect: "Allow", Action: ["logs:GetQueryResults", "logs:StopQuery"], Resource: "*" });
      // cci results
      query(operators);
    }

    const analysts = managed("analysts", peoplePolicyName(stem, "analyst"), "CCI Lite: query every tenant's results in Athena", props.analysts);
    if (analysts) query(analysts);

    for (const [tenant, principals] of props.transcriptReaders ?? []) {
      const description = `CCI Lite: read tenant ${tenant}'s records and transcripts (tmp/${tenant}/)`;
      const p = managed(`transcript-readers-${tenant}`, peoplePolicyName(stem, "transcript-reader", tenant), description, principals);
      if (p) grantTranscriptReading(p, results, tenant);
    }
  }
}
