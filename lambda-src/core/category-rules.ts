/**
 * A tenant's call categories (`tenants[].categories` in config/<env>.json): the rule shape, its limits and its
 * validation. The configuration schema (modules/config/tenant-schema.ts) applies {@link categoryRuleProblems} at
 * synth; the matcher (./categories.ts) applies the rules to a call. Plain data and functions: the analyze bundle
 * imports only the types from this file (the rules it reads were validated at synth).
 */
import { SPEAKER_ROLES, type SpeakerRole } from "../contracts/speaker-roles";

export type SentimentKey = "positive" | "negative" | "neutral" | "mixed";
export const SENTIMENT_KEYS: readonly SentimentKey[] = ["positive", "negative", "neutral", "mixed"];
/** What a `present` condition looks for: the model's risks or action items. */
export type PresentKey = "risks" | "actionItems";

/**
 * One condition of a rule: exactly one of `transcript`, `summary`, `sentiment`, `present`.
 * - `transcript` / `summary`: phrases, any of which matches; a word ending in `*` is a stem (prefix of a word).
 *   `speaker` limits a transcript phrase to what the agent or the customer said (default: either); roles exist
 *   only on channel-identified calls (contracts/speaker-roles.ts), so on a mono call such a condition never holds.
 * - `sentiment`: Comprehend's score of that sentiment is at least `atLeast` (0-1), for the call or one `speaker` (as above).
 * - `present`: the summary has at least one risk or action item.
 */
export type CategoryCondition =
  | { readonly transcript: readonly string[]; readonly speaker?: SpeakerRole }
  | { readonly summary: readonly string[] }
  | { readonly sentiment: SentimentKey; readonly atLeast: number; readonly speaker?: SpeakerRole }
  | { readonly present: PresentKey };

export interface CategoryRule {
  /** The category's name, as the result and the dashboard show it: 1-64 characters, unique per tenant. */
  readonly name: string;
  /** `any`: one condition suffices; `all`: every condition must hold. @default "any" */
  readonly match?: "any" | "all";
  /** 1-10 conditions. */
  readonly conditions: readonly CategoryCondition[];
}

/** The analyze package's file of every tenant's rules (`categoryDocument`, contracts/tenant-settings.ts); absent: no rules. */
export const CATEGORY_RULES_FILE = "category-rules.json";
/** The category rules document: tenant id -> its rules, only tenants with rules (a tenant without an entry: no categories). */
export type CategoryDocument = { readonly [tenantId: string]: readonly CategoryRule[] };

/** Limits of a tenant's rules, checked at synth. */
export const CATEGORY_LIMITS = {
  rules: 50,
  conditions: 10,
  phrases: 50,
  phraseChars: 100,
  nameChars: 64,
  /** Characters before a stem's `*`: shorter stems match too much. */
  stemChars: 2,
  /** A tenant's rules as JSON (what the analyze package carries): 50 rules of 10 conditions of long phrases fit. */
  documentBytes: 64 * 1024,
} as const;

export interface CategoryRuleProblem {
  /** Index of the rule in the tenant's `categories`, or undefined for the list as a whole. */
  readonly index?: number;
  readonly message: string;
}

/** A word of a language written with spaces: letters, marks and digits, inner apostrophes kept (`don't`); core/categories.ts splits by it. */
export const WORD = /[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}\p{N}]+)*/gu;

const CONDITION_KEYS = ["transcript", "summary", "sentiment", "present"] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function phraseProblems(phrases: unknown, key: string): string[] {
  if (!Array.isArray(phrases) || phrases.length < 1 || phrases.length > CATEGORY_LIMITS.phrases)
    return [`${key} must list 1-${CATEGORY_LIMITS.phrases} phrases`];
  const out: string[] = [];
  for (const p of phrases) {
    if (typeof p !== "string" || p.trim() === "" || p.length > CATEGORY_LIMITS.phraseChars) {
      out.push(`${key} phrase ${JSON.stringify(p)} must be a non-empty string of at most ${CATEGORY_LIMITS.phraseChars} characters`);
      continue;
    }
    if (!/[\p{L}\p{N}]/u.test(p)) {
      out.push(`${key} phrase "${p}" has no letter or digit`);
      continue;
    }
    // Checked on what the matcher sees (core/categories.ts): each part's runs of letters, marks and digits, a stem
    // being its last run. So "a.*" stems "a", and "--" is no word at all (the matcher would drop it).
    for (const w of p.trim().split(/\s+/)) {
      const runs = (w.endsWith("*") ? w.slice(0, -1) : w).match(WORD) ?? [];
      if (w.slice(0, -1).includes("*")) out.push(`${key} phrase "${p}": '*' only ends a word (a stem)`);
      else if (runs.length === 0) out.push(`${key} phrase "${p}": "${w}" has no letter or digit (the matcher would drop it)`);
      else if (w.endsWith("*") && [...runs[runs.length - 1]].length < CATEGORY_LIMITS.stemChars)
        out.push(
          `${key} phrase "${p}": a stem needs at least ${CATEGORY_LIMITS.stemChars} letters or digits before '*' ("${w}" stems "${runs[runs.length - 1]}")`,
        );
    }
  }
  return out;
}

