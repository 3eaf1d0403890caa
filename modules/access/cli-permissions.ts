/**
 * The one table of what each `cci` command (scripts/cli/) asks AWS for, and which people group's managed policy
 * (./index.ts) must allow it. The infrastructure and the CLI both read it from here (scripts may import modules;
 * modules may not import scripts): docs/cli.md's Permissions table is rendered from it, and
 * __tests__/security/people-access.test.ts keeps the two equal and simulates every row as a configured principal of
 * its group against the synthesized managed policy and the resource policy.
 *
 * A row is one IAM action on one resource, as the request reaches IAM: the resource ARN is built from the names of
 * modules/config/naming.ts, and `context` holds the condition keys AWS documents for the request (a KMS call S3 or
 * SQS makes with the caller's credentials carries `kms:ViaService` and the encryption context; a request Athena
 * makes for the caller carries `aws:CalledVia`).
 */
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { resultKey, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import { type Naming, naming } from "../config/naming";
import type { CciLiteConfig } from "../config/schema";

/** The people groups of `access.*` (tenant uploaders are uploaders for one tenant). */
export const PEOPLE_GROUPS = ["uploader", "operator", "analyst"] as const;
export type PeopleGroup = (typeof PEOPLE_GROUPS)[number];

/** The `cci` commands that call AWS (`doctor` reads local files only). */
export const CLI_COMMANDS = ["upload", "status", "wait", "reprocess", "results", "redrive", "logs"] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

/** Who sends the request: the person, or a service with the person's credentials. */
export type Via = "caller" | "s3" | "sqs" | "athena" | "athena+s3";

/** Where one request goes: the environment's names and the object of the command. */
export interface PermissionPlace {
  readonly names: Naming;
  readonly region: string;
  readonly accountId: string;
  /** The environment key's id (the ARN's last part; unknown before apply, so policies match it by alias). */
  readonly keyId: string;
  readonly tenant: string;
  /** An uploaded file's name (`<tenant>/calls/<file>`). */
  readonly file: string;
  readonly callId: string;
  /** The upload day of a call, for its result key. */
  readonly day: Date;
  /** The variable part of a transcription job name after `<jobNamePrefix>`. */
  readonly jobSuffix: string;
  /** The start of the upload listing `status` asks for (`<tenant>/calls/<start>`). */
  readonly listStart: string;
}

export type Context = Readonly<Record<string, string | readonly string[]>>;

export interface CliPermission {
  readonly commands: readonly CliCommand[];
  /** Groups whose managed policy must allow the request (the first is the group the command is meant for). */
  readonly groups: readonly PeopleGroup[];
  readonly action: string;
  readonly resource: (p: PermissionPlace) => string;
  readonly via: Via;
  /** Condition keys the request carries (besides the principal's own). */
  readonly context?: (p: PermissionPlace) => Context;
  /** The command still works without it (with less detail, or another route). */
  readonly optional: boolean;
  /** Which call needs it. */
  readonly why: string;
}

const keyArn = (p: PermissionPlace) => `arn:aws:kms:${p.region}:${p.accountId}:key/${p.keyId}`;
const queueArn = (p: PermissionPlace, name: string) => `arn:aws:sqs:${p.region}:${p.accountId}:${name}`;
const uploadObject = (p: PermissionPlace) => `${p.names.inputBucketArn}/${uploadPrefix(p.tenant)}${p.file}`;
const resultObject = (p: PermissionPlace) => `${p.names.resultsBucketArn}/${resultKey(p.tenant, p.day, p.callId)}`;
const athenaOutput = (p: PermissionPlace) => `${p.names.resultsBucketArn}/${p.names.athenaPrefix}<query id>.csv`;
const workgroupArn = (p: PermissionPlace) => `arn:aws:athena:${p.region}:${p.accountId}:workgroup/${p.names.workgroup}`;
const logGroupArn = (p: PermissionPlace, handler: HandlerName) => `arn:aws:logs:${p.region}:${p.accountId}:log-group:${p.names.logGroupName(handler)}`;

/** The key's alias, as KMS puts it in every request for the key. */
const aliases = (p: PermissionPlace): Context => ({ "kms:ResourceAliases": [p.names.keyAlias] });
/** A KMS request S3 makes with the caller's credentials for an SSE-KMS object of `bucketArn`. */
const kmsViaS3 = (p: PermissionPlace, bucketArn: string, calledVia?: string): Context => ({
  ...aliases(p),
  "kms:ViaService": `s3.${p.region}.amazonaws.com`,
  "kms:EncryptionContext:aws:s3:arn": bucketArn,
  ...(calledVia ? { "aws:CalledVia": [calledVia] } : {}),
});
/** A KMS request SQS makes with the caller's credentials for a message of the queue `queue`. */
const kmsViaSqs = (p: PermissionPlace, queue: string): Context => ({
  ...aliases(p),
  "kms:ViaService": `sqs.${p.region}.amazonaws.com`,
  "kms:EncryptionContext:aws:sqs:arn": queueArn(p, queue),
});
const ATHENA = "athena.amazonaws.com";
const viaAthena: Context = { "aws:CalledVia": [ATHENA] };
/** The encryption headers `cci upload` sends (when kms:DescribeKey answered; else none, and the bucket default applies). */
const sseHeaders = (p: PermissionPlace): Context => ({
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn(p),
});

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
    resource: (p) => `arn:aws:transcribe:${p.region}:${p.accountId}:transcription-job/${p.names.jobNamePrefix}${p.jobSuffix}`,
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
    resource: (p) => `arn:aws:lambda:${p.region}:${p.accountId}:function:${p.names.functionName("analyze")}`,
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
    resource: (p) => `arn:aws:glue:${p.region}:${p.accountId}:database/${p.names.glueDatabase}`,
    via: "athena",
    context: () => viaAthena,
    optional: false,
    why: "Athena reads the database definition",
  },
  {
    commands: ["results"],
    groups: ["analyst", "operator"],
    action: "glue:GetTable",
    resource: (p) => `arn:aws:glue:${p.region}:${p.accountId}:table/${p.names.glueDatabase}/${p.names.resultsTable}`,
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

/** Placeholders for the documentation: the same functions, with `<name>` for every configured value. */
export function placeholderPlace(): PermissionPlace {
  // naming() reads only these fields of the configuration.
  const cfg = { namePrefix: "<prefix>", environment: "<env>", accountId: "<account>", region: "<region>", buckets: {} } as unknown as CciLiteConfig;
  return {
    names: naming(cfg),
    region: "<region>",
    accountId: "<account>",
    keyId: "<key id>",
    tenant: "<tenant>",
    file: "<file>",
    callId: "<call id>",
    day: new Date(Date.UTC(2000, 0, 1)),
    jobSuffix: "<tenant>-<call id>-<hash>",
    listStart: "<call id start>",
  };
}

const VIA_TEXT: Record<Via, string> = {
  caller: "",
  s3: " (by S3 for the caller)",
  sqs: " (by SQS for the caller)",
  athena: " (by Athena for the caller)",
  "athena+s3": " (by S3 for Athena for the caller)",
};

/**
 * docs/cli.md's Permissions table: one line per row, resources rendered with `place` (placeholders). Result keys
 * are shown as `<tenant>/YYYY/MM/DD/<call id>.json`.
 */
export function permissionsMarkdown(place: PermissionPlace): string {
  const day = /\/2000\/01\/01\//g;
  const lines = [
    "| command | group | IAM action | resource | optional | needed for |",
    "|---|---|---|---|---|---|",
    ...CLI_PERMISSIONS.map((r) => {
      const resource = r.resource(place).replace(day, "/YYYY/MM/DD/");
      return `| ${r.commands.join(", ")} | ${r.groups.join(", ")} | \`${r.action}\`${VIA_TEXT[r.via]} | \`${resource}\` | ${r.optional ? "yes" : "no"} | ${r.why} |`;
    }),
  ];
  return lines.join("\n");
}
