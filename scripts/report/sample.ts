/**
 * A deterministic sample of result records (the result schema of lambda-src/contracts/result-schema.ts): three
 * tenants in three languages, stereo (channel-identified) and mono calls, model-sourced sentiment, failed and
 * rejected calls and summary errors. The same seed gives the same records, byte for byte.
 *
 *   npm run report -- --sample-out <dir>    writes them as <dir>/<tenant>/YYYY/MM/DD/<call_id>.json
 */
import { type CallResult, RESULT_SCHEMA_VERSION, type Sentiment, type SentimentLabel, type SpeakerStats } from "../../lambda-src/contracts/result-schema";
import { resultKey } from "../../lambda-src/contracts/storage-layout";
import { categorize } from "../../lambda-src/core/categories";
import type { CategoryRule } from "../../lambda-src/core/category-rules";
import { fileRecordId } from "../../lambda-src/core/s3-key";
import { ERROR_CODES, REJECT_CODES } from "../../lambda-src/core/errors";
import type { CallCategory, ReportedResult } from "./calls-model";

export interface SampleOptions {
  /** @default 7 */
  readonly seed?: number;
  /** First day (UTC, yyyy-mm-dd). @default "2026-11-01" */
  readonly start?: string;
  /** Number of days. @default 14 */
  readonly days?: number;
  /** Calls per tenant and day, at most. @default 6 */
  readonly maxCallsPerDay?: number;
}

export interface SampleRecord {
  /** Key in the results bucket. */
  readonly key: string;
  readonly result: ReportedResult;
}

/** mulberry32: a small, well-known seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TenantSample {
  readonly id: string;
  readonly language: string;
  readonly mode: "channel_identification" | "speaker_labels";
  readonly summaries: readonly string[];
  readonly actions: readonly string[];
  readonly risks: readonly string[];
  /** Sentiment from the model (no scores), as for a language Comprehend lacks. */
  readonly modelSentiment?: boolean;
  /** The tenant's category rules (the shape of `tenants[].categories`), matched by the pipeline's own `categorize`. */
  readonly categories: readonly CategoryRule[];
}

/** Rules every sample tenant has besides its own: a risk in the summary, a clearly negative call (Comprehend's score). */
const COMMON_RULES: readonly CategoryRule[] = [
  { name: "at risk", conditions: [{ present: "risks" }] },
  { name: "unhappy", conditions: [{ sentiment: "negative", atLeast: 0.4 }] },
];

export const SAMPLE_TENANTS: readonly TenantSample[] = [
  {
    id: "acme",
    language: "en-US",
    mode: "channel_identification",
    summaries: [
      "The customer reported a billing error on the last invoice and asked for a refund.",
      "The caller wanted to upgrade the broadband plan and asked about the router delivery.",
      "Customer complained about repeated outages and threatened to cancel the contract.",
      "The agent explained the new invoice layout and confirmed the refund for the billing error.",
      "Router delivery was delayed; the customer asked for tracking details and a refund of shipping.",
    ],
    actions: ["Issue refund", "Send tracking details", "Escalate outage ticket", "issue  refund"],
    risks: ["Customer may cancel contract", "Repeated outages"],
    categories: [
      { name: "billing", conditions: [{ summary: ["invoice*", "billing*", "refund*"] }] },
      { name: "cancellation", conditions: [{ summary: ["cancel*"] }] },
      { name: "delivery", conditions: [{ summary: ["delivery*", "tracking*"] }] },
      ...COMMON_RULES,
    ],
  },
  {
    id: "globex",
    language: "de-DE",
    mode: "speaker_labels",
    summaries: [
      "Der Kunde meldet eine falsche Rechnung und bittet um Gutschrift.",
      "Die Kundin fragt nach dem Liefertermin für den neuen Vertrag.",
      "Der Anruf betrifft eine Störung der Leitung; ein Techniker wird geschickt.",
      "Rechnung und Gutschrift wurden erklärt; der Kunde ist zufrieden.",
    ],
    actions: ["Gutschrift erstellen", "Techniker beauftragen"],
    risks: ["Kündigung droht"],
    categories: [
      { name: "rechnung", conditions: [{ summary: ["rechnung*", "gutschrift*"] }] },
      { name: "technik", conditions: [{ summary: ["störung*", "techniker*"] }] },
      ...COMMON_RULES,
    ],
  },
  {
    id: "initech",
    language: "es-ES",
    mode: "channel_identification",
    modelSentiment: true,
    summaries: [
      "El cliente solicita la cancelación del contrato por el precio de la factura.",
      "La llamada trata de una avería del servicio y la visita del técnico.",
      "El cliente pregunta por la factura duplicada y pide un reembolso.",
    ],
    actions: ["Tramitar reembolso", "Programar visita del técnico"],
    risks: ["Cancelación del contrato"],
    categories: [
      { name: "facturación", conditions: [{ summary: ["factura*", "reembolso*"] }] },
      { name: "cancelación", conditions: [{ summary: ["cancelación*"] }] },
      ...COMMON_RULES,
    ],
  },
];

