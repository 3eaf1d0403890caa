/**
 * Call categories (issue 23): 50 rules on a deterministic 4-hour English call (about 40,000 words, two speakers),
 * tokenising included (each run matches a fresh call: nothing is cached between runs), target median <= 20 ms; and
 * the same rules' Japanese counterpart on a Japanese call of the same length in characters' worth of speech
 * (no spaces: `Intl.Segmenter` per sentence). Results in bench/out/categories.json; `--write-docs` also replaces
 * docs/benchmarks.md's categories block.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { type CategoryInput, categorize } from "../lambda-src/core/categories";
import type { CategoryRule } from "../lambda-src/core/category-rules";
import { exitOnUsageError, parseOptions } from "../scripts/args";
import { benchOutputs, replaceBlock } from "./outputs";
import { median } from "./stats";

const REPO = path.resolve(__dirname, "..");
const RUNS = 9;
export const TARGET_MS = 20;

/** A deterministic pseudo-random sequence (LCG), so every run matches the same call. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const EN_WORDS =
  "the a to and of my your is it that for you on this we can have be with account internet router service bill payment please thank help problem issue today week month line connection speed slow again call back email address number order delivery".split(
    " ",
  );
const JA_SENTENCES = [
  "お電話ありがとうございます。",
  "インターネットが毎晩切れてしまいます。",
  "ルーターを確認いたします。",
  "請求書の金額が違うようです。",
  "少々お待ちください。",
  "サービスの速度が遅いです。",
  "明日また連絡します。",
];

/** 5,000 made-up words (letters only): a 4-hour call's vocabulary is thousands of distinct words, not the 40 above. */
const RARE = (() => {
  const rnd = lcg(3);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  return Array.from({ length: 5000 }, () => Array.from({ length: 4 + Math.floor(rnd() * 8) }, () => letters[Math.floor(rnd() * 26)]).join(""));
})();

/**
 * A call of `words` words (English) in turns of 5-40 words, alternating agent and customer, one "cancel" in the
 * middle; one word in four from a 5,000-word vocabulary.
 */
export function englishCall(words = 40_000): CategoryInput {
  const rnd = lcg(42);
  const turns: Array<{ label: string; text: string }> = [];
  let n = 0;
  while (n < words) {
    const len = 5 + Math.floor(rnd() * 36);
    const ws = Array.from({ length: len }, () => (rnd() < 0.25 ? RARE[Math.floor(rnd() * RARE.length)] : EN_WORDS[Math.floor(rnd() * EN_WORDS.length)]));
    if (n < words / 2 && n + len >= words / 2) ws.push("I", "want", "to", "cancel", "my", "contract");
    turns.push({ label: `ch_${turns.length % 2}`, text: `${ws.join(" ")}.` });
    n += ws.length;
  }
  return input("en-US", turns);
}

/** A Japanese call of about `chars` characters (a 4-hour call at about 500 characters a minute: 120,000). */
export function japaneseCall(chars = 120_000): CategoryInput {
  const rnd = lcg(7);
  const turns: Array<{ label: string; text: string }> = [];
  let n = 0;
  while (n < chars) {
    let text = "";
    for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) text += JA_SENTENCES[Math.floor(rnd() * JA_SENTENCES.length)];
    if (n < chars / 2 && n + text.length >= chars / 2) text += "契約を解約したいです。";
    turns.push({ label: `ch_${turns.length % 2}`, text });
    n += text.length;
  }
  return input("ja-JP", turns);
}

/**
 * The matcher's input as analyze builds it: the whole text and each label's words (core/transcript.ts `speakers`),
 * a stereo call (channel labels: the roles exist, so the per-role conditions are matched too).
 */
function input(languageCode: string, turns: Array<{ label: string; text: string }>): CategoryInput {
  const labels = [...new Set(turns.map((t) => t.label))].sort();
  const sep = languageCode.startsWith("ja") ? "" : " ";
  return {
    languageCode,
    text: turns.map((t) => t.text).join(sep),
    speakerMode: "channel_identification",
    turns: labels.map((label) => ({
      label,
      text: turns
        .filter((t) => t.label === label)
        .map((t) => t.text)
        .join(sep),
    })),
    summary: "The customer reported repeated disconnects and asked about cancelling the contract.",
    sentiment: { Sentiment: "NEGATIVE", SentimentScore: { Positive: 0.1, Negative: 0.7, Neutral: 0.15, Mixed: 0.05 } },
    speakers: [],
    risks: ["churn"],
    actionItems: [],
  };
}

