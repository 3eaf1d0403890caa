/**
 * Call summary with the Bedrock Converse API: a truncated answer is asked again with a larger budget, an invalid
 * one once for a repair; model errors that may pass are retried for a bounded time.
 */
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { buildRepairPrompt, buildSummaryPrompt, largerTokenBudget, parseSummaryAnswer, type SummaryOutcome, type SummaryPrompt } from "../core/summary";
import type { Clock } from "../core/clock";
import { ERROR_CODES, errorMessage, errorName, isAccessDenied, isRetryable, RetryableError, type ErrorCode } from "../core/errors";
import { bedrockClient } from "../aws/clients";
import { logger } from "../aws/observability";

export type { SummaryOutcome } from "../core/summary";

export interface BedrockSettings {
  readonly modelId: string;
  readonly region: string;
  readonly maxTokens: number;
}

export interface SummarizeOptions {
  /**
   * Until when throttling, unavailability and access denied are thrown as {@link RetryableError} (the
   * invocation is retried); afterwards they are returned as `{ ok: false }`. @default no limit (always thrown)
   */
  readonly retryUntil?: Date;
  /** Tells, when the model has failed, whether `retryUntil` has passed. */
  readonly clock: Clock;
}

/** Bedrock errors that will not go away by retrying: the call is recorded without a summary. */
const PERMANENT: Record<string, ErrorCode> = {
  ResourceNotFoundException: ERROR_CODES.MODEL_NOT_FOUND,
  ValidationException: ERROR_CODES.MODEL_REQUEST_INVALID,
};

async function converse(b: BedrockSettings, prompt: SummaryPrompt, maxTokens: number): Promise<{ text: string; stopReason?: string }> {
  const out = await bedrockClient(b.region).send(
    new ConverseCommand({
      modelId: b.modelId,
      system: [{ text: prompt.system }],
      messages: prompt.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
      inferenceConfig: { maxTokens, temperature: 0 },
    }),
  );
  const text = (out.output?.message?.content ?? []).map((c) => ("text" in c && typeof c.text === "string" ? c.text : "")).join("");
  return { text, stopReason: out.stopReason };
}

/** The conversation: first answer (once more with a larger budget when truncated), then one repair. */
async function ask(b: BedrockSettings, labelledTranscript: string, languageCode: string | null): Promise<SummaryOutcome> {
  const prompt = buildSummaryPrompt(labelledTranscript, languageCode);
  let budget = b.maxTokens;
  let answer = await converse(b, prompt, budget);
  const larger = answer.stopReason === "max_tokens" ? largerTokenBudget(budget) : undefined;
  if (larger) {
    // A truncated answer is cut, not wrong: the same question with room to finish, not a repair.
    logger.warn("Model answer truncated", { max_tokens: budget, retry_max_tokens: larger });
    budget = larger;
    answer = await converse(b, prompt, budget);
  }
  const parsed = parseSummaryAnswer(answer.text);
  if (parsed.ok) return { ...parsed, repaired: false };
  if (answer.stopReason === "max_tokens") {
    return { ok: false, code: ERROR_CODES.SUMMARY_TRUNCATED, message: `Model answer truncated at maxTokens ${budget} (${parsed.error})` };
  }
  logger.warn("Model answer invalid; repairing", { validation_error: parsed.error, stop_reason: answer.stopReason });
  const second = await converse(b, buildRepairPrompt(prompt, answer.text, parsed.error), budget);
  const reparsed = parseSummaryAnswer(second.text);
  if (reparsed.ok) return { ...reparsed, repaired: true };
  return { ok: false, code: ERROR_CODES.SUMMARY_INVALID, message: `Model answer invalid after one repair attempt: ${reparsed.error}` };
}

/**
 * Summarises a speaker-labelled transcript. Model-not-found and validation errors, and an answer that is still
 * invalid after the repair, come back as `{ ok: false }`. Throttling, unavailability (5xx, ModelNotReady) and
 * AccessDeniedException (a cross-region profile routing to a region the grant or the model access does not reach
 * yet) are thrown as {@link RetryableError} until `retryUntil`, then come back as `{ ok: false }`
 * (MODEL_UNAVAILABLE, MODEL_ACCESS_DENIED). Any other error is thrown as is.
 */
export async function summarize(b: BedrockSettings, labelledTranscript: string, languageCode: string | null, opts: SummarizeOptions): Promise<SummaryOutcome> {
  try {
    return await ask(b, labelledTranscript, languageCode);
  } catch (e) {
    const message = `${errorName(e)}: ${errorMessage(e)} (model ${b.modelId})`;
    const permanent = PERMANENT[errorName(e)];
    if (permanent) return { ok: false, code: permanent, message };
    const passing = isAccessDenied(e) ? ERROR_CODES.MODEL_ACCESS_DENIED : isRetryable(e) ? ERROR_CODES.MODEL_UNAVAILABLE : undefined;
    if (!passing) throw e;
    if (!opts.retryUntil || opts.clock.now() < opts.retryUntil) {
      const until = opts.retryUntil ? `; retried until ${opts.retryUntil.toISOString()}` : "";
      throw new RetryableError(passing, `${message}${until}`, e);
    }
    logger.error("No summary: retry window over", { code: passing, error: message });
    return { ok: false, code: passing, message: `${message}; still failing after the retry window` };
  }
}
