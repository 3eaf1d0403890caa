/**
 * The call browser's data (calls-html.ts): one entry per call, what a person reads on the call's page, and whether
 * its transcript can be shown. Pure: the records, the transcripts already read (transcripts.ts) and the time of the
 * report in, the entries out.
 *
 * Transcripts are sensitive (docs/security.md): analysts and operators are denied them (`NeverReadTranscripts`,
 * modules/access/index.ts), so the report reads them only when asked (`--transcripts`), with credentials of a
 * principal in `access.transcriptReaders`. Transcribe's output under `tmp/` expires after
 * `retention.transcriptsDays`; the page says which of these applies to a call.
 */
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { analyzeTranscript, type TranscribeOutput } from "../../lambda-src/core/transcript";
import { OTHER_ROLE, speakerRole } from "../../lambda-src/contracts/speaker-roles";
import { type DatedResult, isFileRecord, sentimentScore } from "../../modules/insights/semantics";

/**
 * A category the call matched and the rules' parts that matched it. Read defensively: records written before the
 * result schema had categories have none (an absent or malformed field is no category).
 */
export interface CallCategory {
  readonly name: string;
  readonly matched_by: readonly string[];
}

/** A result record as the report reads it: the schema's fields, and `categories` when the record has them. */
export type ReportedResult = CallResult & { readonly categories?: readonly CallCategory[] };

/** One turn of a transcript: who speaks (label and role) and what they say. */
export interface TranscriptTurn {
  readonly speaker: string;
  readonly text: string;
}

/**
 * What the report found for a call's transcript:
 * - `shown`: read, the turns are on the page;
 * - `not-permitted`: the report was made without `--transcripts`, or the reader's credentials were refused;
 * - `expired`: older than `retention.transcriptsDays`, the lifecycle rule has deleted it;
 * - `missing`: allowed and not expired, but no transcript object was found;
 * - `none`: the call never had one (rejected, or failed before or during transcription).
 */
export type TranscriptState = "shown" | "not-permitted" | "expired" | "missing" | "none";

/** What a lookup of one transcript gave: the Transcribe document, or why there is none. */
export type TranscriptLookup = { readonly doc: TranscribeOutput } | { readonly problem: "not-permitted" | "missing" };

export interface CallSpeaker {
  readonly label: string;
  /** agent, customer or other (lambda-src/contracts/speaker-roles.ts speakerRole). */
  readonly role: string;
  readonly talkTimeSeconds: number;
  readonly wordCount: number;
  readonly sentiment: string | null;
  /** Positive minus negative (null without scores). */
  readonly score: number | null;
}

export interface CallEntry {
  readonly tenant: string;
  readonly day: string;
  readonly callId: string;
  readonly timestamp: string;
  readonly status: string;
  readonly language: string | null;
  readonly durationSeconds: number | null;
  readonly sentiment: string | null;
  readonly score: number | null;
  readonly sentimentSource: string | null;
  readonly summary: string | null;
  readonly actionItems: readonly string[];
  readonly risks: readonly string[];
  readonly speakers: readonly CallSpeaker[];
  readonly categories: readonly CallCategory[];
  /** The error of a FAILED or REJECTED call, or the summary error of a COMPLETED one. */
  readonly error: { readonly code: string; readonly message: string; readonly kind: "call" | "summary" } | null;
  readonly transcript: { readonly state: TranscriptState; readonly turns?: readonly TranscriptTurn[]; readonly expiredOn?: string };
}

export interface CallsModel {
  readonly generatedAt: string;
  readonly source: string;
  /** Whether the report was asked to read transcripts (`--transcripts`). */
  readonly transcriptsRequested: boolean;
  readonly transcriptsDays: number;
  readonly tenants: readonly string[];
  readonly categories: readonly string[];
  /** Rejected non-audio or oversize files: not calls, not listed (the aggregate page counts them). */
  readonly files: number;
  /** Newest first. */
  readonly calls: readonly CallEntry[];
}

export interface CallsOptions {
  readonly source: string;
  /** When the report was made (ISO time, from the caller's clock): transcripts older than transcriptsDays are expired. */
  readonly generatedAt: string;
  /** retention.transcriptsDays of the environment. */
  readonly transcriptsDays: number;
  /**
   * The transcripts read, by {@link transcriptId}; undefined when the report was made without `--transcripts`.
   * A call whose id is absent from a given map was not looked up (expired, or no job).
   */
  readonly transcripts?: ReadonlyMap<string, TranscriptLookup>;
}

const DAY_MS = 86_400_000;