function conditionProblems(c: unknown): string[] {
  if (!isObject(c)) return ["must be an object"];
  const keys = CONDITION_KEYS.filter((k) => k in c);
  if (keys.length !== 1) return [`must have exactly one of ${CONDITION_KEYS.join(", ")}`];
  const allowed: Record<(typeof CONDITION_KEYS)[number], string[]> = {
    transcript: ["transcript", "speaker"],
    summary: ["summary"],
    sentiment: ["sentiment", "atLeast", "speaker"],
    present: ["present"],
  };
  const kind = keys[0];
  const out = Object.keys(c)
    .filter((k) => !allowed[kind].includes(k))
    .map((k) => `${kind} condition has unknown field "${k}"`);
  if ("speaker" in c && !(SPEAKER_ROLES as readonly unknown[]).includes(c.speaker)) out.push(`speaker must be one of ${SPEAKER_ROLES.join(", ")}`);
  if (kind === "transcript" || kind === "summary") out.push(...phraseProblems(c[kind], kind));
  if (kind === "sentiment") {
    if (!(SENTIMENT_KEYS as readonly unknown[]).includes(c.sentiment)) out.push(`sentiment must be one of ${SENTIMENT_KEYS.join(", ")}`);
    if (typeof c.atLeast !== "number" || !(c.atLeast >= 0 && c.atLeast <= 1)) out.push("atLeast must be a number 0-1");
  }
  if (kind === "present" && c.present !== "risks" && c.present !== "actionItems") out.push("present must be risks or actionItems");
  return out;
}

/** Every problem of a tenant's rules (empty when usable): shapes, limits, unique names, the document size. */
export function categoryRuleProblems(rules: unknown): CategoryRuleProblem[] {
  if (!Array.isArray(rules)) return [{ message: "must be an array of rules" }];
  const out: CategoryRuleProblem[] = [];
  if (rules.length > CATEGORY_LIMITS.rules) out.push({ message: `has ${rules.length} rules, at most ${CATEGORY_LIMITS.rules}` });
  const bytes = new TextEncoder().encode(JSON.stringify(rules)).length;
  if (bytes > CATEGORY_LIMITS.documentBytes) out.push({ message: `is ${bytes} bytes as JSON, at most ${CATEGORY_LIMITS.documentBytes}` });
  const seen = new Set<string>();
  rules.forEach((r, index) => {
    const add = (message: string) => out.push({ index, message });
    if (!isObject(r)) {
      add("must be an object with name and conditions");
      return;
    }
    const name = r.name;
    if (typeof name !== "string" || name.trim() === "" || name.length > CATEGORY_LIMITS.nameChars || /\p{Cc}/u.test(name))
      add(`name must be 1-${CATEGORY_LIMITS.nameChars} characters without control characters`);
    else if (seen.has(name)) add(`name "${name}" is used by another rule`);
    else seen.add(name);
    for (const k of Object.keys(r)) if (!["name", "match", "conditions"].includes(k)) add(`unknown field "${k}"`);
    if (r.match !== undefined && r.match !== "any" && r.match !== "all") add('match must be "any" or "all"');
    const conditions = r.conditions;
    if (!Array.isArray(conditions) || conditions.length < 1 || conditions.length > CATEGORY_LIMITS.conditions) {
      add(`conditions must list 1-${CATEGORY_LIMITS.conditions} conditions`);
      return;
    }
    conditions.forEach((c, i) => {
      for (const m of conditionProblems(c)) add(`conditions[${i}]: ${m}`);
    });
  });
  return out;
}

/** A problem as the configuration error shows it: the tenant and the rule by index and name. */
export function describeRuleProblem(tenant: string, rules: readonly unknown[], p: CategoryRuleProblem): string {
  if (p.index === undefined) return `tenant "${tenant}": categories ${p.message}`;
  const name = isObject(rules[p.index]) ? (rules[p.index] as Record<string, unknown>).name : undefined;
  return `tenant "${tenant}": categories[${p.index}]${typeof name === "string" ? ` (rule "${name}")` : ""} ${p.message}`;
}
