/**
 * What the insight figures mean, in one pure module (no cdktf, no provider): the Athena views' SQL
 * (modules/insights/views.ts) is generated from these constants, and `npm run report` (scripts/report/) computes
 * the same rows in TypeScript with the functions below. Change a rule here and both follow.
 *
 * - A *term* of a summary and an *action item* or *risk*'s counted text: ./terms.ts (the text rules and stop words).
 * - A call's *sentiment score* is Comprehend's `Positive - Negative` (from -1 to 1); calls whose sentiment came from
 *   the model have a label but no scores, so they count in the label counts and not in the mean score.
 * - A *failure* is a FAILED or REJECTED record (code from `error.code`) or a COMPLETED record with a
 *   `summary_error` (status `SUMMARY`, code from `summary_error.code`).
 * - A *file record* (`rejected_file` set: a rejected non-audio or oversize upload, `call_id` `file!<file name>`) is
 *   not a call: the call counts leave it out, and the failures count it with status {@link FILE_FAILURE_STATUS} and
 *   its code (UNSUPPORTED_FORMAT, TOO_LARGE, ...). Records written before schema 1.2 have no `rejected_file`: calls.
 * - *Talk time* is split by role only where channels are known (`speaker_mode = channel_identification`):
 *   `CHANNEL_ROLES` (lambda-src/contracts/speaker-roles.ts, shared with the call categories) maps the channel labels
 *   to roles; speaker-label (mono) calls have none.
 */
import type { CallResult, CallStatus, SentimentLabel } from "../../lambda-src/contracts/result-schema";
import { speakerRole } from "../../lambda-src/contracts/speaker-roles";
import { normalizeItem, STOP_WORDS, summaryTerms } from "./terms";

/** Failure code of a record that carries none. */
export const UNKNOWN_CODE = "UNKNOWN";
/** Status of a failure row for a COMPLETED call whose summary step fell short. */
export const SUMMARY_FAILURE_STATUS = "SUMMARY";
/** Status of a failure row for a rejected file that is not a call (a record with `rejected_file`). */
export const FILE_FAILURE_STATUS = "FILE";

/** A rejected non-audio or oversize upload's record, not a call's (`rejected_file` set; absent before schema 1.2). */
export function isFileRecord(r: Pick<CallResult, "rejected_file">): boolean {
  return r.rejected_file != null;
}

/** Comprehend's Positive - Negative; null without scores. */
export function sentimentScore(s: CallResult["sentiment"]): number | null {
  return s?.SentimentScore ? s.SentimentScore.Positive - s.SentimentScore.Negative : null;
}

/** A result with the partition values Athena reads from its key. */
export interface DatedResult {
  readonly tenant: string;
  /** `yyyy-MM-dd`. */
  readonly day: string;
  readonly result: CallResult;
}

export interface CallsDailyRow {
  readonly tenant: string;
  readonly day: string;
  readonly status: CallStatus;
  readonly calls: number;
  readonly duration_seconds: number;
}
export interface SentimentDailyRow {
  readonly tenant: string;
  readonly day: string;
  readonly calls: number;
  readonly scored_calls: number;
  readonly score_sum: number;
  readonly mean_score: number | null;
  readonly positive: number;
  readonly negative: number;
  readonly neutral: number;
  readonly mixed: number;
}
export interface SpeakerSentimentDailyRow extends SentimentDailyRow {
  readonly speaker: string;
  readonly role: string;
}
export interface TermRow {
  readonly tenant: string;
  readonly day: string;
  readonly term: string;
  readonly occurrences: number;
}
export interface ItemRow {
  readonly tenant: string;
  readonly day: string;
  readonly kind: "action_item" | "risk";
  readonly item: string;
  readonly occurrences: number;
}
export interface FailureRow {
  readonly tenant: string;
  readonly day: string;
  readonly status: string;
  readonly error_code: string;
  readonly calls: number;
}
export interface TalkTimeRow {
  readonly tenant: string;
  readonly day: string;
  readonly role: string;
  readonly calls: number;
  readonly talk_time_seconds: number;
}

/** Groups with a key function and folds each group. */
function groupBy<T, K extends string, R>(items: readonly T[], key: (t: T) => K, fold: (group: T[]) => R): R[] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()].map(fold);
}

const LABELS: readonly SentimentLabel[] = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"];

function sentimentFold(tenant: string, day: string, sentiments: ReadonlyArray<CallResult["sentiment"]>): SentimentDailyRow {
  const scores = sentiments.map(sentimentScore).filter((s): s is number => s !== null);
  const count = (label: SentimentLabel) => sentiments.filter((s) => s?.Sentiment === label).length;
  const scoreSum = scores.reduce((a, b) => a + b, 0);
  const [positive, negative, neutral, mixed] = LABELS.map(count);
  return {
    tenant,
    day,
    calls: sentiments.length,
    scored_calls: scores.length,
    score_sum: scoreSum,
    mean_score: scores.length ? scoreSum / scores.length : null,
    positive,
    negative,
    neutral,
    mixed,
  };
}

/** `insights_calls_daily`: calls per tenant, day and status (file records are not calls). */
export function callsDaily(rows: readonly DatedResult[]): CallsDailyRow[] {
  return groupBy(
    rows.filter((r) => !isFileRecord(r.result)),
    (r) => `${r.tenant}|${r.day}|${r.result.status}`,
    (g) => ({
      tenant: g[0].tenant,
      day: g[0].day,
      status: g[0].result.status,
      calls: g.length,
      duration_seconds: g.reduce((a, r) => a + (r.result.duration_seconds ?? 0), 0),
    }),
  );
}

