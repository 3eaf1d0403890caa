/**
 * Comprehend sentiment limits and helpers: UTF-8 byte chunking (DetectSentiment takes at most 5,000 bytes,
 * BatchDetectSentiment at most 25 such documents) and byte-weighted aggregation of chunk results.
 */
import type { Sentiment, SentimentLabel } from "../contracts/result-schema";
import { segmenter } from "./segmenter";

export const COMPREHEND_MAX_BYTES = 5000;
export const COMPREHEND_BATCH_SIZE = 25;

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Sentences (Intl.Segmenter: the runtime, Node 22, always has it). */
function sentences(text: string): string[] {
  return Array.from(segmenter(undefined, "sentence").segment(text), (s) => s.segment);
}

/**
 * Greedily packs pieces (each <= maxBytes) into chunks of at most maxBytes. Packing the code points of a string
 * (`[...s]`) splits it at character boundaries, never inside a multi-byte character.
 */
function pack(pieces: readonly string[], maxBytes: number): string[] {
  const out: string[] = [];
  let cur = "";
  let curBytes = 0;
  for (const p of pieces) {
    const b = utf8Bytes(p);
    if (curBytes + b > maxBytes && cur) {
      out.push(cur);
      cur = "";
      curBytes = 0;
    }
    cur += p;
    curBytes += b;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Chunks text into pieces of at most `maxBytes` UTF-8 bytes: on sentence boundaries, a sentence longer than
 * the limit on whitespace, a word longer than the limit on code points. Lossless: `chunks.join("") === text`.
 */
export function chunkText(text: string, maxBytes = COMPREHEND_MAX_BYTES): string[] {
  if (maxBytes < 4) throw new Error("maxBytes must be at least 4 (one UTF-8 character)");
  if (text === "") return [];
  if (utf8Bytes(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  for (const sentence of sentences(text)) {
    if (utf8Bytes(sentence) <= maxBytes) {
      pieces.push(sentence);
      continue;
    }
    for (const word of sentence.split(/(?<=\s)/u)) {
      if (utf8Bytes(word) <= maxBytes) pieces.push(word);
      else pieces.push(...pack([...word], maxBytes));
    }
  }
  return pack(pieces, maxBytes);
}

/** Splits a list into batches of at most `size`. */
export function batches<T>(list: readonly T[], size = COMPREHEND_BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export interface WeightedSentiment {
  /** The weight: the chunk's UTF-8 byte length. */
  readonly bytes: number;
  readonly sentiment: Sentiment;
}

/** Comprehend's score keys, in the record's order; a label is its key upper-cased (`Positive` -> `POSITIVE`). */
export const SCORE_KEYS = ["Positive", "Negative", "Neutral", "Mixed"] as const;
export type ScoreKey = (typeof SCORE_KEYS)[number];
/** The order that breaks ties between equal scores. */
const TIE_ORDER: readonly ScoreKey[] = ["Neutral", "Positive", "Negative", "Mixed"];

/** A score with every key, in the record's order (0 for a key Comprehend left out). */
export function fullScore(score: Partial<Record<ScoreKey, number>>): Record<ScoreKey, number> {
  return Object.fromEntries(SCORE_KEYS.map((k) => [k, score[k] ?? 0])) as Record<ScoreKey, number>;
}

/**
 * Aggregates chunk sentiments: scores averaged weighted by chunk byte length, label = the highest aggregated
 * score (ties go to NEUTRAL, then POSITIVE, NEGATIVE, MIXED). Parts without scores are ignored; `null` when
 * nothing is left.
 */
export function aggregateSentiment(parts: readonly WeightedSentiment[]): Sentiment | null {
  const scored = parts.flatMap(({ bytes, sentiment }) => (sentiment.SentimentScore && bytes > 0 ? [{ bytes, score: sentiment.SentimentScore }] : []));
  if (scored.length === 0) return null;
  const total = scored.reduce((s, p) => s + p.bytes, 0);
  const acc = fullScore({});
  for (const { bytes, score } of scored) for (const k of SCORE_KEYS) acc[k] += (score[k] ?? 0) * bytes;
  for (const k of SCORE_KEYS) acc[k] = Math.round((acc[k] / total) * 1e6) / 1e6;
  let best = TIE_ORDER[0];
  for (const k of TIE_ORDER) if (acc[k] > acc[best]) best = k;
  return { Sentiment: best.toUpperCase() as SentimentLabel, SentimentScore: acc };
}

/** Normalises a Comprehend/model label; undefined for anything else. */
export function toSentimentLabel(v: unknown): SentimentLabel | undefined {
  if (typeof v !== "string") return undefined;
  const u = v.trim().toUpperCase();
  return SCORE_KEYS.some((k) => k.toUpperCase() === u) ? (u as SentimentLabel) : undefined;
}
