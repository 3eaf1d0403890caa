/**
 * Call categories: a tenant's rules (./category-rules.ts) applied to one call. Pure; the analyze function runs it
 * on the transcript, the summary and the sentiment it has just produced.
 *
 * Words: in languages written with spaces, runs of letters, marks and digits (inner apostrophes kept), by one
 * Unicode regular expression: Intl.Segmenter finds the same words there but is 20-50 times slower (4-hour call:
 * about 200 ms against 6 ms, docs/benchmarks.md). In Japanese, Chinese, Thai, Lao, Khmer and Burmese (no spaces),
 * `Intl.Segmenter` (word granularity, the call's language) over each sentence (split at `. ! ? 。 ！ ？` and line
 * breaks first: the segmenter is slow on long unsplit text), punctuation dropped. Case folding: NFC, then the language's lower case
 * (`toLocaleLowerCase`), then `ß` -> `ss` (so `STRASSE` matches `Straße`). A phrase is a sequence of words that
 * must follow each other; a word ending in `*` is a stem: it matches every word that begins with it.
 * Limits (docs/configuration.md, "Call categories"): no morphology beyond prefixes (`kündig*` finds `Kündigung`
 * but not `gekündigt`); a compound is one word (`kündigung*` finds `Kündigungsfrist`, `frist` does not, and
 * `*` never matches inside a word); umlauts are not folded (`ü` != `ue`); Japanese words are ICU dictionary
 * segments, so a phrase matches only where the dictionary splits the call the same way.
 */
import type { CallCategory, CallResult, Sentiment, SpeakerStats } from "../contracts/result-schema";
import { type SpeakerRole, speakerRole } from "../contracts/speaker-roles";
import { type CategoryCondition, type CategoryRule, WORD } from "./category-rules";
import { segmenter } from "./segmenter";

/** What a call offers the rules. */
export interface CategoryInput {
  /** The call's language (Transcribe code, e.g. `de-DE`): the segmenter's and the case folding's locale. */
  readonly languageCode: string | null;
  /** The whole transcript (used when there are no speaker or channel labels). */
  readonly text: string;
  /**
   * How the call's voices were told apart (the result's `speaker_mode`): roles exist only for channel-identified
   * calls (contracts/speaker-roles.ts), so on any other call a condition with `speaker` never holds.
   */
  readonly speakerMode: CallResult["speaker_mode"];
  /** Each label's words, one entry per label (`spk_0`, `ch_1`, ...; core/transcript.ts `speakers`). */
  readonly turns: readonly { readonly label: string; readonly text: string }[];
  readonly summary: string | null;
  readonly sentiment: Sentiment | null;
  /** Per-label sentiment (the result's `speakers`). */
  readonly speakers: readonly SpeakerStats[];
  readonly risks: readonly string[];
  readonly actionItems: readonly string[];
}

/** Languages written without spaces between words: their words come from Intl.Segmenter's dictionaries. */
const UNSPACED = /^(?:ja|zh|th|lo|km|my)\b/i;

/** The words of a text, case-folded for the locale (see the file comment). */
export function words(text: string, locale: string): string[] {
  const folded = text.normalize("NFC").toLocaleLowerCase(locale).replace(/ß/g, "ss");
  if (!UNSPACED.test(locale)) return folded.match(WORD) ?? [];
  const seg = segmenter(locale, "word");
  const out: string[] = [];
  for (const sentence of folded.split(/(?<=[.!?\n\u3002\uff01\uff1f])/)) for (const s of seg.segment(sentence)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** A text as its folded words: the set of them, and all of them between single spaces (` w1 w2 `). */
interface Source {
  readonly vocab: ReadonlySet<string>;
  /** The distinct words, sorted (a stem's words are the run that starts where the stem would be inserted). */
  readonly list: readonly string[];
  readonly spaced: string;
  /** Each phrase looked up here so far, and whether it occurs (rules of a tenant often share phrases). */
  readonly hits: Map<string, boolean>;
}
function source(text: string, locale: string): Source {
  const ws = words(text, locale);
  const vocab = new Set(ws);
  return { vocab, list: [...vocab].sort(), spaced: ` ${ws.join(" ")} `, hits: new Map() };
}

/** Whether a sorted list has a word that begins with `stem` (binary search for where the stem would go). */
function hasPrefix(list: readonly string[], stem: string): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < stem) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo].startsWith(stem);
}

