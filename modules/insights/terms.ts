/**
 * The text rules of the insight figures (./semantics.ts has the rest): the views' SQL (./views.ts) is generated from
 * these constants and the report (scripts/report/) counts with the same functions.
 *
 * - A *term* of a summary is a run of letters (`\p{L}`), lower-cased, at least {@link MIN_TERM_LENGTH} letters long
 *   and not a stop word of the call's language (the language code's first segment: `en-US` -> `en`).
 * - An *action item* or *risk* is counted by its normalized text: trimmed, inner whitespace collapsed, lower-cased.
 */

/** Shortest term counted, in letters. */
export const MIN_TERM_LENGTH = 3;
/** Separator of terms: any run of characters that are not letters (JavaScript `u` flag and Trino/Joni agree on `\p{L}`). */
export const TERM_SEPARATOR = "[^\\p{L}]+";
/**
 * Stop words by language (the language code's first segment), lower-case. Small on purpose: the most frequent
 * function words of each language plus the words every call summary repeats ("customer", "call", "agent").
 */
// biome-ignore format: the word lists read better packed
export const STOP_WORDS: Readonly<Record<string, readonly string[]>> = {
  en: [
    "the", "and", "for", "that", "with", "this", "was", "are", "were", "has", "have", "had", "not", "but", "from",
    "they", "their", "them", "she", "her", "his", "him", "you", "your", "our", "who", "will", "would", "could",
    "should", "about", "into", "also", "which", "there", "been", "being", "then", "than", "any", "all", "can", "did",
    "does", "its", "one", "customer", "caller", "agent", "call", "called",
  ],
  de: [
    "der", "die", "das", "und", "ist", "ein", "eine", "einen", "einem", "einer", "den", "dem", "des", "mit", "von",
    "für", "auf", "nicht", "sich", "auch", "wird", "wurde", "wurden", "hat", "hatte", "sie", "ihr", "ihre", "ihren",
    "als", "aus", "bei", "nach", "oder", "aber", "wie", "dass", "zum", "zur", "über", "kunde", "kundin", "anruf",
    "mitarbeiter",
  ],
  es: [
    "que", "los", "las", "del", "con", "por", "una", "para", "como", "más", "pero", "sus", "este", "esta", "fue",
    "son", "entre", "cuando", "muy", "sin", "sobre", "también", "hasta", "desde", "cliente", "llamada", "agente",
  ],
  fr: [
    "les", "des", "une", "est", "que", "qui", "dans", "pour", "pas", "par", "sur", "avec", "son", "ses", "sont",
    "aux", "mais", "comme", "ont", "été", "elle", "lui", "leur", "cette", "client", "cliente", "appel", "agent",
  ],
  it: [
    "che", "non", "per", "una", "con", "del", "della", "sono", "gli", "alla", "dei", "nel", "cliente", "chiamata",
    "agente",
  ],
  pt: [
    "que", "não", "uma", "com", "para", "por", "dos", "das", "mais", "como", "foi", "cliente", "chamada", "agente",
  ],
  nl: [
    "het", "een", "van", "dat", "die", "met", "voor", "niet", "zijn", "ook", "aan", "bij", "klant", "gesprek", "medewerker",
  ],
};

/** The stop-word key of a language code: `de-DE` -> `de`; null for none. */
export function languageKey(languageCode: string | null | undefined): string | null {
  if (!languageCode) return null;
  return languageCode.split("-")[0].toLowerCase();
}

/** The stop-word lists for a set of language codes (the configured tenants' languages), by key; unknown languages have none. */
export function stopWordsFor(languageCodes: readonly string[]): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const code of languageCodes) {
    const key = languageKey(code);
    if (key && STOP_WORDS[key]) out[key] = STOP_WORDS[key];
  }
  return out;
}

const SEPARATOR = new RegExp(TERM_SEPARATOR, "u");

/** The terms of a summary, in order, with repeats. */
export function summaryTerms(
  summary: string | null,
  languageCode: string | null,
  stopWords: Readonly<Record<string, readonly string[]>> = STOP_WORDS,
): string[] {
  if (!summary) return [];
  const key = languageKey(languageCode);
  const stop = new Set(key ? (stopWords[key] ?? []) : []);
  return summary
    .toLowerCase()
    .split(SEPARATOR)
    .filter((w) => Array.from(w).length >= MIN_TERM_LENGTH && !stop.has(w));
}

/** An action item's or risk's counted form; empty when there is no text. */
export function normalizeItem(text: string): string {
  return text.replace(/\s+/g, " ").trim().toLowerCase();
}
