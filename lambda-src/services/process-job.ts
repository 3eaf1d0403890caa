/**
 * processJob: one finished transcription job -> one result record. Shared by the analyze handler (EventBridge,
 * manual reprocessing) and the reconcile handler (missed events, stuck jobs).
 */
import { DeleteObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import type { AnalyzeConfig } from "../contracts/environment";
import { ERROR_CODES, errorMessage, isAccessDenied, isNotFound, isRetryable } from "../core/errors";
import { comprehendLanguageFor } from "../core/languages";
import { buildJobResult, latencyMs, type AnalysisFields, unquoteEtag } from "../core/result";
import type { CallResult, Sentiment, SpeakerStats } from "../contracts/result-schema";
import type { Clock } from "../core/clock";
import { analyzeTranscript, parseS3Uri, type TranscribeOutput } from "../core/transcript";
import { s3Client } from "../aws/clients";
import { count, latency, logger, setRecordKeys } from "../aws/observability";
import { METRIC } from "../contracts/metrics";
import { isWriteConflict } from "../aws/records";
import { modelRetryDeadline, summaryFields } from "../core/summary";
import { claimJob, saveSentiment } from "./job-claim";
import { sourceState } from "./source-check";
import { commitJobRecord, currentDecision, type JobContext, loadJob, markSettled } from "./job-record";
import { detectSentiment } from "./sentiment";
import { summarize } from "./summary";
import { callCategories } from "./categories";

export type { JobContext, LoadedJob } from "./job-record";
export { loadJob } from "./job-record";

export type JobOutcome = "COMPLETED" | "FAILED" | "SKIPPED" | "NOT_FINISHED" | "JOB_NOT_FOUND" | "MISSING_TAGS" | "NOT_OURS";

export interface ProcessResult {
  readonly jobName: string;
  readonly outcome: JobOutcome;
  readonly resultKey?: string;
  readonly errorCode?: string;
  /**
   * SKIPPED: `claimed` (another delivery holds the job's claim and writes its record), `own` (this job's record
   * stays) or `superseded` (a record that outranks this one is there); with `errorCode` when this run failed (its
   * failure record was not written over the record that stays).
   */
  readonly skipReason?: "own" | "superseded" | "claimed" | "source-changed";
}

export interface ProcessOptions {
  /** Reprocess even when a COMPLETED record of this job exists. */
  readonly force?: boolean;
  /** The time of the record (and of its latency metric) and of the model's retry window. */
  readonly clock: Clock;
  /**
   * The delivery, as the job's claim names it (services/job-claim.ts): the Lambda request id, which Lambda's own
   * retries of an invocation keep. @default a new id (a delivery of its own)
   */
  readonly owner?: string;
}

/** A SKIPPED outcome of the job, for the reason given. */
const skipped = (ctx: JobContext, skipReason: ProcessResult["skipReason"]): ProcessResult => ({
  jobName: ctx.jobName,
  outcome: "SKIPPED",
  resultKey: ctx.resultKey,
  skipReason,
});

/** Logs "Job skipped" with the reason (the result's `skipReason`) and the keys that explain it; the SKIPPED outcome. */
function skip(ctx: JobContext, reason: NonNullable<ProcessResult["skipReason"]>, keys: Record<string, unknown>): ProcessResult {
  logger.info("Job skipped", { reason, ...keys });
  return skipped(ctx, reason);
}

/** {@link skip}, and the job marked settled (its record, or one that outranks it, is at the result key). */
async function skipSettled(
  cfg: AnalyzeConfig,
  ctx: JobContext,
  reason: NonNullable<ProcessResult["skipReason"]>,
  keys: Record<string, unknown>,
): Promise<ProcessResult> {
  const result = skip(ctx, reason, keys);
  await markSettled(cfg, ctx.jobName, ctx.job.CreationTime);
  return result;
}

async function write(cfg: AnalyzeConfig, ctx: JobContext, record: CallResult, now: Date, force: boolean): Promise<ProcessResult> {
  const decision = await commitJobRecord(cfg, ctx, record, { force });
  await markSettled(cfg, ctx.jobName, ctx.job.CreationTime);
  if (decision !== "written") {
    // A failure that met a record which stays (e.g. a forced run after the transcript expired, over the job's own
    // COMPLETED record) keeps its error code, so the caller sees the run failed while the record is intact.
    return { ...skipped(ctx, decision), ...(record.error ? { errorCode: record.error.code } : {}) };
  }
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

/**
 * Deletes exactly the processed upload: its version when the bucket is versioned, else the key only while it
 * still has the processed ETag (`IfMatch`), so a newer upload of the same key is never deleted.
 */
async function deleteProcessedSource(ctx: JobContext): Promise<void> {
  const { bucket, key, versionId, etag } = ctx.source;
  if (!bucket || !key) return;
  const exact = versionId ? { VersionId: versionId } : etag ? { IfMatch: `"${unquoteEtag(etag)}"` } : undefined;
  if (!exact) {
    logger.warn("Source audio kept", { reason: "no version or ETag", key }); // the input lifecycle rule removes it
    return;
  }
  try {
    await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...exact }));
    logger.info("Source audio deleted", { key, version_id: versionId, etag });
  } catch (e) {
    if (isWriteConflict(e)) {
      logger.info("Source audio kept", { reason: "newer upload", key, etag });
      return;
    }
    // The result is written; the input lifecycle rule removes the audio later.
    logger.warn("Source audio not deleted", { error: e as Error, key });
  }
}

