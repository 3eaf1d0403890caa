/**
 * The result JSON: one document per call at `<tenant>/YYYY/MM/DD/<call_id>.json` in the results bucket, written
 * as a single line (the Athena JSON SerDe reads one record per line). Error records (FAILED, REJECTED) use the
 * same schema and layout. This file is the one definition: the Glue table's columns are generated from
 * {@link RESULT_COLUMNS} and a test checks that every key of {@link CallResult} has a column.
 */

/**
 * 1.1: `summary_error`; a call whose summary failed is COMPLETED (1.0: FAILED with the code in `error`).
 * 1.2: `rejected_file`; a rejected non-audio or oversize upload has its own record (`call_id` `file!<file name>`).
 * 1.3: `categories`, the tenant's call categories that matched (docs/configuration.md, "Call categories").
 */
export const RESULT_SCHEMA_VERSION = "1.3";

export type CallStatus = "COMPLETED" | "FAILED" | "REJECTED";
export type SentimentLabel = "POSITIVE" | "NEGATIVE" | "NEUTRAL" | "MIXED";

/** Comprehend's shape, kept from the guide's minimum schema. */
export interface Sentiment {
  readonly Sentiment: SentimentLabel;
  readonly SentimentScore: {
    readonly Positive: number;
    readonly Negative: number;
    readonly Neutral: number;
    readonly Mixed: number;
  } | null;
}

export interface SpeakerStats {
  /** `spk_0`, `spk_1`, ... for speaker labels; `ch_0`, `ch_1` for channel identification. */
  readonly label: string;
  readonly talk_time_seconds: number;
  readonly word_count: number;
  readonly sentiment: Sentiment | null;
}

/** A tenant's call category that matched a call, with what matched (`transcript(customer): "cancel*"`, ...). */
export interface CallCategory {
  readonly name: string;
  readonly matched_by: readonly string[];
}

export interface CallResult {
  readonly schema_version: string;
  readonly status: CallStatus;
  /** Tenant id (also the first key segment and the `tenant` partition). `unassigned` for unknown tenants. */
  readonly tenant: string;
  /**
   * The call id (the file name without its extension, core/s3-key.ts `callIdFromFileName`); for the record of an
   * upload that is not a call, `file!<file name with extension>` (`fileRecordId`, see {@link CallResult.rejected_file}).
   */
  readonly call_id: string;
  /** Summary text from the model; null when not COMPLETED or the summary failed. */
  readonly summary: string | null;
  readonly action_items: readonly string[];
  readonly risks: readonly string[];
  /**
   * The tenant's call categories that matched, in the order of its rules, each with what matched; empty when none
   * matched, the tenant has no rules or the record is not COMPLETED (and on records before 1.3).
   */
  readonly categories: readonly CallCategory[];
  /** Whole-call sentiment. */
  readonly sentiment: Sentiment | null;
  /** Where the sentiment came from: Comprehend, or the model for languages Comprehend lacks. */
  readonly sentiment_source: "comprehend" | "model" | null;
  readonly language_code: string | null;
  readonly duration_seconds: number | null;
  /** `speaker_labels`, `channel_identification` or null. */
  readonly speaker_mode: "speaker_labels" | "channel_identification" | null;
  readonly speakers: readonly SpeakerStats[];
  /** Set when status is not COMPLETED. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /**
   * Set on a COMPLETED record whose summary step fell short: no summary (SUMMARY_INVALID, SUMMARY_TRUNCATED,
   * MODEL_*; summary null, action_items and risks empty) or parts of the answer missing (SUMMARY_INCOMPLETE).
   */
  readonly summary_error: { readonly code: string; readonly message: string } | null;
  readonly source_bucket: string;
  readonly source_key: string;
  readonly source_version_id: string | null;
  readonly source_etag: string | null;
  readonly source_size_bytes: number | null;
  /**
   * Set on the REJECTED record of an upload that is not a call: a file whose extension is not an audio format (a
   * recorder's sidecar `x.json` next to `x.wav`) or that is over the size limit. Its record is at its own key
   * (`<tenant>/YYYY/MM/DD/file!x.json.json`), never at a call's; null on every call's record (and on records
   * before 1.2). `name` is the uploaded file name, `extension` its extension, lower-case (`""` when none).
   */
  readonly rejected_file: { readonly name: string; readonly extension: string } | null;
  readonly transcription_job_name: string | null;
  readonly model_id: string | null;
  /** When the upload event happened (S3 event time). */
  readonly uploaded_at: string | null;
  /** When the transcription job was created / completed (Transcribe's times). */
  readonly job_started_at: string | null;
  readonly job_completed_at: string | null;
  /** When this record was written: the guide's `timestamp`. */
  readonly timestamp: string;
}

