/** The insight views as Glue stores them, and the rules they share with the report (modules/insights/semantics.ts, terms.ts). */
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import {
  callsDaily,
  type DatedResult,
  failuresDaily,
  isFileRecord,
  itemsDaily,
  sentimentDaily,
  speakerSentimentDaily,
  summaryTermsDaily,
  talkTimeDaily,
} from "../../modules/insights/semantics";
import { normalizeItem, STOP_WORDS, stopWordsFor, summaryTerms } from "../../modules/insights/terms";
import { decodePrestoView, INSIGHT_VIEWS, viewSql } from "../../modules/insights/views";
import { resultsWindowDays } from "../../modules/config/naming";
import { config, synthApp } from "../helpers/synth";

const views = (s: ReturnType<typeof synthApp>) => Object.values(s.resources("aws_glue_catalog_table")).filter((t) => t.table_type === "VIRTUAL_VIEW");

describe("views in the Glue database", () => {
  const prod = synthApp();

  it("one VIRTUAL_VIEW per view, in Athena's Presto view encoding, columns typed alike in Glue and in the view", () => {
    const glue = views(prod);
    expect(glue.map((v) => v.name).sort()).toEqual(INSIGHT_VIEWS.map((v) => v.name).sort());
    for (const v of glue) {
      const def = INSIGHT_VIEWS.find((x) => x.name === v.name)!;
      expect(v).toMatchObject({
        database_name: "cci_lite_prod",
        parameters: { presto_view: "true", comment: "Presto View" },
        view_expanded_text: "/* Presto View */",
      });
      const decoded = decodePrestoView(v.view_original_text);
      expect(decoded).toMatchObject({ catalog: "awsdatacatalog", schema: "cci_lite_prod" });
      expect(decoded.columns).toEqual(def.columns.map((c) => ({ name: c.name, type: c.type })));
      expect(v.storage_descriptor.columns.map((c: any) => c.name)).toEqual(def.columns.map((c) => c.name));
      expect(decoded.originalSql).toContain('FROM "cci_lite_prod"."call_results" WHERE call_date >= ');
      // Every output column is cast to its declared type, so Athena never finds the view stale.
      for (const c of def.columns) expect(decoded.originalSql).toContain(` AS ${c.type}) AS "${c.name}"`);
      expect(v.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^aws_glue_catalog_database\./),
          expect.stringMatching(/^aws_glue_catalog_table\.analytics_results-table/),
        ]),
      );
    }
  });

  it("every view has the tenant column row-level security filters on, and a day", () => {
    for (const v of INSIGHT_VIEWS) expect(v.columns.slice(0, 2).map((c) => c.name)).toEqual(["tenant", "day"]);
  });

  it("the terms view removes the stop words of the configured tenants' languages only", () => {
    const sqlOf = (s: ReturnType<typeof synthApp>) =>
      decodePrestoView(views(s).find((v) => v.name === "insights_summary_terms").view_original_text).originalSql;
    const english = sqlOf(prod);
    expect(english).toContain("('en', 'the')");
    expect(english).not.toContain("('de', ");
    const both = sqlOf(
      synthApp({
        tenants: [
          { id: "a", languages: ["en-US"] },
          { id: "b", languages: ["de-DE"] },
        ],
      }),
    );
    expect(both).toContain("('de', 'der')");
    expect(both).toContain("('en', 'the')");
    expect(both).toContain("regexp_split(lower(r.summary), '[^\\p{L}]+')");
    expect(both).toContain("length(t.term) >= 3");
  });

  it("without stop words for a language, the terms view still filters by length (no empty VALUES list)", () => {
    const sql = viewSql(INSIGHT_VIEWS.find((v) => v.id === "terms")!, { database: "d", table: "t", windowDays: 45, stopWords: stopWordsFor(["ja-JP"]) });
    expect(sql).not.toContain("VALUES");
    expect(sql).toContain("length(t.term) >= 3");
  });

  it("roles in SQL come from CHANNEL_ROLES", () => {
    const sql = viewSql(INSIGHT_VIEWS.find((v) => v.id === "talktime")!, { database: "d", table: "t", windowDays: 45, stopWords: {} });
    expect(sql).toContain("CASE sp.label WHEN 'ch_0' THEN 'customer' WHEN 'ch_1' THEN 'agent' ELSE 'other' END");
  });
});

