/**
 * One S3 record of the input bucket -> a started transcription job, a REJECTED record, an explicit ignore log
 * line, or a thrown error (the SQS message is retried). The decisions are pure (core/upload.ts); this file does
 * the I/O around them: tenant lookup, header read, StartTranscriptionJob, error record.
 */
import type { S3EventRecord } from "aws-lambda";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { StartTranscriptionJobCommand } from "@aws-sdk/client-transcribe";
import type { StartConfig } from "../contracts/environment";
import { METRIC } from "../contracts/metrics";
import { resultKey } from "../contracts/storage-layout";
import { detectAudioHeader, HEADER_BYTES } from "../core/audio-header";
import { ERROR_CODES, REJECT_CODES, errorMessage, errorName, isAccessDenied, isNotFound } from "../core/errors";
import { buildJobName, sourceObjectHash } from "../core/job-name";
import { buildResult } from "../core/result";
import { extensionOf, fileRecordId, nonCallFile } from "../core/s3-key";
import { buildStartJobRequest } from "../core/transcribe-request";
import { checkUpload, eventDate, preCheckUpload, type Rejection } from "../core/upload";
import { s3Client, transcribeClient } from "../aws/clients";
import { count, logger, setRecordKeys } from "../aws/observability";
import { commitRecord } from "../aws/records";
import { getTenantSettings } from "../aws/tenants";

export type RecordOutcome = "started" | "duplicate" | "rejected" | "ignored";

type Problem = Pick<Rejection, "code" | "message">;

async function reject(cfg: StartConfig, rec: S3EventRecord, r: Omit<Rejection, "kind">, key: string, now: Date): Promise<RecordOutcome> {
  const o = rec.s3.object;
  // A non-audio or oversize file is not a call: its record has its own id and key, which no call's can equal.
  const file = nonCallFile(key, o.size);
  const callId = file === undefined ? r.callId : fileRecordId(file);
  setRecordKeys({ tenant: r.tenant, call_id: callId });
  const record = buildResult(
    "REJECTED",
    {
      tenant: r.tenant,
      callId,
      rejectedFile: file === undefined ? null : { name: file, extension: extensionOf(file) },
      source: { bucket: rec.s3.bucket.name, key, versionId: o.versionId, etag: o.eTag, size: o.size },
      uploadedAt: rec.eventTime ?? null,
      now,
    },
    {},
    { code: r.code, message: r.message },
  );
  const outKey = resultKey(r.tenant, eventDate(rec.eventTime, now), callId);
  // Through the one write protocol: a rejection never replaces an accepted upload's result or a newer upload's
  // rejection (a late redrive, a sidecar file). If the write fails the error propagates: the message is retried.
  const outcome = await commitRecord(cfg.resultsBucket, cfg.kmsKeyArn, outKey, record);
  count(METRIC.CallsRejected);
  logger.warn("Upload rejected", { code: r.code, reason: r.message, key, result_key: outKey, record: outcome });
  return "rejected";
}