/** Failures and summary errors the pipeline writes (core/errors.ts): the sample shows only real codes. */
const FAILURE_CODES = [ERROR_CODES.TRANSCRIBE_FAILED, ERROR_CODES.TRANSCRIPT_NOT_FOUND, ERROR_CODES.JOB_STUCK] as const;
/** Rejections of audio uploads (a non-audio file's rejection is a file record, below). */
const SAMPLE_REJECTIONS = [REJECT_CODES.EMPTY_OBJECT, REJECT_CODES.OBJECT_NOT_FOUND] as const;
const SUMMARY_CODES = [ERROR_CODES.SUMMARY_INVALID, ERROR_CODES.MODEL_UNAVAILABLE] as const;
const LABELS: readonly SentimentLabel[] = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"];

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

function sentiment(rand: () => number, withScores: boolean): Sentiment {
  const raw = [rand(), rand(), rand(), rand() * 0.3];
  const total = raw.reduce((a, b) => a + b, 0);
  const [p, n, u, m] = raw.map((x) => round(x / total));
  const label = LABELS[[p, n, u, m].indexOf(Math.max(p, n, u, m))];
  return { Sentiment: label, SentimentScore: withScores ? { Positive: p, Negative: n, Neutral: u, Mixed: m } : null };
}

/**
 * The categories of a completed sample call: the tenant's rules matched by the pipeline's own `categorize`
 * (lambda-src/core/categories.ts) on the record's summary, risks, action items and sentiment, so `matched_by` reads
 * as analyze writes it. The sample has no transcript words here: transcript conditions are not used.
 */
export function sampleCategories(
  t: TenantSample,
  r: Pick<CallResult, "summary" | "risks" | "action_items" | "sentiment" | "speakers" | "speaker_mode" | "language_code">,
): CallCategory[] {
  return categorize(t.categories, {
    languageCode: r.language_code,
    speakerMode: r.speaker_mode,
    text: "",
    turns: [],
    summary: r.summary,
    sentiment: r.sentiment,
    speakers: r.speakers,
    risks: r.risks,
    actionItems: r.action_items,
  });
}

