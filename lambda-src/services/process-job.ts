/**
 * processJob: one finished transcription job -> one result record. Shared by the analyze handler (EventBridge,
 * manual reprocessing) and the reconcile handler (missed events, stuck jobs).
 */
import { DeleteObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { GetTranscriptionJobCommand, type TranscriptionJob } from "@aws-sdk/client-transcribe";
import type { AnalyzeConfig } from "../contracts/environment";
import { ERROR_CODES, errorMessage, errorName, isAccessDenied, isNotFound, isRetryable } from "../core/errors";
import { comprehendLanguageFor } from "../core/languages";
import { buildJobResult, latencyMs, type AnalysisFields, type JobFacts, type SourceInfo } from "../core/result";
import type { CallResult, Sentiment, SpeakerStats } from "../contracts/result-schema";
import { resultKey } from "../contracts/storage-layout";
import { TAG, tagsToRecord } from "../core/transcribe-request";
import { analyzeTranscript, parseS3Uri, type TranscribeOutput } from "../core/transcript";
import { s3Client, transcribeClient } from "../aws/clients";
import { count, latency, logger, setRecordKeys } from "../aws/observability";
import { METRIC } from "../contracts/metrics";
import { headRecord, writeRecord } from "../aws/records";
import { modelRetryDeadline, summaryFields } from "../core/summary";
import { detectSentiment } from "./sentiment";
import { summarize } from "./summary";

export interface JobContext extends JobFacts {
  readonly jobName: string;
  readonly job: TranscriptionJob;
  readonly tenant: string;
  readonly callId: string;
  readonly resultKey: string;
  readonly source: SourceInfo;
  readonly uploadedAt: string | null;
}

export type LoadedJob =
  | { readonly kind: "missing" }
  | { readonly kind: "untagged"; readonly job: TranscriptionJob }
  | { readonly kind: "ok"; readonly ctx: JobContext };

export type JobOutcome = "COMPLETED" | "FAILED" | "SKIPPED" | "NOT_FINISHED" | "JOB_NOT_FOUND" | "MISSING_TAGS" | "NOT_OURS";

export interface ProcessResult {
  readonly jobName: string;
  readonly outcome: JobOutcome;
  readonly resultKey?: string;
  readonly errorCode?: string;
}

export interface ProcessOptions {
  /** Reprocess even when a COMPLETED record of this job exists. */
  readonly force?: boolean;
  /** Skip when any record of this job exists (reconcile: "no result yet" only). */
  readonly skipIfAnyRecord?: boolean;
  readonly now?: Date;
}

/** GetTranscriptionJob and the record context from its tags. */
export async function loadJob(jobName: string): Promise<LoadedJob> {
  let job: TranscriptionJob | undefined;
  try {
    job = (await transcribeClient().send(new GetTranscriptionJobCommand({ TranscriptionJobName: jobName }))).TranscriptionJob;
  } catch (e) {
    const n = errorName(e);
    if (n === "NotFoundException" || (n === "BadRequestException" && /not (be )?found|couldn't be found|does not exist/i.test(errorMessage(e)))) {
      return { kind: "missing" };
    }
    throw e;
  }
  if (!job) return { kind: "missing" };
  const tags = tagsToRecord(job.Tags);
  const tenant = tags[TAG.tenant];
  const callId = tags[TAG.callId];
  if (!tenant || !callId) return { kind: "untagged", job };
  const media = job.Media?.MediaFileUri ? parseS3Uri(job.Media.MediaFileUri) : undefined;
  const size = tags[TAG.size] !== undefined ? Number(tags[TAG.size]) : NaN;
  const created = job.CreationTime instanceof Date ? job.CreationTime : new Date();
  return {
    kind: "ok",
    ctx: {
      jobName,
      job,
      tenant,
      callId,
      resultKey: resultKey(tenant, created, callId),
      source: {
        bucket: media?.bucket ?? "",
        key: media?.key ?? job.Media?.MediaFileUri ?? "",
        versionId: tags[TAG.versionId] ?? null,
        etag: tags[TAG.etag] ?? null,
        size: Number.isFinite(size) ? size : null,
      },
      uploadedAt: tags[TAG.uploadedAt] ?? null,
    },
  };
}

async function write(cfg: AnalyzeConfig, ctx: JobContext, record: CallResult, now: Date): Promise<ProcessResult> {
  await writeRecord(cfg.resultsBucket, cfg.kmsKeyArn, ctx.resultKey, record);
  if (record.status === "COMPLETED") {
    count(METRIC.CallsCompleted);
    const ms = latencyMs(ctx.uploadedAt, now);
    if (ms !== undefined) latency(ms);
    logger.info("Result written", { result_key: ctx.resultKey, status: record.status });
  } else {
    count(METRIC.CallsFailed);
    logger.warn("Error record written", { result_key: ctx.resultKey, status: record.status, error: record.error });
  }
  return { jobName: ctx.jobName, outcome: record.status === "COMPLETED" ? "COMPLETED" : "FAILED", resultKey: ctx.resultKey, errorCode: record.error?.code };
}

async function failed(cfg: AnalyzeConfig, ctx: JobContext, now: Date, code: string, message: string, analysis: AnalysisFields = {}): Promise<ProcessResult> {
  return write(cfg, ctx, buildJobResult("FAILED", ctx, cfg.bedrockModelId, now, analysis, { code, message }), now);
}

async function readTranscript(uri: string): Promise<{ doc?: TranscribeOutput; error?: { code: string; message: string } }> {
  const loc = parseS3Uri(uri);
  if (!loc) return { error: { code: ERROR_CODES.TRANSCRIPT_NOT_FOUND, message: `Unrecognised transcript URI ${uri}` } };
  let body: string;
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    body = out.Body ? await out.Body.transformToString("utf-8") : "";
  } catch (e) {
    if (isAccessDenied(e))
      return { error: { code: ERROR_CODES.S3_ACCESS_DENIED, message: `Access denied reading s3://${loc.bucket}/${loc.key}: ${errorMessage(e)}` } };
    if (isNotFound(e)) return { error: { code: ERROR_CODES.TRANSCRIPT_NOT_FOUND, message: `Transcript s3://${loc.bucket}/${loc.key} not found` } };
    throw e;
  }
  try {
    return { doc: JSON.parse(body) as TranscribeOutput };
  } catch (e) {
    return { error: { code: ERROR_CODES.TRANSCRIPT_INVALID, message: `Transcript is not JSON: ${(e as Error).message}` } };
  }
}

/** Processes a loaded job (see {@link processJob}). */
export async function processLoadedJob(cfg: AnalyzeConfig, ctx: JobContext, opts: ProcessOptions = {}): Promise<ProcessResult> {
  const now = opts.now ?? new Date();
  const status = ctx.job.TranscriptionJobStatus;
  if (status !== "COMPLETED" && status !== "FAILED") {
    logger.info("Job not finished yet", { job_status: status });
    return { jobName: ctx.jobName, outcome: "NOT_FINISHED" };
  }
  const existing = await headRecord(cfg.resultsBucket, ctx.resultKey);
  if (existing && existing.jobName === ctx.jobName && !opts.force && (existing.status === "COMPLETED" || opts.skipIfAnyRecord)) {
    logger.info("A record for this job already exists; skipping", { result_key: ctx.resultKey, existing_status: existing.status });
    return { jobName: ctx.jobName, outcome: "SKIPPED", resultKey: ctx.resultKey };
  }

  if (status === "FAILED") {
    return failed(cfg, ctx, now, ERROR_CODES.TRANSCRIBE_FAILED, ctx.job.FailureReason ?? "Transcription job failed (no reason given)", {
      languageCode: ctx.job.LanguageCode ?? null,
    });
  }

  const uri = ctx.job.Transcript?.RedactedTranscriptFileUri ?? ctx.job.Transcript?.TranscriptFileUri;
  if (!uri) return failed(cfg, ctx, now, ERROR_CODES.TRANSCRIPT_NOT_FOUND, "The job has no transcript file URI");
  const read = await readTranscript(uri);
  if (!read.doc) return failed(cfg, ctx, now, read.error!.code, read.error!.message);

  const t = analyzeTranscript(read.doc);
  const languageCode = ctx.job.LanguageCode ?? t.languageCode;
  const speakersBase = t.speakers;
  const fields: AnalysisFields = {
    languageCode,
    durationSeconds: t.durationSeconds,
    speakerMode: t.speakerMode,
    speakers: speakersBase.map((s) => ({ label: s.label, talk_time_seconds: s.talkTimeSeconds, word_count: s.wordCount, sentiment: null })),
  };
  if (t.text.trim() === "") {
    return failed(cfg, ctx, now, ERROR_CODES.EMPTY_TRANSCRIPT, "The transcript is empty (no speech recognised)", fields);
  }

  // Sentiment: Comprehend where it has the language, otherwise the model's label (SentimentScore null).
  let compLang = comprehendLanguageFor(languageCode ?? undefined);
  let sentiment: Sentiment | null = null;
  let speakers: SpeakerStats[] = [...(fields.speakers ?? [])];
  if (compLang) {
    try {
      sentiment = await detectSentiment(t.text, compLang);
      const scored: SpeakerStats[] = [];
      for (const s of speakersBase) {
        scored.push({ label: s.label, talk_time_seconds: s.talkTimeSeconds, word_count: s.wordCount, sentiment: await detectSentiment(s.text, compLang) });
      }
      speakers = scored;
    } catch (e) {
      if (isRetryable(e)) throw e;
      // A permanent Comprehend error (e.g. UnsupportedLanguageException): use the model's label instead.
      logger.warn("Comprehend sentiment failed permanently; using the model's label", { error: e as Error });
      compLang = undefined;
      sentiment = null;
    }
  } else {
    logger.info("Comprehend has no sentiment model for this language; using the model's label", { language_code: languageCode });
  }

  // A summary that cannot be produced does not fail the call: the record stays COMPLETED with summary_error.
  const outcome = await summarize({ modelId: cfg.bedrockModelId, region: cfg.bedrockRegion, maxTokens: cfg.bedrockMaxTokens }, t.labelledText, languageCode, {
    retryUntil: modelRetryDeadline(ctx.job.CompletionTime ?? ctx.job.CreationTime),
    now,
  });
  const summary = summaryFields(outcome, !compLang);
  const record = buildJobResult("COMPLETED", ctx, cfg.bedrockModelId, now, {
    ...fields,
    speakers,
    sentiment: compLang ? sentiment : summary.modelSentiment ? { Sentiment: summary.modelSentiment, SentimentScore: null } : null,
    sentimentSource: compLang ? (sentiment ? "comprehend" : null) : summary.modelSentiment ? "model" : null,
    summary: summary.summary,
    actionItems: summary.actionItems,
    risks: summary.risks,
    summaryError: summary.summaryError,
  });
  const result = await write(cfg, ctx, record, now);
  if (summary.failed) count(METRIC.SummariesFailed);

  if (cfg.deleteInputOnSuccess && ctx.source.bucket && ctx.source.key) {
    try {
      await s3Client().send(
        new DeleteObjectCommand({ Bucket: ctx.source.bucket, Key: ctx.source.key, ...(ctx.source.versionId ? { VersionId: ctx.source.versionId } : {}) }),
      );
      logger.info("Source audio deleted", { key: ctx.source.key, version_id: ctx.source.versionId });
    } catch (e) {
      // The result is written; the input lifecycle rule removes the audio later.
      logger.warn("Deleting the source audio failed", { error: e as Error, key: ctx.source.key });
    }
  }
  return result;
}

/**
 * GetTranscriptionJob -> tags give tenant and call_id -> idempotency check -> FAILED record or
 * transcript + sentiment + summary -> result record (-> optional delete of the source audio).
 * Transient AWS errors throw; permanent ones end in a FAILED record.
 */
export async function processJob(cfg: AnalyzeConfig, jobName: string, opts: ProcessOptions = {}): Promise<ProcessResult> {
  setRecordKeys({ job_name: jobName });
  if (!jobName.startsWith(cfg.jobNamePrefix)) {
    logger.info("Job belongs to another environment; ignoring", { prefix: cfg.jobNamePrefix });
    return { jobName, outcome: "NOT_OURS" };
  }
  const loaded = await loadJob(jobName);
  if (loaded.kind === "missing") {
    logger.error("Transcription job not found (expired after 90 days or deleted); no record can be written");
    return { jobName, outcome: "JOB_NOT_FOUND" };
  }
  if (loaded.kind === "untagged") {
    logger.error("Transcription job has no tenant/call_id tags; no record can be written", { media: loaded.job.Media?.MediaFileUri });
    return { jobName, outcome: "MISSING_TAGS" };
  }
  setRecordKeys({ tenant: loaded.ctx.tenant, call_id: loaded.ctx.callId });
  return processLoadedJob(cfg, loaded.ctx, opts);
}