/** A Glue/Athena column. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

const SENTIMENT_TYPE = "struct<sentiment:string,sentimentscore:struct<positive:double,negative:double,neutral:double,mixed:double>>";

/**
 * The table's data columns in document order. `tenant` is not here: it is the table's partition key (from the
 * key's first segment), which Athena fills from the path. Built in a pure function so that the handlers, which
 * only need {@link RESULT_SCHEMA_VERSION}, do not bundle the table (esbuild keeps a top-level template literal over
 * a constant it does not inline, about 2 KB per bundle).
 */
export const RESULT_COLUMNS: readonly ResultColumn[] = /* @__PURE__ */ (() => [
  { name: "schema_version", type: "string", comment: "Result schema version" },
  { name: "status", type: "string", comment: "COMPLETED, FAILED or REJECTED" },
  { name: "call_id", type: "string", comment: "Call id from the uploaded file name; file!<file name> for a rejected non-audio or oversize file" },
  { name: "summary", type: "string", comment: "Model summary of the call" },
  { name: "action_items", type: "array<string>", comment: "Action items from the model" },
  { name: "risks", type: "array<string>", comment: "Risks from the model" },
  {
    name: "categories",
    type: "array<struct<name:string,matched_by:array<string>>>",
    comment: "The tenant's call categories that matched, each with what matched",
  },
  { name: "sentiment", type: SENTIMENT_TYPE, comment: "Whole-call sentiment in Comprehend's shape" },
  { name: "sentiment_source", type: "string", comment: "comprehend or model" },
  { name: "language_code", type: "string", comment: "Transcribe language code" },
  { name: "duration_seconds", type: "double", comment: "Audio duration" },
  { name: "speaker_mode", type: "string", comment: "speaker_labels or channel_identification" },
  {
    name: "speakers",
    type: `array<struct<label:string,talk_time_seconds:double,word_count:int,sentiment:${SENTIMENT_TYPE}>>`,
    comment: "Per speaker or channel talk time and sentiment",
  },
  { name: "error", type: "struct<code:string,message:string>", comment: "Error code and message when not COMPLETED" },
  { name: "summary_error", type: "struct<code:string,message:string>", comment: "Why a COMPLETED call has no summary or lacks parts of it" },
  { name: "source_bucket", type: "string", comment: "Input bucket" },
  { name: "source_key", type: "string", comment: "Uploaded object key" },
  { name: "source_version_id", type: "string", comment: "Uploaded object version" },
  { name: "source_etag", type: "string", comment: "Uploaded object ETag" },
  { name: "source_size_bytes", type: "bigint", comment: "Uploaded object size" },
  {
    name: "rejected_file",
    type: "struct<name:string,extension:string>",
    comment: "Set when the record is a rejected non-audio or oversize file, not a call: file name and extension",
  },
  { name: "transcription_job_name", type: "string", comment: "Amazon Transcribe job" },
  { name: "model_id", type: "string", comment: "Bedrock model or inference profile" },
  { name: "uploaded_at", type: "string", comment: "Upload event time (ISO 8601)" },
  { name: "job_started_at", type: "string", comment: "Transcription job creation time (ISO 8601)" },
  { name: "job_completed_at", type: "string", comment: "Transcription job completion time (ISO 8601)" },
  { name: "timestamp", type: "string", comment: "Time this record was written (ISO 8601)" },
])();

/** The partition keys of the results table, in order. */
export const RESULT_PARTITION_KEYS: readonly ResultColumn[] = [
  { name: "tenant", type: "string", comment: "Tenant id (first key segment)" },
  { name: "call_date", type: "string", comment: "yyyy/MM/dd of the call (key segments 2-4)" },
];
