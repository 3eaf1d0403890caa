/**
 * Data table (one row per IAM request of a `cci` command): longer than the 300 lines modules/ files are held to; the
 * types and helpers it is written with are ./cli-requests.ts, its rendering ./cli-permissions-doc.ts.
 *
 * The one table of what each `cci` command (scripts/cli/) asks AWS for, and which people group's managed policy
 * (./index.ts) must allow it. The infrastructure and the CLI both read it from here (scripts may import modules;
 * modules may not import scripts): docs/cli.md's Permissions table is rendered from it, and
 * __tests__/security/people-access.test.ts keeps the two equal and simulates every row as a configured principal of
 * its group against the synthesized managed policy and the resource policy.
 *
 * A row is one IAM action on one resource, as the request reaches IAM (./cli-requests.ts): the resource ARN is built
 * from the names of modules/config/naming.ts, and `context` holds the condition keys AWS documents for the request (a
 * KMS call S3 or SQS makes with the caller's credentials carries `kms:ViaService` and the encryption context; a
 * request Athena makes for the caller carries `aws:CalledVia`).
 */
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";
import { resultKey, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import {
  ATHENA,
  aliases,
  athenaOutput,
  type CliCommand,
  type CliPermission,
  keyArn,
  kmsViaS3,
  kmsViaSqs,
  logGroupArn,
  placeArn,
  queueArn,
  resultObject,
  sseHeaders,
  uploadObject,
  viaAthena,
  workgroupArn,
} from "./cli-requests";

const UPLOAD: readonly CliCommand[] = ["upload"];
const LOCATE: readonly CliCommand[] = ["status", "wait", "reprocess"];

export const CLI_PERMISSIONS: readonly CliPermission[] = [
  // cci upload (scripts/cli/commands/upload.ts, resume.ts)
  {
    commands: UPLOAD,
    groups: ["uploader"],
    action: "kms:DescribeKey",
    resource: keyArn,
    via: "caller",
    context: aliases,
    optional: true,
    why: "the key ARN for the SSE-KMS header (without it the bucket default, the same key, applies)",
  },
  {
    commands: UPLOAD,
    groups: ["uploader"],
    action: "s3:PutObject",
    resource: uploadObject,
    via: "caller",
    context: sseHeaders,
    optional: false,
    why: "PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload",
  },
  {
    commands: UPLOAD,
    groups: ["uploader"],
    action: "s3:ListMultipartUploadParts",
    resource: uploadObject,
    via: "caller",
    optional: false,
    why: "ListParts when resuming an interrupted multipart upload",
  },
  {
    commands: UPLOAD,
    groups: ["uploader"],
    action: "kms:GenerateDataKey",
    resource: keyArn,
    via: "s3",
    context: (p) => kmsViaS3(p, p.names.inputBucketArn),
    optional: false,
    why: "S3 encrypts the object (PutObject, CreateMultipartUpload)",
  },
  {
    commands: UPLOAD,
    groups: ["uploader"],
    action: "kms:Decrypt",
    resource: keyArn,
    via: "s3",
    context: (p) => kmsViaS3(p, p.names.inputBucketArn),
    optional: false,
    why: "S3 reads the upload's data key (UploadPart, CompleteMultipartUpload)",
  },
  // cci status / wait / reprocess (scripts/cli/locate.ts)
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "transcribe:ListTranscriptionJobs",
    resource: () => "*",
    via: "caller",
    optional: true,
    why: "the call's jobs by name (Transcribe allows no resource-level permission here); without it: the record alone",
  },
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "transcribe:GetTranscriptionJob",
    resource: (p) => placeArn(p, "transcribe", `transcription-job/${p.names.jobNamePrefix}${p.jobSuffix}`),
    via: "caller",
    optional: true,
    why: "the job's state (transcribing, analysing); without it: the record alone",
  },
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "s3:ListBucket",
    resource: (p) => p.names.inputBucketArn,
    via: "caller",
    context: (p) => ({ "s3:prefix": `${uploadPrefix(p.tenant)}${p.listStart}` }),
    optional: true,
    why: "ListObjectsV2 under `<tenant>/calls/` for a pending upload (queued); without it: the record alone",
  },
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "s3:GetObject",
    resource: resultObject,
    via: "caller",
    optional: false,
    why: "the call's record",
  },
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "s3:ListBucket",
    resource: (p) => p.names.resultsBucketArn,
    via: "caller",
    context: (p) => ({ "s3:prefix": resultKey(p.tenant, p.day, p.callId) }),
    optional: false,
    why: "a record not written yet answers 404, not 403",
  },
  {
    commands: LOCATE,
    groups: ["operator"],
    action: "kms:Decrypt",
    resource: keyArn,
    via: "s3",
    context: (p) => kmsViaS3(p, p.names.resultsBucketArn),
    optional: false,
    why: "S3 decrypts the record",
  },
  {
    commands: ["reprocess"],
    groups: ["operator"],
    action: "lambda:InvokeFunction",
    resource: (p) => placeArn(p, "lambda", `function:${p.names.functionName("analyze")}`),
    via: "caller",
    optional: false,
    why: "the analyze function's reprocess request",
  },
  // cci results (scripts/cli/commands/results.ts): operators and analysts
  ...(["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"] as const).map(
    (action): CliPermission => ({
      commands: ["results"],
      groups: ["analyst", "operator"],
      action,
      resource: workgroupArn,
      via: "caller",
      optional: false,
      why: "the query in the environment's workgroup",
    }),
  ),
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "glue:GetDatabase",
    resource: (p) => placeArn(p, "glue", `database/${p.names.glueDatabase}`),
    via: "athena",
    context: () => viaAthena,
    optional: false,
    why: "Athena reads the database definition",
  },
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "glue:GetTable",
    resource: (p) => placeArn(p, "glue", `table/${p.names.glueDatabase}/${p.names.resultsTable}`),
    via: "athena",
    context: () => viaAthena,
    optional: false,
    why: "Athena reads the results table definition",
  },
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "s3:ListBucket",
    resource: (p) => p.names.resultsBucketArn,
    via: "athena",
    context: (p) => ({ ...viaAthena, "s3:prefix": `${p.tenant}/` }),
    optional: false,
    why: "Athena lists the tenant's records",
  },
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "s3:GetObject",
    resource: resultObject,
    via: "athena",
    context: () => viaAthena,
    optional: false,
    why: "Athena reads the records",
  },
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "s3:PutObject",
    resource: athenaOutput,
    via: "athena",
    context: (p) => ({ ...viaAthena, ...sseHeaders(p) }),
    optional: false,
    why: "Athena writes the query result (KMS-encrypted, the workgroup enforces it)",
  },
  ...(["kms:Decrypt", "kms:GenerateDataKey"] as const).map(
    (action): CliPermission => ({
      commands: ["results"],
      groups: ["analyst", "operator"],
      action,
      resource: keyArn,
      via: "athena+s3",
      context: (p) => kmsViaS3(p, p.names.resultsBucketArn, ATHENA),
      optional: false,
      why: action === "kms:Decrypt" ? "S3 decrypts the records and the query result for Athena" : "S3 encrypts the query result for Athena",
    }),
  ),
  // cci redrive (scripts/cli/commands/redrive.ts)
  ...(["sqs:GetQueueUrl", "sqs:GetQueueAttributes"] as const).flatMap((action) =>
    (["intakeDeadLetterQueue", "intakeQueue"] as const).map(
      (queue): CliPermission => ({
        commands: ["redrive"],
        groups: ["operator"],
        action,
        resource: (p) => queueArn(p, p.names[queue]),
        via: "caller",
        optional: false,
        why: action === "sqs:GetQueueUrl" ? "the queue's URL" : "the queue's ARN and message counts",
      }),
    ),
  ),
  {
    commands: ["redrive"],
    groups: ["operator"],
    action: "sqs:ListMessageMoveTasks",
    resource: (p) => queueArn(p, p.names.intakeDeadLetterQueue),
    via: "caller",
    optional: false,
    why: "a redrive already running, and the progress of ours",
  },
  {
    commands: ["redrive"],
    groups: ["operator"],
    action: "sqs:StartMessageMoveTask",
    resource: (p) => queueArn(p, p.names.intakeDeadLetterQueue),
    via: "caller",
    optional: false,
    why: "the redrive",
  },
  // SQS's move task works with the caller's permissions: receive and delete at the source, send at the destination.
  ...(["sqs:ReceiveMessage", "sqs:DeleteMessage"] as const).map(
    (action): CliPermission => ({
      commands: ["redrive"],
      groups: ["operator"],
      action,
      resource: (p) => queueArn(p, p.names.intakeDeadLetterQueue),
      via: "sqs",
      optional: false,
      why: "the move task takes the messages from the dead-letter queue",
    }),
  ),
  {
    commands: ["redrive"],
    groups: ["operator"],
    action: "sqs:SendMessage",
    resource: (p) => queueArn(p, p.names.intakeQueue),
    via: "sqs",
    optional: false,
    why: "the move task puts them back on the intake queue",
  },
  {
    commands: ["redrive"],
    groups: ["operator"],
    action: "kms:Decrypt",
    resource: keyArn,
    via: "sqs",
    context: (p) => kmsViaSqs(p, p.names.intakeDeadLetterQueue),
    optional: false,
    why: "SQS decrypts the dead letters",
  },
  {
    commands: ["redrive"],
    groups: ["operator"],
    action: "kms:GenerateDataKey",
    resource: keyArn,
    via: "sqs",
    context: (p) => kmsViaSqs(p, p.names.intakeQueue),
    optional: false,
    why: "SQS encrypts them again for the intake queue",
  },
  // cci logs (scripts/cli/commands/logs.ts)
  ...HANDLER_NAMES.map(
    (handler): CliPermission => ({
      commands: ["logs"],
      groups: ["operator"],
      action: "logs:FilterLogEvents",
      resource: (p) => logGroupArn(p, handler),
      via: "caller",
      optional: false,
      why: `the ${handler} function's log lines`,
    }),
  ),
];
