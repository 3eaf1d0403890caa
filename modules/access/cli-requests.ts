/**
 * What one `cci` request looks like to IAM (the rows of ./cli-permissions.ts): the commands and people groups, where
 * a request goes (the environment's names and the command's object), and the ARNs and condition keys it carries.
 * ARNs are built from the names of modules/config/naming.ts; their partition follows from the region.
 */
import type { HandlerName } from "../../lambda-src/contracts/handlers";
import { resultKey, transcribeOutputKey, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import { partitionOf } from "../config/aws-facts";
import type { Naming } from "../config/naming";

/** The people groups of `access.*` (tenant uploaders are uploaders for one tenant; transcript readers read their tenants'). */
export const PEOPLE_GROUPS = ["uploader", "operator", "analyst", "transcript-reader"] as const;
export type PeopleGroup = (typeof PEOPLE_GROUPS)[number];

/** The `cci` commands that call AWS (`doctor` reads local files only), and `report`: `npm run report -- --env …`. */
export const CLI_COMMANDS = ["upload", "status", "wait", "reprocess", "results", "redrive", "logs", "report"] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];
/** The table's commands that are not `cci` commands (the CLI never names their groups in its access-denied hints). */
export const NOT_CCI_COMMANDS: readonly CliCommand[] = ["report"];

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

/** `arn:<partition>:<service>:<region>:<account>:<resource>` of the place (the partition follows from the region). */
const arn = (p: PermissionPlace, service: string, resource: string) => `arn:${partitionOf(p.region)}:${service}:${p.region}:${p.accountId}:${resource}`;
export const keyArn = (p: PermissionPlace) => arn(p, "kms", `key/${p.keyId}`);
export const queueArn = (p: PermissionPlace, name: string) => arn(p, "sqs", name);
export const uploadObject = (p: PermissionPlace) => `${p.names.inputBucketArn}/${uploadPrefix(p.tenant)}${p.file}`;
export const resultObject = (p: PermissionPlace) => `${p.names.resultsBucketArn}/${resultKey(p.tenant, p.day, p.callId)}`;
/** The call's transcript: Transcribe's output `tmp/<tenant>/<job>.json`. */
export const transcriptKey = (p: PermissionPlace) => transcribeOutputKey(p.tenant, `${p.names.jobNamePrefix}${p.jobSuffix}`);
export const athenaOutput = (p: PermissionPlace) => `${p.names.resultsBucketArn}/${p.names.athenaPrefix}<query id>.csv`;
export const workgroupArn = (p: PermissionPlace) => arn(p, "athena", `workgroup/${p.names.workgroup}`);
export const logGroupArn = (p: PermissionPlace, handler: HandlerName) => arn(p, "logs", `log-group:${p.names.logGroupName(handler)}`);

/** The key's alias, as KMS puts it in every request for the key. */
export const aliases = (p: PermissionPlace): Context => ({ "kms:ResourceAliases": [p.names.keyAlias] });
/** A KMS request S3 makes with the caller's credentials for an SSE-KMS object of `bucketArn`. */
export const kmsViaS3 = (p: PermissionPlace, bucketArn: string, calledVia?: string): Context => ({
  ...aliases(p),
  "kms:ViaService": `s3.${p.region}.amazonaws.com`,
  "kms:EncryptionContext:aws:s3:arn": bucketArn,
  ...(calledVia ? { "aws:CalledVia": [calledVia] } : {}),
});
/** A KMS request SQS makes with the caller's credentials for a message of the queue `queue`. */
export const kmsViaSqs = (p: PermissionPlace, queue: string): Context => ({
  ...aliases(p),
  "kms:ViaService": `sqs.${p.region}.amazonaws.com`,
  "kms:EncryptionContext:aws:sqs:arn": queueArn(p, queue),
});
export const ATHENA = "athena.amazonaws.com";
export const viaAthena: Context = { "aws:CalledVia": [ATHENA] };
/** The encryption headers `cci upload` sends (when kms:DescribeKey answered; else none, and the bucket default applies). */
export const sseHeaders = (p: PermissionPlace): Context => ({
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn(p),
});

/** Any resource of the place's account and region (for the table's own ARNs). */
export const placeArn = arn;