/**
 * Whether a phrase occurs in a source: its folded words in a row, each whole, a stem (`word*`) followed by any
 * letters. Each word is looked up first (the word set; a stem: a binary search of the sorted words), so a phrase
 * with a word the call lacks costs no search; then, for several words, a search in the spaced text (a regular
 * expression only when a stem is not the last word). A Japanese stem that the segmenter splits is a stem of
 * its last segment.
 */
function occurs(phrase: string, src: Source, locale: string): boolean {
  const parts: Array<[string, boolean]> = [];
  for (const raw of phrase.trim().split(/\s+/)) {
    const stem = raw.endsWith("*");
    const ws = words(stem ? raw.slice(0, -1) : raw, locale);
    ws.forEach((w, i) => {
      parts.push([w, stem && i === ws.length - 1]);
    });
  }
  const last = parts.length - 1;
  // Every word (or stem) must be in the text somewhere: most phrases are not in a given call, and this answers
  // them without a search of the whole text.
  if (last < 0 || parts.some(([w, stem]) => (stem ? !hasPrefix(src.list, w) : !src.vocab.has(w)))) return false;
  if (last === 0) return true;
  if (parts.every(([, stem], i) => !stem || i === last)) return src.spaced.includes(` ${parts.map(([w]) => w).join(" ")}${parts[last][1] ? "" : " "}`);
  const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(` ${parts.map(([w, stem]) => esc(w) + (stem ? "\\S*" : "")).join(" ")} `).test(src.spaced);
}

/** The texts a call is matched on, each folded once, on first use: by role (or everyone), or the summary. */
type Texts = (kind: "transcript" | "summary", role?: SpeakerRole) => Source[];

function callTexts(input: CategoryInput, locale: string): Texts {
  const cache = new Map<string, Source>();
  const get = (key: string, text: string) => cache.get(key) ?? (cache.set(key, source(text, locale)).get(key) as Source);
  return (kind, role) => {
    if (kind === "summary") return input.summary ? [get("", input.summary)] : [];
    // Each label apart: a phrase never spans two speakers. Without labels, the whole text is everyone's.
    if (input.turns.length === 0) return role ? [] : [get(" ", input.text)];
    return input.turns.filter((t) => !role || speakerRole(input.speakerMode, t.label) === role).map((t) => get(t.label, t.text));
  };
}

/** Why a condition holds (one entry per phrase found), or nothing when it does not. */
function conditionMatches(c: CategoryCondition, input: CategoryInput, texts: Texts, locale: string): string[] {
  if ("transcript" in c || "summary" in c) {
    const [label, list, srcs] =
      "transcript" in c
        ? [`transcript${c.speaker ? `(${c.speaker})` : ""}`, c.transcript, texts("transcript", c.speaker)]
        : ["summary", c.summary, texts("summary")];
    const found = (src: Source, p: string) => src.hits.get(p) ?? (src.hits.set(p, occurs(p, src, locale)).get(p) as boolean);
    return list.filter((p) => srcs.some((src) => found(src, p))).map((p) => `${label}: "${p}"`);
  }
  if ("sentiment" in c) {
    const key = (c.sentiment[0].toUpperCase() + c.sentiment.slice(1)) as "Positive" | "Negative" | "Neutral" | "Mixed";
    const scores = c.speaker
      ? input.speakers.filter((s) => speakerRole(input.speakerMode, s.label) === c.speaker).map((s) => s.sentiment?.SentimentScore?.[key])
      : [input.sentiment?.SentimentScore?.[key]];
    const hit = scores.some((v) => v !== undefined && v >= c.atLeast);
    return hit ? [`sentiment${c.speaker ? `.${c.speaker}` : ""}.${c.sentiment} >= ${c.atLeast}`] : [];
  }
  if ("present" in c) {
    const [list, label] = c.present === "risks" ? [input.risks, "risks"] : [input.actionItems, "action items"];
    return list.length > 0 ? [`${label} present`] : [];
  }
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}

/**
 * The categories of a call: every rule that holds, in the rules' order, each with what matched. A rule with
 * `match: "all"` holds when each condition does; otherwise when one does. Throws on a condition it does not know
 * (rules are validated at synth; the caller reports it).
 */
export function categorize(rules: readonly CategoryRule[], input: CategoryInput): CallCategory[] {
  const locale = input.languageCode || "en";
  const texts = callTexts(input, locale);
  const out: CallCategory[] = [];
  for (const r of rules) {
    const per = r.conditions.map((c) => conditionMatches(c, input, texts, locale));
    const holds = r.match === "all" ? per.every((m) => m.length > 0) : per.some((m) => m.length > 0);
    if (holds) out.push({ name: r.name, matched_by: per.flat() });
  }
  return out;
}