describe("semantics", () => {
  it("terms: lower-cased letter runs of 3+, stop words of the call's language removed", () => {
    expect(summaryTerms("The customer's Router, router: 5G! Über-Gebühr", "en-US")).toEqual(["router", "router", "über", "gebühr"]);
    expect(summaryTerms("Der Kunde will die Rechnung", "de-DE")).toEqual(["will", "rechnung"]);
    expect(summaryTerms("Der Kunde", "en-US")).toEqual(["der", "kunde"]);
    expect(summaryTerms(null, "en-US")).toEqual([]);
    expect(summaryTerms("ab cd efg", null)).toEqual(["efg"]);
  });

  it("stop word lists are small and lower-case", () => {
    for (const [lang, words] of Object.entries(STOP_WORDS)) {
      expect(words.length).toBeLessThanOrEqual(60);
      for (const w of words) expect(w).toBe(w.toLowerCase());
      expect(new Set(words).size).toBe(words.length);
      expect(lang).toMatch(/^[a-z]{2}$/);
    }
  });

  it("items: whitespace collapsed, trimmed, lower-cased", () => {
    expect(normalizeItem("  Issue   Refund\n")).toBe("issue refund");
  });

  const result = (over: Partial<CallResult>): CallResult =>
    ({
      status: "COMPLETED",
      call_id: "c",
      summary: null,
      action_items: [],
      risks: [],
      sentiment: null,
      language_code: "en-US",
      duration_seconds: 10,
      speaker_mode: null,
      speakers: [],
      error: null,
      summary_error: null,
      timestamp: "2026-11-01T00:00:00Z",
      ...over,
    }) as CallResult;
  const at = (over: Partial<CallResult>, tenant = "t", day = "2026-11-01"): DatedResult => ({ tenant, day, result: result(over) });
  const score = (p: number, n: number) => ({ Sentiment: "POSITIVE" as const, SentimentScore: { Positive: p, Negative: n, Neutral: 0, Mixed: 0 } });

  it("calls, sentiment (model sentiment counted, not scored), failures incl. summary errors", () => {
    const rows = [
      at({ sentiment: score(0.9, 0.1) }),
      at({ sentiment: { Sentiment: "NEGATIVE", SentimentScore: null } }),
      at({ status: "FAILED", error: { code: "X", message: "" } }),
      at({ status: "REJECTED", error: null }),
      at({ summary_error: { code: "SUMMARY_INVALID", message: "" } }),
    ];
    expect(callsDaily(rows).map((r) => [r.status, r.calls])).toEqual([
      ["COMPLETED", 3],
      ["FAILED", 1],
      ["REJECTED", 1],
    ]);
    const [s] = sentimentDaily(rows);
    expect(s).toMatchObject({ calls: 2, scored_calls: 1, positive: 1, negative: 1 });
    expect(s.mean_score).toBeCloseTo(0.8);
    expect(failuresDaily(rows).map((f) => [f.status, f.error_code, f.calls])).toEqual([
      ["FAILED", "X", 1],
      ["REJECTED", "UNKNOWN", 1],
      ["SUMMARY", "SUMMARY_INVALID", 1],
    ]);
  });

  it("a rejected non-audio or oversize file is not a call: left out of the call counts, a FILE failure; records before 1.2 are calls", () => {
    const file = (code: string) =>
      at({
        status: "REJECTED",
        call_id: "file!c.json",
        rejected_file: { name: "c.json", extension: "json" },
        error: { code, message: "" },
        duration_seconds: null,
      });
    const rows = [at({}), at({ status: "REJECTED", error: { code: "EMPTY_OBJECT", message: "" } }), file("UNSUPPORTED_FORMAT"), file("TOO_LARGE")];
    expect(isFileRecord(rows[2].result)).toBe(true);
    expect(isFileRecord(rows[1].result)).toBe(false);
    // Written before schema 1.2: no rejected_file key at all.
    expect(isFileRecord({} as CallResult)).toBe(false);
    expect(callsDaily(rows).map((r) => [r.status, r.calls])).toEqual([
      ["COMPLETED", 1],
      ["REJECTED", 1],
    ]);
    expect(failuresDaily(rows).map((f) => [f.status, f.error_code, f.calls])).toEqual([
      ["REJECTED", "EMPTY_OBJECT", 1],
      ["FILE", "UNSUPPORTED_FORMAT", 1],
      ["FILE", "TOO_LARGE", 1],
    ]);
    // The views say the same in SQL.
    const sql = (id: string) => viewSql(INSIGHT_VIEWS.find((v) => v.id === id)!, { database: "d", table: "t", windowDays: 45, stopWords: {} });
    expect(sql("calls")).toContain("WHERE r.rejected_file IS NULL");
    expect(sql("failures")).toContain("CASE WHEN r.rejected_file IS NULL THEN r.status ELSE 'FILE' END AS status");
  });

  it("talk time by role for channel-identified calls only; speaker sentiment per label", () => {
    const speakers = [
      { label: "ch_0", talk_time_seconds: 30, word_count: 1, sentiment: score(0.5, 0.5) },
      { label: "ch_1", talk_time_seconds: 20, word_count: 1, sentiment: null },
    ];
    const rows = [
      at({ speaker_mode: "channel_identification", speakers }),
      at({ speaker_mode: "speaker_labels", speakers: [{ ...speakers[0], label: "spk_0" }] }),
    ];
    expect(talkTimeDaily(rows).map((t) => [t.role, t.talk_time_seconds, t.calls])).toEqual([
      ["customer", 30, 1],
      ["agent", 20, 1],
    ]);
    expect(speakerSentimentDaily(rows).map((s) => [s.speaker, s.role, s.calls])).toEqual([
      ["ch_0", "customer", 1],
      ["spk_0", "other", 1],
    ]);
  });

  it("terms and items only of COMPLETED calls, per day", () => {
    const rows = [
      at({ summary: "Refund refund", action_items: ["Issue refund", "issue  refund"], risks: ["churn"] }),
      at({ status: "FAILED", summary: "refund" }),
      at({ summary: "refund" }, "t", "2026-11-02"),
    ];
    expect(summaryTermsDaily(rows).map((t) => [t.day, t.term, t.occurrences])).toEqual([
      ["2026-11-01", "refund", 2],
      ["2026-11-02", "refund", 1],
    ]);
    expect(itemsDaily(rows).map((i) => [i.kind, i.item, i.occurrences])).toEqual([
      ["action_item", "issue refund", 2],
      ["risk", "churn", 1],
    ]);
  });
});

