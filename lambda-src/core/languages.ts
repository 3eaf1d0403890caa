/**
 * Language rules shared by the configuration (infrastructure) and the handlers (runtime).
 * Pure data and functions: no AWS SDK, no cdktf.
 */

/** Amazon Transcribe batch language codes this product accepts in tenant configuration. */
export const TRANSCRIBE_LANGUAGES = [
  "af-ZA",
  "ar-AE",
  "ar-SA",
  "ca-ES",
  "cs-CZ",
  "da-DK",
  "de-CH",
  "de-DE",
  "el-GR",
  "en-AB",
  "en-AU",
  "en-GB",
  "en-IE",
  "en-IN",
  "en-NZ",
  "en-US",
  "en-WL",
  "en-ZA",
  "es-ES",
  "es-US",
  "fa-IR",
  "fi-FI",
  "fr-CA",
  "fr-FR",
  "he-IL",
  "hi-IN",
  "hr-HR",
  "id-ID",
  "it-IT",
  "ja-JP",
  "ko-KR",
  "ms-MY",
  "nl-NL",
  "no-NO",
  "pl-PL",
  "pt-BR",
  "pt-PT",
  "ro-RO",
  "ru-RU",
  "sk-SK",
  "sv-SE",
  "ta-IN",
  "te-IN",
  "th-TH",
  "tr-TR",
  "uk-UA",
  "vi-VN",
  "zh-CN",
  "zh-TW",
] as const;
export type TranscribeLanguage = (typeof TRANSCRIBE_LANGUAGES)[number];

/**
 * Languages for which Transcribe batch PII redaction is available. Redaction cannot be combined with
 * language identification, so a tenant with redaction has exactly one of these.
 */
export const REDACTION_LANGUAGES: readonly TranscribeLanguage[] = ["en-AU", "en-GB", "en-IN", "en-IE", "en-AB", "en-NZ", "en-US", "en-WL", "en-ZA", "es-US"];

/** Languages Amazon Comprehend DetectSentiment/BatchDetectSentiment accepts. */
export const COMPREHEND_SENTIMENT_LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"] as const;
export type ComprehendLanguage = (typeof COMPREHEND_SENTIMENT_LANGUAGES)[number];

/**
 * Maps a Transcribe language code to the Comprehend sentiment language, or `undefined` when Comprehend has no
 * sentiment model for it (the analyze handler then falls back to the model's sentiment label).
 */
export function comprehendLanguageFor(transcribeCode: string | undefined): ComprehendLanguage | undefined {
  if (!transcribeCode) return undefined;
  if (transcribeCode === "zh-TW") return "zh-TW";
  const base = transcribeCode.split("-")[0].toLowerCase();
  return (COMPREHEND_SENTIMENT_LANGUAGES as readonly string[]).includes(base) ? (base as ComprehendLanguage) : undefined;
}