/** The key of a call's transcript in {@link CallsOptions.transcripts}: `<tenant>/<job name>`. */
export const transcriptId = (tenant: string, jobName: string): string => `${tenant}/${jobName}`;

/** The categories of a record, whatever it holds: an array of `{ name, matched_by }`, anything else is none. */
export function categoriesOf(result: unknown): CallCategory[] {
  const raw = (result as { categories?: unknown } | null)?.categories;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c) =>
    c && typeof c === "object" && typeof c.name === "string"
      ? [{ name: c.name, matched_by: Array.isArray(c.matched_by) ? c.matched_by.filter((m: unknown) => typeof m === "string") : [] }]
      : [],
  );
}

/** The transcript's turns: consecutive words of one speaker (core/transcript.ts), each with its role. */
export function transcriptTurns(doc: TranscribeOutput): TranscriptTurn[] {
  const a = analyzeTranscript(doc);
  if (!a.speakerMode) return a.text ? [{ speaker: "", text: a.text }] : [];
  return a.labelledText
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(": ");
      const label = line.slice(0, at);
      const role = speakerRole(a.speakerMode, label);
      return { speaker: role === OTHER_ROLE ? label : `${role} (${label})`, text: line.slice(at + 2) };
    });
}

/** When a call's transcript expires: transcriptsDays after the job completed (the record's time when unknown). */
export function transcriptExpiry(r: CallResult, transcriptsDays: number): Date {
  return new Date(Date.parse(r.job_completed_at ?? r.timestamp) + transcriptsDays * DAY_MS);
}

/** Whether the report should look a call's transcript up: it has a transcription job, completed, not expired. */
export function wantsTranscript(r: CallResult, generatedAt: string, transcriptsDays: number): boolean {
  return r.status === "COMPLETED" && !!r.transcription_job_name && transcriptExpiry(r, transcriptsDays).getTime() > Date.parse(generatedAt);
}

/** The transcript part of a call's entry. */
export function transcriptOf(row: DatedResult, options: CallsOptions): CallEntry["transcript"] {
  const r = row.result;
  if (r.status !== "COMPLETED" || !r.transcription_job_name) return { state: "none" };
  const expiry = transcriptExpiry(r, options.transcriptsDays);
  if (expiry.getTime() <= Date.parse(options.generatedAt)) return { state: "expired", expiredOn: expiry.toISOString().slice(0, 10) };
  if (!options.transcripts) return { state: "not-permitted" };
  const found = options.transcripts.get(transcriptId(row.tenant, r.transcription_job_name));
  if (!found) return { state: "missing" };
  if ("problem" in found) return { state: found.problem };
  return { state: "shown", turns: transcriptTurns(found.doc) };
}

function entry(row: DatedResult, options: CallsOptions): CallEntry {
  const r = row.result;
  const error = r.error ? { ...r.error, kind: "call" as const } : r.summary_error ? { ...r.summary_error, kind: "summary" as const } : null;
  return {
    tenant: row.tenant,
    day: row.day,
    callId: r.call_id,
    timestamp: r.timestamp,
    status: r.status,
    language: r.language_code,
    durationSeconds: r.duration_seconds,
    sentiment: r.sentiment?.Sentiment ?? null,
    score: sentimentScore(r.sentiment),
    sentimentSource: r.sentiment_source,
    summary: r.summary,
    actionItems: r.action_items ?? [],
    risks: r.risks ?? [],
    speakers: (r.speakers ?? []).map((s) => ({
      label: s.label,
      role: speakerRole(r.speaker_mode, s.label),
      talkTimeSeconds: s.talk_time_seconds,
      wordCount: s.word_count,
      sentiment: s.sentiment?.Sentiment ?? null,
      score: sentimentScore(s.sentiment),
    })),
    categories: categoriesOf(r),
    error: error ? { code: error.code, message: error.message, kind: error.kind } : null,
    transcript: transcriptOf(row, options),
  };
}

/** The call browser's model: every call (rejected files apart), newest first. */
export function buildCallsModel(all: readonly DatedResult[], options: CallsOptions): CallsModel {
  const rows = all.filter((r) => !isFileRecord(r.result));
  const calls = rows
    .map((r) => entry(r, options))
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || a.tenant.localeCompare(b.tenant) || a.callId.localeCompare(b.callId));
  return {
    generatedAt: options.generatedAt,
    source: options.source,
    transcriptsRequested: options.transcripts !== undefined,
    transcriptsDays: options.transcriptsDays,
    tenants: [...new Set(calls.map((c) => c.tenant))].sort(),
    categories: [...new Set(calls.flatMap((c) => c.categories.map((k) => k.name)))].sort(),
    files: all.length - rows.length,
    calls,
  };
}
