/**
 * Comprehend sentiment for a text of any length: DetectSentiment up to 5,000 UTF-8 bytes, otherwise byte-bounded
 * chunks through BatchDetectSentiment (<= 25 per call), per-item errors excluded, scores weighted by bytes.
 */
import { BatchDetectSentimentCommand, DetectSentimentCommand, type LanguageCode } from "@aws-sdk/client-comprehend";
import type { Sentiment } from "../contracts/result-schema";
import type { ComprehendLanguage } from "../core/languages";
import {
  aggregateSentiment,
  batches,
  chunkText,
  COMPREHEND_MAX_BYTES,
  fullScore,
  type ScoreKey,
  toSentimentLabel,
  utf8Bytes,
  type WeightedSentiment,
} from "../core/sentiment";
import { comprehendClient } from "../aws/clients";
import { logger } from "../aws/observability";

type ComprehendScore = Partial<Record<ScoreKey, number>> | undefined;

function toSentiment(label: string | undefined, score: ComprehendScore): Sentiment | undefined {
  const l = toSentimentLabel(label);
  if (!l) return undefined;
  return {
    Sentiment: l,
    SentimentScore: score ? fullScore(score) : null,
  };
}

/** Sentiment of `text` in `language`; null for blank text or when every chunk failed. Service errors throw. */
export async function detectSentiment(text: string, language: ComprehendLanguage): Promise<Sentiment | null> {
  if (text.trim() === "") return null;
  const LanguageCode = language as LanguageCode;
  if (utf8Bytes(text) <= COMPREHEND_MAX_BYTES) {
    const out = await comprehendClient().send(new DetectSentimentCommand({ Text: text, LanguageCode }));
    return toSentiment(out.Sentiment, out.SentimentScore) ?? null;
  }
  const chunks = chunkText(text, COMPREHEND_MAX_BYTES).filter((c) => c.trim() !== "");
  const parts: WeightedSentiment[] = [];
  for (const batch of batches(chunks)) {
    const out = await comprehendClient().send(new BatchDetectSentimentCommand({ TextList: batch, LanguageCode }));
    for (const r of out.ResultList ?? []) {
      const s = r.Index !== undefined ? toSentiment(r.Sentiment, r.SentimentScore) : undefined;
      if (s && r.Index !== undefined && batch[r.Index] !== undefined) parts.push({ bytes: utf8Bytes(batch[r.Index]), sentiment: s });
    }
    for (const err of out.ErrorList ?? []) {
      // Left out of the aggregate.
      logger.warn("Chunk not scored", { index: err.Index, code: err.ErrorCode, message: err.ErrorMessage });
    }
  }
  return aggregateSentiment(parts);
}
