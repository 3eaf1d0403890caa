/**
 * Call categories: a tenant's rules (./category-rules.ts) applied to one call. Pure; the analyze function runs it
 * on the transcript, the summary and the sentiment it has just produced.
 *
 * Words: text is split into sentences at `. ! ? 。 ！ ？` and line breaks first (Intl.Segmenter is slow on long
 * unsplit text, which matters for Japanese and Chinese), then into words with `Intl.Segmenter` (word granularity,
 * the call's language), punctuation dropped. Case folding: NFC, then the language's lower case
 * (`toLocaleLowerCase`), then `ß` -> `ss` (so `STRASSE` matches `Straße`). A phrase is a sequence of words that
 * must follow each other; a word ending in `*` is a stem: it matches every word that begins with it.
 * Limits (docs/configuration.md, "Call categories"): no morphology beyond prefixes (`kündig*` finds `Kündigung`
 * but not `gekündigt`); a compound is one word (`kündigung*` finds `Kündigungsfrist`, `frist` does not, and
 * `*` never matches inside a word); umlauts are not folded (`ü` != `ue`); Japanese words are ICU dictionary
 * segments, so a phrase matches only where the dictionary splits the call the same way.
 */
import type { CallCategory, Sentiment, SpeakerStats } from "../contracts/result-schema";
import type { CategoryCondition, CategoryRule, SentimentKey, SpeakerRole } from "./category-rules";

/** What a call offers the rules. */
export interface CategoryInput {
  /** The call's language (Transcribe code, e.g. `de-DE`): the segmenter's and the case folding's locale. */
  readonly languageCode: string | null;
  /** The whole transcript (used when there are no speaker or channel labels). */
  readonly text: string;
  /** Each label's words (`spk_0`, `ch_1`, ...; core/transcript.ts). */
  readonly turns: readonly { readonly label: string; readonly text: string }[];
  readonly summary: string | null;
  readonly sentiment: Sentiment | null;
  /** Per-label sentiment (the result's `speakers`). */
  readonly speakers: readonly SpeakerStats[];
  readonly risks: readonly string[];
  readonly actionItems: readonly string[];
}

type Segmenter = { segment(s: string): Iterable<{ segment: string; isWordLike?: boolean }> };
const SegmenterClass = (Intl as unknown as { Segmenter: new (l?: string, o?: { granularity: string }) => Segmenter }).Segmenter;
const segmenters = new Map<string, Segmenter>();

/** The role of a speaker or channel label: the first is the agent, the second the customer, others neither. */
export function speakerRole(label: string): SpeakerRole | undefined {
  const n = /^(?:spk|ch)_([01])$/.exec(label)?.[1];
  return n === "0" ? "agent" : n === "1" ? "customer" : undefined;
}

/** The words of a text, case-folded for the locale (see the file comment). */
export function words(text: string, locale: string): string[] {
  let seg = segmenters.get(locale);
  if (!seg) {
    seg = new SegmenterClass(locale, { granularity: "word" });
    segmenters.set(locale, seg);
  }
  const out: string[] = [];
  const folded = text.normalize("NFC").toLocaleLowerCase(locale).replace(/ß/g, "ss");
  for (const sentence of folded.split(/(?<=[.!?\n\u3002\uff01\uff1f])/)) for (const s of seg.segment(sentence)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** Words of a text with where each occurs. */
interface Indexed {
  readonly words: readonly string[];
  readonly at: ReadonlyMap<string, number[]>;
}
function indexed(text: string, locale: string): Indexed {
  const ws = words(text, locale);
  const at = new Map<string, number[]>();
  ws.forEach((w, i) => {
    const list = at.get(w);
    if (list) list.push(i);
    else at.set(w, [i]);
  });
  return { words: ws, at };
}

/** A phrase's words: the folded text, and whether it is a stem. */
type PhraseWord = readonly [word: string, stem: boolean];

function phraseWords(phrase: string, locale: string): PhraseWord[] {
  const out: PhraseWord[] = [];
  for (const raw of phrase.trim().split(/\s+/)) {
    const stem = raw.endsWith("*");
    const ws = words(stem ? raw.slice(0, -1) : raw, locale);
    // A stem that the segmenter splits (Japanese) is a stem of its last segment.
    ws.forEach((w, i) => {
      out.push([w, stem && i === ws.length - 1]);
    });
  }
  return out;
}

const fits = (word: string | undefined, [w, stem]: PhraseWord) => word !== undefined && (stem ? word.startsWith(w) : word === w);

function occurs(src: Indexed, phrase: readonly PhraseWord[]): boolean {
  if (phrase.length === 0) return false;
  const [first, stem] = phrase[0];
  const starts: number[][] = [];
  if (!stem) starts.push(src.at.get(first) ?? []);
  else for (const [w, pos] of src.at) if (w.startsWith(first)) starts.push(pos);
  for (const list of starts)
    for (const i of list) {
      let k = 1;
      while (k < phrase.length && fits(src.words[i + k], phrase[k])) k++;
      if (k === phrase.length) return true;
    }
  return false;
}

const SCORE_KEY: Record<SentimentKey, "Positive" | "Negative" | "Neutral" | "Mixed"> = {
  positive: "Positive",
  negative: "Negative",
  neutral: "Neutral",
  mixed: "Mixed",
};

/** The texts a call is matched on, each folded and indexed once, on first use. */
class CallTexts {
  private readonly cache = new Map<string, Indexed>();
  constructor(
    private readonly input: CategoryInput,
    readonly locale: string,
  ) {}
  private get(key: string, text: string): Indexed {
    let v = this.cache.get(key);
    if (!v) {
      v = indexed(text, this.locale);
      this.cache.set(key, v);
    }
    return v;
  }
  /** The transcript of one role, or of everyone (each label apart: a phrase never spans two speakers). */
  transcript(role?: SpeakerRole): Indexed[] {
    const { turns, text } = this.input;
    if (turns.length === 0) return role ? [] : [this.get("", text)];
    return turns.filter((t) => !role || speakerRole(t.label) === role).map((t) => this.get(`t:${t.label}`, t.text));
  }
  summary(): Indexed[] {
    return this.input.summary ? [this.get("s", this.input.summary)] : [];
  }
}

/** Why a condition holds (one entry per phrase found), or nothing when it does not. */
function conditionMatches(c: CategoryCondition, input: CategoryInput, texts: CallTexts): string[] {
  if ("transcript" in c || "summary" in c) {
    const [label, list, srcs] =
      "transcript" in c
        ? [`transcript${c.speaker ? `(${c.speaker})` : ""}`, c.transcript, texts.transcript(c.speaker)]
        : ["summary", c.summary, texts.summary()];
    return list
      .filter((p) => {
        const pw = phraseWords(p, texts.locale);
        return srcs.some((s) => occurs(s, pw));
      })
      .map((p) => `${label}: "${p}"`);
  }
  if ("sentiment" in c) {
    const key = SCORE_KEY[c.sentiment];
    const scores = c.speaker
      ? input.speakers.filter((s) => speakerRole(s.label) === c.speaker).map((s) => s.sentiment?.SentimentScore?.[key])
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
  const texts = new CallTexts(input, input.languageCode || "en");
  const out: CallCategory[] = [];
  for (const r of rules) {
    const per = r.conditions.map((c) => conditionMatches(c, input, texts));
    const holds = r.match === "all" ? per.every((m) => m.length > 0) : per.some((m) => m.length > 0);
    if (holds) out.push({ name: r.name, matched_by: per.flat() });
  }
  return out;
}
