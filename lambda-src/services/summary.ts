/**
 * Call summary with the Bedrock Converse API, validated, with one repair attempt.
 */
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { buildRepairPrompt, buildSummaryPrompt, parseSummaryAnswer, type SummaryAnswer, type SummaryPrompt } from "../core/summary";
import { ERROR_CODES, errorMessage, errorName, type ErrorCode } from "../core/errors";
import { bedrockClient } from "../aws/clients";
import { logger } from "../aws/observability";

export interface BedrockSettings {
  readonly modelId: string;
  readonly region: string;
  readonly maxTokens: number;
}

export type SummaryOutcome =
  | { readonly ok: true; readonly value: SummaryAnswer; readonly repaired: boolean }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Bedrock errors that will not go away by retrying: recorded as a FAILED result. */
const PERMANENT: Record<string, ErrorCode> = {
  ResourceNotFoundException: ERROR_CODES.MODEL_NOT_FOUND,
  AccessDeniedException: ERROR_CODES.MODEL_ACCESS_DENIED,
  ValidationException: ERROR_CODES.MODEL_REQUEST_INVALID,
};

async function converse(b: BedrockSettings, prompt: SummaryPrompt): Promise<{ text: string; stopReason?: string }> {
  const out = await bedrockClient(b.region).send(
    new ConverseCommand({
      modelId: b.modelId,
      system: [{ text: prompt.system }],
      messages: prompt.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
      inferenceConfig: { maxTokens: b.maxTokens, temperature: 0 },
    }),
  );
  const text = (out.output?.message?.content ?? []).map((c) => ("text" in c && typeof c.text === "string" ? c.text : "")).join("");
  return { text, stopReason: out.stopReason };
}

/**
 * Summarises a speaker-labelled transcript. Throttling, ServiceUnavailable, ModelNotReady and other transient
 * errors are thrown (the invocation is retried); model-not-found, access-denied and validation errors and a
 * twice-invalid answer come back as `{ ok: false }`.
 */
export async function summarize(b: BedrockSettings, labelledTranscript: string, languageCode: string | null): Promise<SummaryOutcome> {
  const prompt = buildSummaryPrompt(labelledTranscript, languageCode);
  try {
    const first = await converse(b, prompt);
    const parsed = parseSummaryAnswer(first.text);
    if (parsed.ok) return { ok: true, value: parsed.value, repaired: false };
    logger.warn("Model answer invalid; asking once for a repair", { validation_error: parsed.error, stop_reason: first.stopReason });
    const second = await converse(b, buildRepairPrompt(prompt, first.text, parsed.error));
    const reparsed = parseSummaryAnswer(second.text);
    if (reparsed.ok) return { ok: true, value: reparsed.value, repaired: true };
    return { ok: false, code: ERROR_CODES.SUMMARY_INVALID, message: `Model answer invalid after one repair attempt: ${reparsed.error}` };
  } catch (e) {
    const code = PERMANENT[errorName(e)];
    if (code) return { ok: false, code, message: `${errorName(e)}: ${errorMessage(e)} (model ${b.modelId})` };
    throw e;
  }
}
