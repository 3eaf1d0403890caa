/**
 * Reading and writing result / error records in the results bucket: {@link commitRecord} is the only write of a
 * call's record.
 */
import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { CallResult } from "../contracts/result-schema";
import { resultMetadata, serializeResult } from "../core/result";
import { errorName, httpStatus, isNotFound } from "../core/errors";
import { type DecideOptions, decideWrite, type ExistingRecordIdentity, type WriteDecision } from "../core/result-identity";
import { s3Client } from "./clients";
import { logger } from "./observability";

/** The record at a result key: who it belongs to and its ETag (for the conditional write). */
export interface ExistingRecord extends ExistingRecordIdentity {
  readonly etag: string | undefined;
}

/** A small JSON object as read: its document (undefined when the body is not JSON), ETag and user metadata. */
export interface SmallObject<T> {
  readonly doc: Partial<T> | undefined;
  readonly etag: string | undefined;
  readonly metadata?: Record<string, string>;
}

/**
 * Reads a small JSON object (a job claim, reconcile's lease or state); undefined when there is none.
 * The ETag is what a conditional write of the same key names ({@link commitRecord}, {@link putSmallObject}).
 */
export async function readSmallObject<T>(bucket: string, key: string): Promise<SmallObject<T> | undefined> {
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = out.Body ? await out.Body.transformToString("utf-8") : "";
    let doc: Partial<T> | undefined;
    try {
      doc = JSON.parse(text) as Partial<T>;
    } catch {
      // not JSON: doc stays undefined
    }
    return { doc, etag: out.ETag, metadata: out.Metadata };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * The record at `key`, or undefined when there is none. Reads the body (a few KB): its `uploaded_at` and
 * `transcription_job_name` order it against another upload, also for records written before metadata carried them
 * and for start's REJECTED records; the metadata { status, job-name } stands in for a body that is not JSON.
 */
export async function readRecord(bucket: string, key: string): Promise<ExistingRecord | undefined> {
  const read = await readSmallObject<CallResult>(bucket, key);
  if (!read) return undefined;
  // An unreadable record is treated as the oldest possible one (any upload replaces it).
  const doc = read.doc ?? {};
  return {
    etag: read.etag,
    status: doc.status ?? read.metadata?.status,
    jobName: doc.transcription_job_name ?? read.metadata?.["job-name"],
    uploadedAt: doc.uploaded_at ?? null,
  };
}

/**
 * S3 answered a conditional write with 412 (precondition failed) or 409 (a concurrent conditional write), or with
 * 404 to an `IfMatch` write: the object it expected was deleted meanwhile, which is the same lost race.
 */
export function isWriteConflict(e: unknown): boolean {
  const n = errorName(e);
  const status = httpStatus(e);
  return (
    n === "PreconditionFailed" || n === "ConditionalRequestConflict" || status === 412 || status === 409 || (e as { ifMatch404?: boolean })?.ifMatch404 === true
  );
}

/** Sends a conditional PutObject; a 404 to an `IfMatch` write is marked as the lost race it is ({@link isWriteConflict}). */
async function putIf(input: PutObjectCommandInput): Promise<string | undefined> {
  try {
    return (await s3Client().send(new PutObjectCommand(input)))?.ETag;
  } catch (e) {
    if (input.IfMatch && isNotFound(e) && typeof e === "object" && e !== null) Object.assign(e, { ifMatch404: true });
    throw e;
  }
}

/**
 * The PutObject of an object of ours: JSON, SSE-KMS with the pipeline key. Its length is given: the SDK sends no
 * Content-Length for an empty body (the "job settled" marker) and then warns, on every such write, that the body may
 * be a stream of unknown length.
 */
function put(bucket: string, kmsKeyArn: string, key: string, body: string): PutObjectCommandInput {
  return {
    Bucket: bucket,
    Key: key,
    Body: body,
    ContentLength: Buffer.byteLength(body),
    ContentType: "application/json",
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: kmsKeyArn,
  };
}

/** Where a conditional write expects the key to stand: at this ETag, or absent (`undefined`). */
export type Expected = { readonly etag: string | undefined };

/**
 * A small object (the "job settled" marker, reconcile's state and lease); with `expected`, written only if the key
 * still holds that ETag (`IfMatch`) or nothing (`IfNoneMatch: *`), else it throws ({@link isWriteConflict}).
 * Returns the new ETag.
 */
export async function putSmallObject(bucket: string, kmsKeyArn: string, key: string, body = "", expected?: Expected): Promise<string | undefined> {
  const condition = expected ? (expected.etag ? { IfMatch: expected.etag } : { IfNoneMatch: "*" }) : {};
  return putIf({ ...put(bucket, kmsKeyArn, key, body), ...condition });
}

/** Conditional writes lost to a concurrent writer are re-decided this many times before the write fails. */
export const MAX_WRITE_ATTEMPTS = 5;

/** The outcome of {@link commitRecord}: written, or the {@link WriteDecision} that kept the record already there. */
export type CommitOutcome = "written" | Exclude<WriteDecision, "write">;

/**
 * The one way a call's record is written (start's REJECTED records, analyze's results, reconcile's failures): read
 * the key, decide by the result-identity rule (core/result-identity.ts: an accepted upload's result outranks a
 * rejection, the newer upload wins within a rank, a job's COMPLETED record never gives way to its own failure),
 * then write only if the key still holds what was read: `IfMatch` the read ETag, or `IfNoneMatch: *` when there was
 * no record. A concurrent write (412/409) re-reads and decides again, up to {@link MAX_WRITE_ATTEMPTS} times; then
 * the error is thrown (the caller's event is retried, never dropped).
 */
export async function commitRecord(bucket: string, kmsKeyArn: string, key: string, record: CallResult, opts: DecideOptions = {}): Promise<CommitOutcome> {
  const mine = { status: record.status, jobName: record.transcription_job_name, uploadedAt: record.uploaded_at };
  for (let attempt = 1; ; attempt++) {
    const existing = await readRecord(bucket, key);
    const decision = decideWrite(existing, mine, opts);
    if (decision !== "write") {
      logger.info("Record kept", {
        result_key: key,
        decision,
        existing_job: existing?.jobName,
        existing_status: existing?.status,
      });
      return decision;
    }
    const condition = existing?.etag ? { IfMatch: existing.etag } : { IfNoneMatch: "*" };
    try {
      // One record: single-line JSON, metadata { status, job-name }.
      await putIf({ ...put(bucket, kmsKeyArn, key, serializeResult(record)), Metadata: resultMetadata(record), ...condition });
      return "written";
    } catch (e) {
      if (!isWriteConflict(e) || attempt >= MAX_WRITE_ATTEMPTS) throw e;
      logger.info("Write conflict", { result_key: key, attempt }); // decided again
    }
  }
}
