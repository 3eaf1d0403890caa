/**
 * Reading and writing result / error records in the results bucket.
 */
import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { CallResult } from "../contracts/result-schema";
import { resultMetadata, serializeResult } from "../core/result";
import { errorName, httpStatus, isNotFound } from "../core/errors";
import type { ExistingRecordIdentity } from "../core/result-identity";
import { s3Client } from "./clients";

/** The record at a result key: who it belongs to and its ETag (for the conditional write). */
export interface ExistingRecord extends ExistingRecordIdentity {
  readonly etag: string | undefined;
}

/**
 * The record at `key`, or undefined when there is none. Reads the body (a few KB): its `uploaded_at` and
 * `transcription_job_name` order it against another upload, also for records written before metadata carried them
 * and for start's REJECTED records.
 */
export async function readRecord(bucket: string, key: string): Promise<ExistingRecord | undefined> {
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = out.Body ? await out.Body.transformToString("utf-8") : "";
    let doc: Partial<CallResult> = {};
    try {
      doc = JSON.parse(text) as Partial<CallResult>;
    } catch {
      // An unreadable record is treated as the oldest possible one (any upload replaces it).
    }
    return {
      etag: out.ETag,
      status: doc.status ?? out.Metadata?.status,
      jobName: doc.transcription_job_name ?? out.Metadata?.["job-name"],
      uploadedAt: doc.uploaded_at ?? null,
    };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** S3 answered a conditional write with 412 (precondition failed) or 409 (a concurrent conditional write). */
export function isWriteConflict(e: unknown): boolean {
  const n = errorName(e);
  const status = httpStatus(e);
  return n === "PreconditionFailed" || n === "ConditionalRequestConflict" || status === 412 || status === 409;
}

/** The PutObject of one record: single-line JSON, SSE-KMS with the pipeline key, metadata { status, job-name }. */
function recordPut(bucket: string, kmsKeyArn: string, key: string, record: CallResult): PutObjectCommandInput {
  return {
    Bucket: bucket,
    Key: key,
    Body: serializeResult(record),
    ContentType: "application/json",
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: kmsKeyArn,
    Metadata: resultMetadata(record),
  };
}

/**
 * Writes a record only if the key still holds what was read: `IfMatch` the read ETag, or `IfNoneMatch: *` when
 * there was no record. A concurrent writer makes it throw (see {@link isWriteConflict}).
 */
export async function writeRecordIf(bucket: string, kmsKeyArn: string, key: string, record: CallResult, readEtag: string | undefined): Promise<void> {
  await s3Client().send(new PutObjectCommand({ ...recordPut(bucket, kmsKeyArn, key, record), ...(readEtag ? { IfMatch: readEtag } : { IfNoneMatch: "*" }) }));
}

/** An empty object (the "job settled" marker, reconcile's state). */
export async function putSmallObject(bucket: string, kmsKeyArn: string, key: string, body = ""): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json", ServerSideEncryption: "aws:kms", SSEKMSKeyId: kmsKeyArn }),
  );
}

/** Writes one record, unconditionally (start's REJECTED records: the upload's own key, no earlier record to keep). */
export async function writeRecord(bucket: string, kmsKeyArn: string, key: string, record: CallResult): Promise<void> {
  await s3Client().send(new PutObjectCommand(recordPut(bucket, kmsKeyArn, key, record)));
}
