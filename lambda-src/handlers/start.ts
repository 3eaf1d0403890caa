/**
 * start: SQS (S3 event notifications of the input bucket) -> StartTranscriptionJob.
 * Every S3 record ends in a started job, an error record (REJECTED), an explicit ignore log line or a retry
 * (the SQS message is reported in batchItemFailures; after maxReceiveCount it lands in the dead-letter queue).
 */
import type { S3Event, S3EventRecord, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { StartTranscriptionJobCommand } from "@aws-sdk/client-transcribe";
import { readConfig, type StartConfig } from "../contracts/environment";
import { ERROR_CODES, errorMessage, errorName, isAccessDenied, isNotFound } from "../core/errors";
import { buildJobName, sourceObjectHash } from "../core/job-name";
import { buildResult } from "../core/result";
import { resultKey } from "../contracts/storage-layout";
import { checkUpload, eventDate, preCheckUpload, type Rejection } from "../core/upload";
import { detectAudioHeader, HEADER_BYTES } from "../core/audio-header";
import { buildStartJobRequest } from "../core/transcribe-request";
import { s3Client, transcribeClient } from "../aws/clients";
import { clearRecordKeys, count, logger, publishMetrics, setRecordKeys } from "../aws/observability";
import { METRIC } from "../contracts/metrics";
import { getTenantSettings } from "../aws/tenants";
import { writeRecord } from "../aws/records";

export type RecordOutcome = "started" | "duplicate" | "rejected" | "ignored";

interface S3TestEvent {
  readonly Event?: string;
  readonly Records?: S3EventRecord[];
}

async function reject(cfg: StartConfig, rec: S3EventRecord, r: Rejection, key: string, now: Date): Promise<RecordOutcome> {
  setRecordKeys({ tenant: r.tenant, call_id: r.callId });
  const o = rec.s3.object;
  const record = buildResult(
    "REJECTED",
    {
      tenant: r.tenant,
      callId: r.callId,
      source: { bucket: rec.s3.bucket.name, key, versionId: o.versionId, etag: o.eTag, size: o.size },
      uploadedAt: rec.eventTime ?? null,
      now,
    },
    {},
    { code: r.code, message: r.message },
  );
  const outKey = resultKey(r.tenant, eventDate(rec.eventTime, now), r.callId);
  // If this write fails the error propagates: the message is retried, never dropped.
  await writeRecord(cfg.resultsBucket, cfg.kmsKeyArn, outKey, record);
  count(METRIC.CallsRejected);
  logger.warn("Upload rejected", { code: r.code, reason: r.message, key, result_key: outKey });
  return "rejected";
}

/** Reads the first bytes for the channel count; undefined channels when unknown. Rejections for gone/denied. */
async function readHeader(bucket: string, key: string, versionId: string | undefined): Promise<{ bytes?: Uint8Array; rejection?: { code: typeof ERROR_CODES.OBJECT_NOT_FOUND | typeof ERROR_CODES.S3_ACCESS_DENIED; message: string } }> {
  try {
    const out = await s3Client().send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEADER_BYTES - 1}`, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { bytes };
  } catch (e) {
    if (isNotFound(e)) return { rejection: { code: ERROR_CODES.OBJECT_NOT_FOUND, message: `The object no longer exists (${errorName(e)})` } };
    if (isAccessDenied(e)) return { rejection: { code: ERROR_CODES.S3_ACCESS_DENIED, message: `Access denied reading the object header: ${errorMessage(e)}` } };
    if (errorName(e) === "InvalidRange") return { bytes: new Uint8Array() };
    throw e;
  }
}

/** Handles one S3 record. Throws when the message should be retried. */
export async function processS3Record(cfg: StartConfig, rec: S3EventRecord, now = new Date()): Promise<RecordOutcome> {
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
  const settings = pre.tenantToLookUp ? await getTenantSettings(cfg.configPath, pre.tenantToLookUp) : null;
  const decision = checkUpload(pre, settings !== null, o.size);
  if (decision.kind === "reject") return reject(cfg, rec, decision, pre.key, now);
  if (bucket !== cfg.inputBucket) {
    return reject(cfg, rec, { ...decision, kind: "reject", code: ERROR_CODES.UNEXPECTED_BUCKET, message: `Event for bucket ${bucket}, expected ${cfg.inputBucket}` }, pre.key, now);
  }

  const header = await readHeader(bucket, decision.key, o.versionId);
  if (header.rejection) return reject(cfg, rec, { ...decision, kind: "reject", ...header.rejection }, pre.key, now);
  const info = detectAudioHeader(decision.mediaFormat, header.bytes ?? new Uint8Array());

  const src = { bucket, key: decision.key, versionId: o.versionId ?? null, etag: o.eTag ?? null };
  const jobName = buildJobName(cfg.jobNamePrefix, decision.tenant, decision.callId, src);
  setRecordKeys({ job_name: jobName });
  const request = buildStartJobRequest({
    jobName,
    upload: {
      tenant: decision.tenant,
      callId: decision.callId,
      bucket,
      key: decision.key,
      versionId: o.versionId,
      etag: o.eTag,
      size: o.size,
      uploadedAt: eventDate(rec.eventTime, now).toISOString(),
      sourceKeyHash: sourceObjectHash(src).slice(0, 32),
    },
    mediaFormat: decision.mediaFormat,
    tenant: settings!,
    channels: info?.channels,
    resultsBucket: cfg.resultsBucket,
    kmsKeyArn: cfg.kmsKeyArn,
    dataAccessRoleArn: cfg.transcribeRoleArn,
  });
  try {
    await transcribeClient().send(new StartTranscriptionJobCommand(request));
  } catch (e) {
    const name = errorName(e);
    if (name === "ConflictException") {
      logger.info("Transcription job already exists (duplicate event): nothing to do", { key: decision.key });
      return "duplicate";
    }
    if (name === "BadRequestException") {
      return reject(cfg, rec, { ...decision, kind: "reject", code: ERROR_CODES.TRANSCRIBE_BAD_REQUEST, message: errorMessage(e) }, pre.key, now);
    }
    throw e; // throttling, LimitExceededException, 5xx, anything unknown: retry the message
  }
  count(METRIC.CallsStarted);
  logger.info("Transcription job started", {
    key: decision.key,
    media_format: decision.mediaFormat,
    channels: info?.channels ?? "unknown",
    speaker_mode: request.Settings?.ChannelIdentification ? "channel_identification" : "speaker_labels",
    language: request.LanguageCode ?? request.LanguageOptions,
  });
  return "started";
}

/** Handles one SQS message (one S3 notification, possibly with several records). Throws to retry it. */
export async function processMessage(cfg: StartConfig, msg: SQSRecord, now = new Date()): Promise<RecordOutcome[]> {
  let body: S3Event & S3TestEvent;
  try {
    body = JSON.parse(msg.body) as S3Event & S3TestEvent;
  } catch {
    throw new Error("Message body is not JSON (left for the dead-letter queue)");
  }
  if (body.Event === "s3:TestEvent") {
    logger.info("Acknowledging s3:TestEvent", { bucket: (body as { Bucket?: string }).Bucket });
    return ["ignored"];
  }
  if (!Array.isArray(body.Records)) throw new Error("Message body is not an S3 event notification (left for the dead-letter queue)");
  const outcomes: RecordOutcome[] = [];
  let firstError: unknown;
  for (const rec of body.Records) {
    try {
      outcomes.push(await processS3Record(cfg, rec, now));
    } catch (e) {
      logger.error("S3 record failed; the message will be retried", { error: e as Error, key: rec?.s3?.object?.key });
      firstError ??= e;
    } finally {
      clearRecordKeys();
    }
  }
  if (firstError !== undefined) throw firstError;
  return outcomes;
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const cfg = readConfig("start", process.env);
  const batchItemFailures: SQSBatchItemFailure[] = [];
  try {
    for (const msg of event.Records ?? []) {
      try {
        await processMessage(cfg, msg);
      } catch (e) {
        logger.error("Message failed; reported for retry", { error: e as Error, message_id: msg.messageId, receive_count: msg.attributes?.ApproximateReceiveCount });
        batchItemFailures.push({ itemIdentifier: msg.messageId });
      } finally {
        clearRecordKeys();
      }
    }
  } finally {
    publishMetrics();
  }
  return { batchItemFailures };
};