/** Reads the first bytes for the channel count; a problem when the object is gone or denied. */
async function readHeader(bucket: string, key: string, versionId: string | undefined): Promise<{ bytes: Uint8Array } | { problem: Problem }> {
  try {
    const out = await s3Client().send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEADER_BYTES - 1}`, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return { bytes: out.Body ? await out.Body.transformToByteArray() : new Uint8Array() };
  } catch (e) {
    if (isNotFound(e)) return { problem: { code: REJECT_CODES.OBJECT_NOT_FOUND, message: `The object no longer exists (${errorName(e)})` } };
    if (isAccessDenied(e)) return { problem: { code: ERROR_CODES.S3_ACCESS_DENIED, message: `Access denied reading the object header: ${errorMessage(e)}` } };
    if (errorName(e) === "InvalidRange") return { bytes: new Uint8Array() };
    throw e;
  }
}

/** Handles one S3 record at `now` (the time of REJECTED records, the fallback upload time). Throws when the message should be retried. */
export async function processS3Record(cfg: StartConfig, rec: S3EventRecord, now: Date): Promise<RecordOutcome> {
  const o = rec.s3?.object;
  if (!o || typeof o.key !== "string" || !rec.s3.bucket?.name) throw new Error("S3 record without bucket/object");
  if (!String(rec.eventName ?? "").startsWith("ObjectCreated:")) {
    logger.info("Ignoring S3 event that is not ObjectCreated", { event_name: rec.eventName, key: o.key });
    return "ignored";
  }
  const pre = preCheckUpload(o.key, o.size);
  if (pre.kind === "ignore") {
    logger.info("Ignoring S3 object", { reason: pre.reason, key: o.key });
    return "ignored";
  }
  if (pre.kind === "reject") return reject(cfg, rec, pre, o.key, now);
  setRecordKeys({ tenant: pre.tenantToLookUp, call_id: pre.parsed.ok ? pre.parsed.value.callId : pre.parsed.callId });

  const bucket = rec.s3.bucket.name;
  const tenant = pre.tenantToLookUp ? await getTenantSettings(cfg.configPath, pre.tenantToLookUp, now) : ({ kind: "unknown" } as const);
  const upload = checkUpload(pre, tenant, o.size);
  if (upload.kind === "reject") return reject(cfg, rec, upload, pre.key, now);
  if (bucket !== cfg.inputBucket) {
    const message = `Event for bucket ${bucket}, expected ${cfg.inputBucket}`;
    return reject(cfg, rec, { ...upload, code: REJECT_CODES.UNEXPECTED_BUCKET, message }, pre.key, now);
  }

  const header = await readHeader(bucket, upload.key, o.versionId);
  if ("problem" in header) return reject(cfg, rec, { ...upload, ...header.problem }, pre.key, now);
  const channels = detectAudioHeader(upload.mediaFormat, header.bytes)?.channels;

  const src = { bucket, key: upload.key, versionId: o.versionId ?? null, etag: o.eTag ?? null };
  const jobName = buildJobName(cfg.jobNamePrefix, upload.tenant, upload.callId, src);
  setRecordKeys({ job_name: jobName });
  const request = buildStartJobRequest({
    jobName,
    upload: {
      tenant: upload.tenant,
      callId: upload.callId,
      bucket,
      key: upload.key,
      versionId: o.versionId,
      etag: o.eTag,
      size: o.size,
      uploadedAt: eventDate(rec.eventTime, now).toISOString(),
      sourceKeyHash: sourceObjectHash(src).slice(0, 32),
    },
    mediaFormat: upload.mediaFormat,
    tenant: upload.settings,
    channels,
    resultsBucket: cfg.resultsBucket,
    kmsKeyArn: cfg.kmsKeyArn,
    dataAccessRoleArn: cfg.transcribeRoleArn,
  });
  try {
    await transcribeClient().send(new StartTranscriptionJobCommand(request));
  } catch (e) {
    const name = errorName(e);
    if (name === "ConflictException") {
      logger.info("Transcription job already exists (duplicate event): nothing to do", { key: upload.key });
      return "duplicate";
    }
    if (name === "BadRequestException") {
      return reject(cfg, rec, { ...upload, code: REJECT_CODES.TRANSCRIBE_BAD_REQUEST, message: errorMessage(e) }, pre.key, now);
    }
    throw e; // throttling, LimitExceededException, 5xx, anything unknown: retry the message
  }
  count(METRIC.CallsStarted);
  logger.info("Transcription job started", {
    key: upload.key,
    media_format: upload.mediaFormat,
    channels: channels ?? "unknown",
    speaker_mode: request.Settings?.ChannelIdentification ? "channel_identification" : "speaker_labels",
    language: request.LanguageCode ?? request.LanguageOptions,
  });
  return "started";
}