describe("the views and the projection read only days that can hold a record (issue 20)", () => {
  const ctx = { database: "d", table: "t", windowDays: 45, stopWords: {} };
  it.each(INSIGHT_VIEWS.map((v) => [v.id, v] as const))("%s: every read of the results table is bounded by call_date", (_id, view) => {
    const sql = viewSql(view, ctx);
    const reads = sql.split('"d"."t"').length - 1;
    expect(reads).toBeGreaterThan(0);
    const bounded = `(SELECT * FROM "d"."t" WHERE call_date >= date_format(current_date - INTERVAL '45' DAY, '%Y/%m/%d')) r`;
    expect(sql.split(bounded).length - 1).toBe(reads);
  });
  it("the window is the longest results retention (a tenant's own included), plus the intake queue's 14 days, plus one", () => {
    expect(resultsWindowDays(config())).toBe(30 + 14 + 1);
    expect(resultsWindowDays(config({ tenants: [{ id: "a" }, { id: "b", resultsRetentionDays: 400 }] }))).toBe(400 + 14 + 1);
    const s = synthApp({ retention: { inputDays: 1, resultsDays: 90, transcriptsDays: 7, logsDays: 30 } });
    for (const t of Object.values<any>(s.resources("aws_glue_catalog_table")).filter((x) => x.table_type !== "VIRTUAL_VIEW"))
      expect([t.name, t.parameters["projection.call_date.range"]]).toEqual([t.name, "NOW-105DAYS,NOW"]);
    for (const v of views(s)) expect(decodePrestoView(v.view_original_text).originalSql).toContain("INTERVAL '105' DAY");
  });
});
