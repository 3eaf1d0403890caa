/**
 * Building and serialising {@link CallResult} records (results and error records share the schema).
 */
import { isValidDate } from "./clock";
import { RESULT_SCHEMA_VERSION, type CallResult, type CallStatus, type Sentiment, type SpeakerStats } from "../contracts/result-schema";

export interface SourceInfo {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | null;
  readonly etag?: string | null;
  readonly size?: number | null;
}

export interface RecordBase {
  readonly tenant: string;
  readonly callId: string;
  readonly source: SourceInfo;
  /** The rejected upload is a file, not a call (CallResult `rejected_file`). */
  readonly rejectedFile?: CallResult["rejected_file"];
  readonly jobName?: string | null;
  readonly modelId?: string | null;
  readonly uploadedAt?: string | null;
  readonly jobStartedAt?: string | null;
  readonly jobCompletedAt?: string | null;
  readonly now: Date;
}

export interface AnalysisFields {
  readonly summary?: string | null;
  readonly actionItems?: readonly string[];
  readonly risks?: readonly string[];
  readonly categories?: CallResult["categories"];
  readonly sentiment?: Sentiment | null;
  readonly sentimentSource?: "comprehend" | "model" | null;
  readonly languageCode?: string | null;
  readonly durationSeconds?: number | null;
  readonly speakerMode?: CallResult["speaker_mode"];
  readonly speakers?: readonly SpeakerStats[];
  readonly summaryError?: { readonly code: string; readonly message: string } | null;
}

/** An ETag without its quotes (S3 answers `"abc"`, records and tags keep `abc`); "" for none. */
export const unquoteEtag = (etag: string | null | undefined): string => (etag ?? "").replace(/"/g, "");

/** An error of a record: its code and message, the message cut at 2,000 characters; null for none. */
const clip = (e: { readonly code: string; readonly message: string } | null | undefined) => (e ? { code: e.code, message: e.message.slice(0, 2000) } : null);

export function buildResult(
  status: CallStatus,
  base: RecordBase,
  analysis: AnalysisFields = {},
  error: { code: string; message: string } | null = null,
): CallResult {
  return {
    schema_version: RESULT_SCHEMA_VERSION,
    status,
    tenant: base.tenant,
    call_id: base.callId,
    summary: analysis.summary ?? null,
    action_items: [...(analysis.actionItems ?? [])],
    risks: [...(analysis.risks ?? [])],
    categories: analysis.categories ?? [],
    sentiment: analysis.sentiment ?? null,
    sentiment_source: analysis.sentimentSource ?? null,
    language_code: analysis.languageCode ?? null,
    duration_seconds: analysis.durationSeconds ?? null,
    speaker_mode: analysis.speakerMode ?? null,
    speakers: [...(analysis.speakers ?? [])],
    error: clip(error),
    summary_error: clip(analysis.summaryError),
    source_bucket: base.source.bucket,
    source_key: base.source.key,
    source_version_id: base.source.versionId ?? null,
    source_etag: base.source.etag ? unquoteEtag(base.source.etag) : null,
    source_size_bytes: base.source.size ?? null,
    rejected_file: base.rejectedFile ?? null,
    transcription_job_name: base.jobName ?? null,
    model_id: base.modelId ?? null,
    uploaded_at: base.uploadedAt ?? null,
    job_started_at: base.jobStartedAt ?? null,
    job_completed_at: base.jobCompletedAt ?? null,
    timestamp: base.now.toISOString(),
  };
}

/** What a record of a transcription job needs from the job (a structural subset of services' `JobContext`). */
export interface JobFacts {
  readonly jobName: string;
  readonly tenant: string;
  readonly callId: string;
  readonly source: SourceInfo;
  readonly uploadedAt: string | null;
  readonly job: { readonly CreationTime?: Date; readonly StartTime?: Date; readonly CompletionTime?: Date };
}

const iso = (d: Date | undefined): string | null => (isValidDate(d) ? d.toISOString() : null);

/**
 * The record of a transcription job: results, analyze's FAILED records and reconcile's JOB_STUCK records all come
 * from here, so their identity and time fields are filled the same way.
 */
export function buildJobResult(
  status: CallStatus,
  j: JobFacts,
  modelId: string,
  now: Date,
  analysis: AnalysisFields = {},
  error: { code: string; message: string } | null = null,
): CallResult {
  const base: RecordBase = {
    tenant: j.tenant,
    callId: j.callId,
    source: j.source,
    jobName: j.jobName,
    modelId,
    uploadedAt: j.uploadedAt,
    jobStartedAt: iso(j.job.CreationTime ?? j.job.StartTime),
    jobCompletedAt: iso(j.job.CompletionTime),
    now,
  };
  return buildResult(status, base, analysis, error);
}

/** One line of JSON (the Athena JSON SerDe reads one record per line), newline-terminated. */
export function serializeResult(r: CallResult): string {
  return `${JSON.stringify(r)}\n`;
}

/** S3 user metadata stored with every record: used for the idempotency check without reading the body. */
export function resultMetadata(r: CallResult): Record<string, string> {
  return { status: r.status, "job-name": r.transcription_job_name ?? "" };
}

/** Milliseconds from upload to now, or undefined when the upload time is unknown / unparsable. */
export function latencyMs(uploadedAt: string | null | undefined, now: Date): number | undefined {
  if (!uploadedAt) return undefined;
  const t = Date.parse(uploadedAt);
  return Number.isFinite(t) && now.getTime() >= t ? now.getTime() - t : undefined;
}