async function failed(
  cfg: AnalyzeConfig,
  ctx: JobContext,
  now: Date,
  force: boolean,
  code: string,
  message: string,
  analysis: AnalysisFields = {},
): Promise<ProcessResult> {
  return write(cfg, ctx, buildJobResult("FAILED", ctx, cfg.bedrockModelId, now, analysis, { code, message }), now, force);
}

/** A transcript read from S3: the document, or the error code and message the result records. */
type TranscriptRead = { doc: TranscribeOutput; error?: undefined } | { doc?: undefined; error: { code: string; message: string } };

async function readTranscript(uri: string): Promise<TranscriptRead> {
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
export async function processLoadedJob(cfg: AnalyzeConfig, ctx: JobContext, opts: ProcessOptions): Promise<ProcessResult> {
  const now = opts.clock.now();
  const status = ctx.job.TranscriptionJobStatus;
  if (status !== "COMPLETED" && status !== "FAILED") {
    logger.info("Job not finished yet", { job_status: status });
    return { jobName: ctx.jobName, outcome: "NOT_FINISHED" };
  }
  const force = opts.force === true;
  // Before any model call: is the job settled already (its own COMPLETED record, or a newer upload's record)?
  const decision = await currentDecision(cfg, ctx, { force });
  if (decision !== "write") return skipSettled(cfg, ctx, decision, { result_key: ctx.resultKey });

  if (status === "FAILED") {
    return failed(cfg, ctx, now, force, ERROR_CODES.TRANSCRIBE_FAILED, ctx.job.FailureReason ?? "Transcription job failed (no reason given)", {
      languageCode: ctx.job.LanguageCode ?? null,
    });
  }

  // The exact upload (services/source-check.ts): a newer accepted upload of the key has its own job and record,
  // which outranks this one, so this job pays for nothing and writes nothing.
  if ((await sourceState(ctx)) === "newer-accepted") return skipSettled(cfg, ctx, "source-changed", { source_etag: ctx.source.etag });

  const uri = ctx.job.Transcript?.RedactedTranscriptFileUri ?? ctx.job.Transcript?.TranscriptFileUri;
  if (!uri) return failed(cfg, ctx, now, force, ERROR_CODES.TRANSCRIPT_NOT_FOUND, "The job has no transcript file URI");
  const read = await readTranscript(uri);
  if (!read.doc) return failed(cfg, ctx, now, force, read.error.code, read.error.message);

  const t = analyzeTranscript(read.doc);
  const languageCode = ctx.job.LanguageCode ?? t.languageCode;
  const speakersBase = t.speakers;
  /** The transcript's statistics: the record's, and the claim's with a saved sentiment. */
  const stats = { languageCode, durationSeconds: t.durationSeconds, speakerMode: t.speakerMode };
  const unscored = speakersBase.map((s): SpeakerStats => ({ label: s.label, talk_time_seconds: s.talkTimeSeconds, word_count: s.wordCount, sentiment: null }));
  const fields: AnalysisFields = { ...stats, speakers: unscored };
  if (t.text.trim() === "") {
    return failed(cfg, ctx, now, force, ERROR_CODES.EMPTY_TRANSCRIPT, "The transcript is empty (no speech recognised)", fields);
  }

  // The claim before the first paid call: another live delivery of this job (a duplicate event, a hand-out that
  // overlaps a retry chain, a reprocess) turns this one away; it writes nothing, the holder writes the record.
  const claim = await claimJob(cfg, ctx.jobName, opts.owner ?? `delivery-${Math.random().toString(36).slice(2, 12)}`, now);
  if (claim.kind === "busy") return skip(ctx, "claimed", { holder: claim.owner, claim_expires: claim.expires });

  // Sentiment: Comprehend where it has the language, otherwise the model's label (SentimentScore null). Paid once
  // per job: a retry (e.g. after a throttled Bedrock call) reuses what the claim saved.
  let compLang = comprehendLanguageFor(languageCode ?? undefined);
  let sentiment: Sentiment | null = null;
  let speakers: readonly SpeakerStats[] = unscored;
  const saved = compLang && claim.doc.sentiment?.language === compLang ? claim.doc.sentiment : undefined;
  if (compLang && saved && !saved.partial) {
    logger.info("Sentiment reused", { language_code: compLang });
    sentiment = saved.sentiment;
    speakers = [...saved.speakers];
  } else if (compLang) {
    // What an attempt cut by a throttle scored is reused; only the rest is scored (and paid) now.
    let whole = saved?.wholeScored ? saved.sentiment : undefined;
    const scored: SpeakerStats[] = [];
    try {
      if (whole === undefined) whole = await detectSentiment(t.text, compLang);
      for (const [i, s] of speakersBase.entries()) {
        const prior = saved?.speakers.find((p) => p.label === s.label);
        scored.push(prior ?? { ...speakers[i], sentiment: await detectSentiment(s.text, compLang) });
      }
      sentiment = whole;
      speakers = scored;
    } catch (e) {
      if (isRetryable(e)) {
        await saveSentiment(cfg, ctx.jobName, claim, {
          language: compLang,
          sentiment: whole ?? null,
          speakers: scored,
          ...stats,
          partial: true,
          wholeScored: whole !== undefined,
        });
        throw e;
      }
      // A permanent Comprehend error (e.g. UnsupportedLanguageException): use the model's label instead.
      logger.warn("Sentiment from the model", { reason: "Comprehend failed", error: e as Error });
      compLang = undefined;
      sentiment = null;
    }
    // Outside the Comprehend error handling: an S3 error here is not a Comprehend answer (it throws: retried).
    if (compLang) {
      await saveSentiment(cfg, ctx.jobName, claim, { language: compLang, sentiment, speakers, ...stats });
    }
  } else {
    logger.info("Sentiment from the model", { reason: "no Comprehend model", language_code: languageCode });
  }

  // A summary that cannot be produced does not fail the call: the record stays COMPLETED with summary_error.
  const outcome = await summarize({ modelId: cfg.bedrockModelId, region: cfg.bedrockRegion, maxTokens: cfg.bedrockMaxTokens }, t.labelledText, languageCode, {
    retryUntil: modelRetryDeadline(ctx.job.CompletionTime ?? ctx.job.CreationTime),
    clock: opts.clock,
  });
  const summary = summaryFields(outcome, !compLang);
  const { actionItems, risks } = summary;
  if (!compLang) sentiment = summary.modelSentiment ? { Sentiment: summary.modelSentiment, SentimentScore: null } : null;
  const record = buildJobResult("COMPLETED", ctx, cfg.bedrockModelId, now, {
    ...fields,
    speakers,
    sentiment,
    sentimentSource: sentiment ? (compLang ? "comprehend" : "model") : null,
    summary: summary.summary,
    actionItems,
    risks,
    categories: callCategories(ctx.tenant, {
      languageCode,
      text: t.text,
      speakerMode: t.speakerMode,
      turns: t.speakers,
      summary: summary.summary,
      sentiment,
      speakers,
      risks,
      actionItems,
    }),
    summaryError: summary.summaryError,
  });
  // A forced run whose summary failed (e.g. the model throttled past its retry window) is a failure of that run:
  // it never replaces the job's own COMPLETED record, which keeps the summary an earlier run paid for; the run
  // answers SKIPPED with the summary's error code. Without force nothing changes (the rule already keeps it).
  const keepOwn = force && summary.failed;
  const result = await write(cfg, ctx, record, now, force && !keepOwn);
  if (keepOwn && result.outcome === "SKIPPED" && record.summary_error) return { ...result, errorCode: record.summary_error.code };
  if (result.outcome === "COMPLETED" && summary.failed) count(METRIC.SummariesFailed);
  if (result.outcome === "COMPLETED" && cfg.deleteInputOnSuccess) await deleteProcessedSource(ctx);
  return result;
}

/**
 * GetTranscriptionJob -> tags give tenant and call_id -> result-identity check -> FAILED record or
 * transcript + sentiment + summary -> result record (-> optional delete of the source audio).
 * Transient AWS errors throw; permanent ones end in a FAILED record.
 */
export async function processJob(cfg: AnalyzeConfig, jobName: string, opts: ProcessOptions): Promise<ProcessResult> {
  setRecordKeys({ job_name: jobName });
  if (!jobName.startsWith(cfg.jobNamePrefix)) {
    logger.info("Job ignored", { reason: "other environment", prefix: cfg.jobNamePrefix });
    return { jobName, outcome: "NOT_OURS" };
  }
  const loaded = await loadJob(jobName, opts.clock.now());
  if (loaded.kind === "missing") {
    // Expired (Transcribe keeps jobs 90 days) or deleted: nothing to write a record from.
    logger.error("No record written", { reason: "job not found" });
    return { jobName, outcome: "JOB_NOT_FOUND" };
  }
  if (loaded.kind === "untagged") {
    logger.error("No record written", { reason: "no tenant/call_id tags", media: loaded.job.Media?.MediaFileUri });
    await markSettled(cfg, jobName, loaded.job.CreationTime); // nothing more can be done; reconcile stops handing it out
    return { jobName, outcome: "MISSING_TAGS" };
  }
  setRecordKeys({ tenant: loaded.ctx.tenant, call_id: loaded.ctx.callId });
  return processLoadedJob(cfg, loaded.ctx, opts);
}
