/**
 * Reading and writing result / error records in the results bucket.
 */
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { CallResult } from "../contracts/result-schema";
import { resultMetadata, serializeResult } from "../core/result";
import { isNotFound } from "../core/errors";
import { s3Client } from "./clients";

export interface ExistingRecord {
  readonly status: string | undefined;
  readonly jobName: string | undefined;
}

/** Status and job name of the record at `key`, or undefined when there is none. */
export async function headRecord(bucket: string, key: string): Promise<ExistingRecord | undefined> {
  try {
    const out = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { status: out.Metadata?.status, jobName: out.Metadata?.["job-name"] };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Writes one record: single-line JSON, SSE-KMS with the pipeline key, metadata { status, job-name }. */
export async function writeRecord(bucket: string, kmsKeyArn: string, key: string, record: CallResult): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: serializeResult(record),
      ContentType: "application/json",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: kmsKeyArn,
      Metadata: resultMetadata(record),
    }),
  );
}
