/**
 * The insight views' SQL, in one typed module so a pull request shows every change to what the dashboard reads.
 * Each view is an Athena (Trino) view over the shared results table, stored in the Glue database as a
 * `VIRTUAL_VIEW` (modules/insights/index.ts) and usable from Athena directly:
 *
 *   SELECT * FROM "cci_lite_prod"."insights_calls_daily" WHERE tenant = 'demo-tenant' ORDER BY day DESC
 *
 * Every output column is CAST to its declared type: Athena marks a view stale when the stored column types differ
 * from what the SQL returns. The rules (terms, stop words, item normalization, roles) come from semantics.ts, which
 * `npm run report` uses too.
 */
import { CHANNEL_ROLES, OTHER_ROLE } from "../../lambda-src/contracts/speaker-roles";
import { FILE_FAILURE_STATUS, SUMMARY_FAILURE_STATUS, UNKNOWN_CODE } from "./semantics";
import { MIN_TERM_LENGTH, TERM_SEPARATOR } from "./terms";

/** Trino type of a view column (the Presto view's JSON) and its Hive type (the Glue column). */
export type ViewColumnType = "varchar" | "bigint" | "double" | "date";
export const HIVE_TYPES: Readonly<Record<ViewColumnType, string>> = { varchar: "string", bigint: "bigint", double: "double", date: "date" };
/** QuickSight type of each view column type (the data sets' input columns). */
export const QUICKSIGHT_TYPES: Readonly<Record<ViewColumnType, "STRING" | "INTEGER" | "DECIMAL" | "DATETIME">> = {
  varchar: "STRING",
  bigint: "INTEGER",
  double: "DECIMAL",
  date: "DATETIME",
};

export interface ViewColumn {
  readonly name: string;
  readonly type: ViewColumnType;
  readonly expression: string;
}

/** Where the views read from, and the stop words they remove. */
export interface ViewContext {
  readonly database: string;
  readonly table: string;
  /** Days back from today a view reads: its `call_date` bound, so a refresh reads only days that can hold a record. */
  readonly windowDays: number;
  /** Stop words by language key (semantics.stopWordsFor over the configured tenants' languages). */
  readonly stopWords: Readonly<Record<string, readonly string[]>>;
}

export interface InsightView {
  /** Short id (also the QuickSight data set identifier in the dashboard definition). */
  readonly id: string;
  /** Glue/Athena view name. */
  readonly name: string;
  readonly description: string;
  /** Output columns in order; `expression` is over the view's inner query `q`. */
  readonly columns: readonly ViewColumn[];
  /** The inner query `q` (FROM, filters); the outer SELECT casts and groups. */
  readonly inner: (ctx: ViewContext) => string;
  /** Group by the first n output columns. */
  readonly groupBy: number;
}

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
/**
 * The results table's rows of the last `windowDays` days as `r`: a `call_date` bound Athena prunes the date projection
 * by (yyyy/MM/dd strings compare in date order), so a view never lists the prefixes of days outside it.
 */
const from = (ctx: ViewContext) =>
  `(SELECT * FROM ${quoted(ctx.database)}.${quoted(ctx.table)} WHERE call_date >= date_format(current_date - INTERVAL '${ctx.windowDays}' DAY, '%Y/%m/%d')) r`;
/** The `day` of a result: its partition, as a date. */
const DAY = "CAST(date_parse(r.call_date, '%Y/%m/%d') AS date)";
/** Role of a speaker label `label` of a result `r` (lambda-src/contracts/speaker-roles.ts speakerRole). */
const ROLE = `CASE WHEN r.speaker_mode = 'channel_identification' THEN CASE sp.label ${Object.entries(CHANNEL_ROLES)
  .map(([label, role]) => `WHEN ${str(label)} THEN ${str(role)}`)
  .join(" ")} ELSE ${str(OTHER_ROLE)} END ELSE ${str(OTHER_ROLE)} END`;
/** A record of a call, not of a rejected file (semantics.isFileRecord). */
const IS_CALL = "r.rejected_file IS NULL";
/** Unnests `speakers` (its struct fields as columns, in the result schema's order). */
const SPEAKERS = "CROSS JOIN UNNEST(r.speakers) AS sp(label, talk_time_seconds, word_count, sentiment)";