/** `insights_sentiment_daily`: whole-call sentiment of COMPLETED calls with a sentiment, per tenant and day. */
export function sentimentDaily(rows: readonly DatedResult[]): SentimentDailyRow[] {
  const withSentiment = rows.filter((r) => r.result.status === "COMPLETED" && r.result.sentiment);
  return groupBy(
    withSentiment,
    (r) => `${r.tenant}|${r.day}`,
    (g) =>
      sentimentFold(
        g[0].tenant,
        g[0].day,
        g.map((r) => r.result.sentiment),
      ),
  );
}

/** `insights_speaker_sentiment_daily`: sentiment per speaker (or channel) label and its role (speaker-roles.ts), per tenant and day. */
export function speakerSentimentDaily(rows: readonly DatedResult[]): SpeakerSentimentDailyRow[] {
  const speakers = rows
    .filter((r) => r.result.status === "COMPLETED")
    .flatMap((r) =>
      r.result.speakers
        .filter((s) => s.sentiment)
        .map((s) => ({ tenant: r.tenant, day: r.day, speaker: s.label, role: speakerRole(r.result.speaker_mode, s.label), sentiment: s.sentiment })),
    );
  return groupBy(
    speakers,
    (s) => `${s.tenant}|${s.day}|${s.speaker}|${s.role}`,
    (g) => ({
      ...sentimentFold(
        g[0].tenant,
        g[0].day,
        g.map((s) => s.sentiment),
      ),
      speaker: g[0].speaker,
      role: g[0].role,
    }),
  );
}

/** `insights_summary_terms`: term occurrences in COMPLETED calls' summaries, per tenant and day. */
export function summaryTermsDaily(rows: readonly DatedResult[], stopWords: Readonly<Record<string, readonly string[]>> = STOP_WORDS): TermRow[] {
  const terms = rows
    .filter((r) => r.result.status === "COMPLETED")
    .flatMap((r) => summaryTerms(r.result.summary, r.result.language_code, stopWords).map((term) => ({ tenant: r.tenant, day: r.day, term })));
  return groupBy(
    terms,
    (t) => `${t.tenant}|${t.day}|${t.term}`,
    (g) => ({ tenant: g[0].tenant, day: g[0].day, term: g[0].term, occurrences: g.length }),
  );
}

/** `insights_items`: normalized action items and risks of COMPLETED calls, per tenant and day. */
export function itemsDaily(rows: readonly DatedResult[]): ItemRow[] {
  const items = rows
    .filter((r) => r.result.status === "COMPLETED")
    .flatMap((r) => [
      ...r.result.action_items.map((i) => ({ tenant: r.tenant, day: r.day, kind: "action_item" as const, item: normalizeItem(i) })),
      ...r.result.risks.map((i) => ({ tenant: r.tenant, day: r.day, kind: "risk" as const, item: normalizeItem(i) })),
    ])
    .filter((i) => i.item !== "");
  return groupBy(
    items,
    (i) => `${i.tenant}|${i.day}|${i.kind}|${i.item}`,
    (g) => ({ tenant: g[0].tenant, day: g[0].day, kind: g[0].kind, item: g[0].item, occurrences: g.length }),
  );
}

/** `insights_failures`: failed, rejected and summary-less records by code, per tenant and day; rejected files as status FILE. */
export function failuresDaily(rows: readonly DatedResult[]): FailureRow[] {
  const failures = rows.flatMap((r) => {
    if (r.result.status !== "COMPLETED") {
      const status = isFileRecord(r.result) ? FILE_FAILURE_STATUS : r.result.status;
      return [{ tenant: r.tenant, day: r.day, status, code: r.result.error?.code ?? UNKNOWN_CODE }];
    }
    if (r.result.summary_error) return [{ tenant: r.tenant, day: r.day, status: SUMMARY_FAILURE_STATUS, code: r.result.summary_error.code }];
    return [];
  });
  return groupBy(
    failures,
    (f) => `${f.tenant}|${f.day}|${f.status}|${f.code}`,
    (g) => ({ tenant: g[0].tenant, day: g[0].day, status: g[0].status, error_code: g[0].code, calls: g.length }),
  );
}

/** `insights_talk_time`: talk time by role of channel-identified COMPLETED calls, per tenant and day. */
export function talkTimeDaily(rows: readonly DatedResult[]): TalkTimeRow[] {
  const parts = rows
    .filter((r) => r.result.status === "COMPLETED" && r.result.speaker_mode === "channel_identification")
    .flatMap((r) =>
      r.result.speakers.map((s) => ({
        tenant: r.tenant,
        day: r.day,
        role: speakerRole(r.result.speaker_mode, s.label),
        call: r.result.call_id,
        seconds: s.talk_time_seconds,
      })),
    );
  return groupBy(
    parts,
    (p) => `${p.tenant}|${p.day}|${p.role}`,
    (g) => ({
      tenant: g[0].tenant,
      day: g[0].day,
      role: g[0].role,
      calls: new Set(g.map((p) => p.call)).size,
      talk_time_seconds: g.reduce((a, p) => a + p.seconds, 0),
    }),
  );
}