/** The sample's records, in key order. */
export function generateSample(options: SampleOptions = {}): SampleRecord[] {
  const rand = random(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const start = Date.parse(`${options.start ?? "2026-11-01"}T00:00:00Z`);
  const days = options.days ?? 14;
  const max = options.maxCallsPerDay ?? 6;
  const out: SampleRecord[] = [];
  for (let d = 0; d < days; d++) {
    for (const t of SAMPLE_TENANTS) {
      const calls = 1 + Math.floor(rand() * max);
      for (let c = 0; c < calls; c++) {
        const at = new Date(start + d * 86_400_000 + Math.floor(rand() * 86_000) * 1000);
        const callId = `${t.id}-${String(d).padStart(2, "0")}-${String(c).padStart(2, "0")}`;
        const roll = rand();
        const status = roll < 0.08 ? "FAILED" : roll < 0.12 ? "REJECTED" : "COMPLETED";
        const duration = round(60 + rand() * 600, 1);
        const base = {
          schema_version: RESULT_SCHEMA_VERSION,
          tenant: t.id,
          call_id: callId,
          source_bucket: "cci-lite-sample-input",
          source_key: `${t.id}/calls/${callId}.wav`,
          source_version_id: null,
          source_etag: null,
          source_size_bytes: Math.floor(duration * 16_000),
          rejected_file: null,
          model_id: null,
          uploaded_at: at.toISOString(),
          job_started_at: null,
          job_completed_at: null,
          timestamp: new Date(at.getTime() + 120_000).toISOString(),
        };
        let result: ReportedResult;
        if (status !== "COMPLETED") {
          const code = status === "FAILED" ? pick(FAILURE_CODES) : pick(SAMPLE_REJECTIONS);
          result = {
            ...base,
            status,
            summary: null,
            action_items: [],
            risks: [],
            categories: [],
            sentiment: null,
            sentiment_source: null,
            language_code: status === "FAILED" ? t.language : null,
            duration_seconds: status === "FAILED" ? duration : null,
            speaker_mode: null,
            speakers: [],
            error: { code, message: `sample ${code.toLowerCase().replace(/_/g, " ")}` },
            summary_error: null,
            transcription_job_name: status === "FAILED" ? `cci-lite-sample-${callId}` : null,
          };
        } else {
          const summaryFails = rand() < 0.08;
          const scores = !t.modelSentiment;
          const labels = t.mode === "channel_identification" ? ["ch_0", "ch_1"] : ["spk_0", "spk_1"];
          const share = 0.3 + rand() * 0.4;
          // About 2.5 words a second of talk (a speaker's words follow their talk time).
          const speakers: SpeakerStats[] = labels.map((label, i) => ({
            label,
            talk_time_seconds: round(duration * (i === 0 ? share : 1 - share) * 0.9, 1),
            word_count: Math.floor(duration * (i === 0 ? share : 1 - share) * 0.9 * 2.5),
            sentiment: scores ? sentiment(rand, true) : null,
          }));
          result = {
            ...base,
            status,
            summary: summaryFails ? null : pick(t.summaries),
            action_items: summaryFails ? [] : [pick(t.actions), ...(rand() < 0.4 ? [pick(t.actions)] : [])],
            risks: summaryFails || rand() < 0.5 ? [] : [pick(t.risks)],
            categories: [],
            sentiment: sentiment(rand, scores),
            sentiment_source: scores ? "comprehend" : "model",
            language_code: t.language,
            duration_seconds: duration,
            speaker_mode: t.mode,
            speakers,
            error: null,
            summary_error: summaryFails ? { code: pick(SUMMARY_CODES), message: "sample summary error" } : null,
            transcription_job_name: `cci-lite-sample-${callId}`,
            model_id: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
          };
          // Matched on the finished record (summary, risks, sentiment), as the pipeline matches its rules.
          result = { ...result, categories: sampleCategories(t, result) };
        }
        out.push({ key: resultKey(t.id, at, callId), result });
        // Every seventh day the first call's recorder also uploads a sidecar `<call>.json`: a file record, not a call.
        if (d % 7 === 1 && c === 0) {
          const name = `${callId}.json`;
          const fileId = fileRecordId(name);
          out.push({
            key: resultKey(t.id, at, fileId),
            result: {
              ...base,
              call_id: fileId,
              source_key: `${t.id}/calls/${name}`,
              source_size_bytes: 512,
              rejected_file: { name, extension: "json" },
              status: "REJECTED",
              summary: null,
              action_items: [],
              risks: [],
              categories: [],
              sentiment: null,
              sentiment_source: null,
              language_code: null,
              duration_seconds: null,
              speaker_mode: null,
              speakers: [],
              error: { code: "UNSUPPORTED_FORMAT", message: 'Unsupported file extension "json"' },
              summary_error: null,
              transcription_job_name: null,
            },
          });
        }
      }
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