const col = (name: string, type: ViewColumnType, expression = `q.${name}`): ViewColumn => ({ name, type, expression });
const KEYS = [col("tenant", "varchar"), col("day", "date")];
const SENTIMENT_COLUMNS = [
  col("calls", "bigint", "count(*)"),
  col("scored_calls", "bigint", "count(q.score)"),
  col("score_sum", "double", "coalesce(sum(q.score), 0)"),
  col("mean_score", "double", "avg(q.score)"),
  col("positive", "bigint", "count_if(q.label = 'POSITIVE')"),
  col("negative", "bigint", "count_if(q.label = 'NEGATIVE')"),
  col("neutral", "bigint", "count_if(q.label = 'NEUTRAL')"),
  col("mixed", "bigint", "count_if(q.label = 'MIXED')"),
];

/** The views, in the order the docs list them. */
export const INSIGHT_VIEWS: readonly InsightView[] = [
  {
    id: "calls",
    name: "insights_calls_daily",
    description: "Calls per tenant, day and status, with their audio minutes (rejected non-audio or oversize files are not calls)",
    columns: [...KEYS, col("status", "varchar"), col("calls", "bigint", "count(*)"), col("duration_seconds", "double", "coalesce(sum(q.duration_seconds), 0)")],
    groupBy: 3,
    inner: (ctx) => `SELECT r.tenant, ${DAY} AS day, r.status, r.duration_seconds FROM ${from(ctx)} WHERE ${IS_CALL}`,
  },
  {
    id: "sentiment",
    name: "insights_sentiment_daily",
    description: "Whole-call sentiment per tenant and day (COMPLETED calls): label counts, mean Positive - Negative score",
    columns: [...KEYS, ...SENTIMENT_COLUMNS],
    groupBy: 2,
    inner: (ctx) =>
      `SELECT r.tenant, ${DAY} AS day, r.sentiment.sentiment AS label, r.sentiment.sentimentscore.positive - r.sentiment.sentimentscore.negative AS score FROM ${from(ctx)} WHERE r.status = 'COMPLETED' AND r.sentiment IS NOT NULL`,
  },
  {
    id: "speakers",
    name: "insights_speaker_sentiment_daily",
    description: "Sentiment per speaker or channel label (and its role where channels are known) per tenant and day",
    columns: [...KEYS, col("speaker", "varchar"), col("role", "varchar"), ...SENTIMENT_COLUMNS],
    groupBy: 4,
    inner: (ctx) =>
      `SELECT r.tenant, ${DAY} AS day, sp.label AS speaker, ${ROLE} AS role, sp.sentiment.sentiment AS label, sp.sentiment.sentimentscore.positive - sp.sentiment.sentimentscore.negative AS score FROM ${from(ctx)} ${SPEAKERS} WHERE r.status = 'COMPLETED' AND sp.sentiment IS NOT NULL`,
  },
  {
    id: "terms",
    name: "insights_summary_terms",
    description: `Terms of COMPLETED calls' summaries per tenant and day: lower-cased runs of letters, at least ${MIN_TERM_LENGTH} long, stop words of the call's language removed`,
    columns: [...KEYS, col("term", "varchar"), col("occurrences", "bigint", "count(*)")],
    groupBy: 3,
    inner: (ctx) => {
      const words = `SELECT r.tenant, ${DAY} AS day, w.term, lower(split_part(r.language_code, '-', 1)) AS lang FROM ${from(ctx)} CROSS JOIN UNNEST(regexp_split(lower(r.summary), ${str(TERM_SEPARATOR)})) AS w(term) WHERE r.status = 'COMPLETED' AND r.summary IS NOT NULL`;
      const stop = Object.entries(ctx.stopWords).flatMap(([lang, list]) => list.map((w) => `(${str(lang)}, ${str(w)})`));
      if (stop.length === 0) return `SELECT t.tenant, t.day, t.term FROM (${words}) t WHERE length(t.term) >= ${MIN_TERM_LENGTH}`;
      return `SELECT t.tenant, t.day, t.term FROM (${words}) t LEFT JOIN (VALUES ${stop.join(", ")}) AS s(lang, word) ON s.lang = t.lang AND s.word = t.term WHERE length(t.term) >= ${MIN_TERM_LENGTH} AND s.word IS NULL`;
    },
  },
  {
    id: "items",
    name: "insights_items",
    description: "Action items and risks of COMPLETED calls per tenant and day, by their normalized text (trimmed, whitespace collapsed, lower-cased)",
    columns: [...KEYS, col("kind", "varchar"), col("item", "varchar"), col("occurrences", "bigint", "count(*)")],
    groupBy: 4,
    inner: (ctx) => {
      const norm = "lower(trim(regexp_replace(i.item, '\\s+', ' ')))";
      const part = (kind: string, column: string) =>
        `SELECT r.tenant, ${DAY} AS day, ${str(kind)} AS kind, ${norm} AS item FROM ${from(ctx)} CROSS JOIN UNNEST(r.${column}) AS i(item) WHERE r.status = 'COMPLETED'`;
      return `SELECT u.tenant, u.day, u.kind, u.item FROM (${part("action_item", "action_items")} UNION ALL ${part("risk", "risks")}) u WHERE u.item <> ''`;
    },
  },
  {
    id: "categories",
    name: "insights_categories_daily",
    description:
      "Calls by call category (the tenant's rules, docs/configuration.md) per tenant and day, COMPLETED calls; a call counts once per category it matched",
    columns: [...KEYS, col("category", "varchar"), col("calls", "bigint", "count(*)")],
    groupBy: 3,
    inner: (ctx) =>
      `SELECT r.tenant, ${DAY} AS day, c.name AS category FROM ${from(ctx)} CROSS JOIN UNNEST(r.categories) AS c(name, matched_by) WHERE r.status = 'COMPLETED'`,
  },
  {
    id: "failures",
    name: "insights_failures",
    description: `Failed and rejected calls by error code, COMPLETED calls whose summary fell short (status ${SUMMARY_FAILURE_STATUS}) and rejected non-audio or oversize files (status ${FILE_FAILURE_STATUS}), per tenant and day`,
    columns: [...KEYS, col("status", "varchar"), col("error_code", "varchar"), col("calls", "bigint", "count(*)")],
    groupBy: 4,
    inner: (ctx) =>
      `SELECT r.tenant, ${DAY} AS day, CASE WHEN ${IS_CALL} THEN r.status ELSE ${str(FILE_FAILURE_STATUS)} END AS status, coalesce(r.error.code, ${str(UNKNOWN_CODE)}) AS error_code FROM ${from(ctx)} WHERE r.status <> 'COMPLETED' UNION ALL SELECT r.tenant, ${DAY} AS day, ${str(SUMMARY_FAILURE_STATUS)} AS status, r.summary_error.code AS error_code FROM ${from(ctx)} WHERE r.status = 'COMPLETED' AND r.summary_error IS NOT NULL`,
  },
  {
    id: "talktime",
    name: "insights_talk_time",
    description: "Talk time by role (agent, customer) of channel-identified COMPLETED calls per tenant and day",
    columns: [
      ...KEYS,
      col("role", "varchar"),
      col("calls", "bigint", "count(DISTINCT q.call_id)"),
      col("talk_time_seconds", "double", "coalesce(sum(q.talk_time_seconds), 0)"),
    ],
    groupBy: 3,
    inner: (ctx) =>
      `SELECT r.tenant, ${DAY} AS day, r.call_id, ${ROLE} AS role, sp.talk_time_seconds FROM ${from(ctx)} ${SPEAKERS} WHERE r.status = 'COMPLETED' AND r.speaker_mode = 'channel_identification'`,
  },
];

