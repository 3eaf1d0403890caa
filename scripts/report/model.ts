/**
 * The report's figures, computed from result records with the views' own rules (modules/insights/semantics.ts):
 * each section names the Athena view that holds the same rows.
 */
import {
  callsDaily,
  type DatedResult,
  failuresDaily,
  isFileRecord,
  itemsDaily,
  sentimentDaily,
  summaryTermsDaily,
  talkTimeDaily,
} from "../../modules/insights/semantics";

export const STATUSES = ["COMPLETED", "FAILED", "REJECTED"] as const;

export interface ReportModel {
  readonly generatedAt: string;
  readonly source: string;
  readonly tenants: readonly string[];
  readonly days: readonly string[];
  /** Calls are the records of audio uploads; rejected non-audio or oversize files (semantics.isFileRecord) are counted apart, in `files`. */
  readonly totals: {
    readonly calls: number;
    readonly completed: number;
    readonly failed: number;
    readonly rejected: number;
    /** Rejected files that are not calls (a recorder's sidecar, an oversize file). */
    readonly files: number;
    readonly meanScore: number | null;
  };
  /** insights_calls_daily: calls per day by status (all tenants). */
  readonly callsByDay: Readonly<Record<(typeof STATUSES)[number], readonly number[]>>;
  /** insights_sentiment_daily: mean score per tenant and day (null: no scored call that day). */
  readonly sentimentByTenant: Readonly<Record<string, ReadonlyArray<number | null>>>;
  /** insights_summary_terms: the most frequent terms. */
  readonly topTerms: ReadonlyArray<{ readonly term: string; readonly occurrences: number }>;
  /** insights_items. */
  readonly topActionItems: ReadonlyArray<{ readonly item: string; readonly occurrences: number }>;
  readonly topRisks: ReadonlyArray<{ readonly item: string; readonly occurrences: number }>;
  /** insights_failures: calls per error code (status/code); rejected files with status FILE. */
  readonly failures: ReadonlyArray<{ readonly status: string; readonly code: string; readonly calls: number }>;
  /** insights_talk_time: seconds per role. */
  readonly talkTime: Readonly<Record<string, number>>;
  readonly latestCalls: ReadonlyArray<{
    readonly tenant: string;
    readonly callId: string;
    readonly timestamp: string;
    readonly status: string;
    readonly sentiment: string | null;
    readonly summary: string | null;
  }>;
}

export interface ModelOptions {
  readonly source: string;
  /** When the report was made (ISO time, from the caller's clock). */
  readonly generatedAt: string;
  /** @default 20 */
  readonly topTerms?: number;
  /** @default 10 */
  readonly topItems?: number;
  /** @default 20 */
  readonly latest?: number;
}

function top<T extends { occurrences: number }>(rows: readonly T[], key: (r: T) => string, n: number): Array<{ key: string; occurrences: number }> {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(key(r), (sums.get(key(r)) ?? 0) + r.occurrences);
  return [...sums]
    .map(([k, occurrences]) => ({ key: k, occurrences }))
    .sort((a, b) => b.occurrences - a.occurrences || a.key.localeCompare(b.key))
    .slice(0, n);
}

export function buildModel(all: readonly DatedResult[], options: ModelOptions): ReportModel {
  const rows = all.filter((r) => !isFileRecord(r.result));
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const tenants = [...new Set(rows.map((r) => r.tenant))].sort();
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const dayAt = (day: string): number => {
    const i = dayIndex.get(day);
    if (i === undefined) throw new Error(`day ${day} is not one of the report's days`);
    return i;
  };

  const callsByDay = Object.fromEntries(STATUSES.map((s) => [s, days.map(() => 0)])) as Record<(typeof STATUSES)[number], number[]>;
  for (const r of callsDaily(rows)) callsByDay[r.status][dayAt(r.day)] += r.calls;

  const sentiment = sentimentDaily(rows);
  const sentimentByTenant: Record<string, Array<number | null>> = Object.fromEntries(tenants.map((t) => [t, days.map(() => null)]));
  for (const r of sentiment) sentimentByTenant[r.tenant][dayAt(r.day)] = r.mean_score;
  const scored = sentiment.reduce((a, r) => a + r.scored_calls, 0);
  const scoreSum = sentiment.reduce((a, r) => a + r.score_sum, 0);

  const items = itemsDaily(rows);
  const failures = new Map<string, { status: string; code: string; calls: number }>();
  for (const f of failuresDaily(all)) {
    const k = `${f.status}|${f.error_code}`;
    const prev = failures.get(k);
    failures.set(k, { status: f.status, code: f.error_code, calls: (prev?.calls ?? 0) + f.calls });
  }
  const talkTime: Record<string, number> = {};
  for (const t of talkTimeDaily(rows)) talkTime[t.role] = (talkTime[t.role] ?? 0) + t.talk_time_seconds;

  const count = (s: string) => rows.filter((r) => r.result.status === s).length;
  return {
    generatedAt: options.generatedAt,
    source: options.source,
    tenants,
    days,
    totals: {
      calls: rows.length,
      completed: count("COMPLETED"),
      failed: count("FAILED"),
      rejected: count("REJECTED"),
      files: all.length - rows.length,
      meanScore: scored ? scoreSum / scored : null,
    },
    callsByDay,
    sentimentByTenant,
    topTerms: top(summaryTermsDaily(rows), (r) => r.term, options.topTerms ?? 20).map((t) => ({ term: t.key, occurrences: t.occurrences })),
    topActionItems: top(
      items.filter((i) => i.kind === "action_item"),
      (r) => r.item,
      options.topItems ?? 10,
    ).map((t) => ({ item: t.key, occurrences: t.occurrences })),
    topRisks: top(
      items.filter((i) => i.kind === "risk"),
      (r) => r.item,
      options.topItems ?? 10,
    ).map((t) => ({ item: t.key, occurrences: t.occurrences })),
    failures: [...failures.values()].sort((a, b) => b.calls - a.calls || a.code.localeCompare(b.code)),
    talkTime,
    latestCalls: [...rows]
      .sort((a, b) => b.result.timestamp.localeCompare(a.result.timestamp) || a.result.call_id.localeCompare(b.result.call_id))
      .slice(0, options.latest ?? 20)
      .map((r) => ({
        tenant: r.tenant,
        callId: r.result.call_id,
        timestamp: r.result.timestamp,
        status: r.result.status,
        sentiment: r.result.sentiment?.Sentiment ?? null,
        summary: r.result.summary,
      })),
  };
}