/** 50 rules: phrases, stems and multi-word phrases per role, summary phrases, sentiment and presence conditions. */
export function fiftyRules(lang: "en" | "ja"): CategoryRule[] {
  const en = ["cancel*", "close my account", "speak to a manager", "refund*", "complain*", "lawyer", "too expensive", "switch provider*"];
  const ja = ["解約", "返金", "苦情", "弁護士", "高すぎ*", "責任者", "キャンセル*", "乗り換え*"];
  const phrases = lang === "en" ? en : ja;
  return Array.from({ length: 50 }, (_, i) => ({
    name: `category ${i}`,
    match: i % 3 === 0 ? ("all" as const) : ("any" as const),
    conditions: [
      { transcript: phrases.slice(i % 4, (i % 4) + 4).map((p) => (i % 2 ? p : `${p}`)), speaker: i % 2 ? ("customer" as const) : ("agent" as const) },
      { transcript: [phrases[i % phrases.length]] },
      { summary: [lang === "en" ? "cancel*" : "解約"] },
      { sentiment: "negative" as const, speaker: "customer" as const, atLeast: 0.6 },
      { present: i % 2 ? ("risks" as const) : ("actionItems" as const) },
    ],
  }));
}

/**
 * The rules with no transcript phrase shared between two of them (each multi-word phrase gets a word of its own
 * rule, stems stay): the per-call cache of phrase look-ups (core/categories.ts) then saves nothing.
 */
export function distinctPhrases(rules: readonly CategoryRule[]): CategoryRule[] {
  return rules.map((r, i) => ({
    ...r,
    conditions: r.conditions.map((c) => ("transcript" in c ? { ...c, transcript: c.transcript.map((p) => (p.endsWith("*") ? p : `${p} w${i}`)) } : c)),
  }));
}

function measure(make: () => CategoryInput, rules: CategoryRule[]): { ms: number[]; matched: number; words: number } {
  const ms: number[] = [];
  let matched = 0;
  for (let r = 0; r < RUNS + 1; r++) {
    const call = make(); // a fresh call: tokenising is part of every run
    const t = performance.now();
    matched = categorize(rules, call).length;
    if (r > 0) ms.push(performance.now() - t); // the first run warms the JIT and ICU's data
  }
  return { ms, matched, words: make().text.length };
}

function main(): void {
  try {
    parseOptions(process.argv.slice(2), { "write-docs": { type: "boolean" } });
  } catch (e) {
    exitOnUsageError("bench/categories.ts", e);
  }
  const outputs = benchOutputs("bench/categories.ts", process.argv.slice(2));
  const en = measure(() => englishCall(), fiftyRules("en"));
  const distinct = measure(() => englishCall(), distinctPhrases(fiftyRules("en")));
  const ja = measure(() => japaneseCall(), fiftyRules("ja"));
  const row = (name: string, size: string, m: typeof en, target: string) =>
    `| ${name} | ${size} | ${median(m.ms).toFixed(1)} | ${Math.max(...m.ms).toFixed(1)} | ${m.matched} | ${target} |`;
  const table = [
    "| call | size | median, ms | max, ms | categories matched | target |",
    "|---|---|---:|---:|---:|---|",
    row("English, 4 h", "40,000 words", en, `<= ${TARGET_MS} ms: ${median(en.ms) <= TARGET_MS ? "met" : "NOT met"}`),
    row(
      "English, 4 h, no phrase shared between rules",
      "40,000 words",
      distinct,
      `<= ${TARGET_MS} ms: ${median(distinct.ms) <= TARGET_MS ? "met" : "NOT met"}`,
    ),
    row("Japanese, 4 h", `${ja.words.toLocaleString("en")} characters`, ja, "reported"),
  ].join("\n");
  console.log(`\nCall categories: 50 rules, tokenising included (median of ${RUNS} runs after one warm-up)\n\n${table}`);
  const measuredAt = new Date().toISOString();
  fs.mkdirSync(path.dirname(outputs.results), { recursive: true });
  fs.writeFileSync(
    outputs.results,
    `${JSON.stringify({ measuredAt, node: process.version, runs: RUNS, english: en, englishDistinct: distinct, japanese: ja, table }, null, 2)}\n`,
  );
  console.log(`results: ${path.relative(REPO, outputs.results)}`);
  if (outputs.doc) {
    const block = `Measured ${measuredAt.slice(0, 16).replace("T", " ")} UTC by \`npm run bench\` (Node ${process.version}).\n\n${table}`;
    fs.writeFileSync(outputs.doc, replaceBlock(fs.readFileSync(outputs.doc, "utf8"), "categories", block));
    console.log(`updated: ${path.relative(REPO, outputs.doc)}`);
  }
}

if (require.main === module) main();