/** The complete SELECT of a view: every column cast to its type, grouped by its key columns. */
export function viewSql(view: InsightView, ctx: ViewContext): string {
  const select = view.columns.map((c) => `CAST(${c.expression} AS ${c.type}) AS ${quoted(c.name)}`).join(", ");
  const group = view.columns.slice(0, view.groupBy).map((_, i) => i + 1);
  return `SELECT ${select} FROM (${view.inner(ctx)}) q GROUP BY ${group.join(", ")}`;
}

/** Glue's encoding of an Athena view: `/* Presto View: <base64 of the view's JSON> *\/` (what `CREATE VIEW` stores). */
export function prestoViewText(view: InsightView, ctx: ViewContext): string {
  const json = JSON.stringify({
    originalSql: viewSql(view, ctx),
    catalog: "awsdatacatalog",
    schema: ctx.database,
    columns: view.columns.map((c) => ({ name: c.name, type: c.type })),
  });
  return `/* Presto View: ${Buffer.from(json, "utf8").toString("base64")} */`;
}

/** Decodes {@link prestoViewText} (tests, and anyone reviewing a plan). */
export function decodePrestoView(text: string): { originalSql: string; catalog: string; schema: string; columns: Array<{ name: string; type: string }> } {
  const m = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text);
  if (!m) throw new Error(`not a Presto view text: ${text.slice(0, 60)}`);
  return JSON.parse(Buffer.from(m[1], "base64").toString("utf8"));
}
