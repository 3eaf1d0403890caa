/**
 * Call categories: the matcher (lambda-src/core/categories.ts) in English, German and Japanese, roles as
 * lambda-src/contracts/speaker-roles.ts gives them (stereo: `ch_0` customer, `ch_1` agent; mono: none), and rule
 * validation.
 */
import { speakerRole } from "../../lambda-src/contracts/speaker-roles";
import { type CategoryInput, categorize, words } from "../../lambda-src/core/categories";
import { CATEGORY_LIMITS, type CategoryRule, categoryRuleProblems, describeRuleProblem } from "../../lambda-src/core/category-rules";

const score = (negative: number, positive = 0) => ({
  Sentiment: "NEGATIVE" as const,
  SentimentScore: { Positive: positive, Negative: negative, Neutral: 1 - negative - positive, Mixed: 0 },
});
/** A call of labelled turns; its speaker mode follows the labels, as core/transcript.ts reads them (`ch_`: channels). */
function call(languageCode: string, turns: Array<[string, string]>, extra: Partial<CategoryInput> = {}): CategoryInput {
  const mode = turns.length === 0 ? null : turns[0][0].startsWith("ch_") ? "channel_identification" : "speaker_labels";
  return {
    languageCode,
    text: turns.map(([, t]) => t).join(" "),
    speakerMode: mode,
    turns: turns.map(([label, text]) => ({ label, text })),
    summary: null,
    sentiment: null,
    speakers: [],
    risks: [],
    actionItems: [],
    ...extra,
  };
}
const rule = (name: string, conditions: CategoryRule["conditions"], match?: "all"): CategoryRule => ({ name, conditions, ...(match ? { match } : {}) });

describe("categorize: English", () => {
  // Stereo as Amazon Connect records it: the customer on the first channel, the agent on the second.
  const input = call("en-US", [
    ["ch_1", "Thank you for calling, how can I help?"],
    ["ch_0", "I want to CANCEL my subscription. Cancellation today, please!"],
  ]);

  it("matches whole words case-insensitively, per speaker role or either, and says what matched", () => {
    const rules = [
      rule("churn", [{ transcript: ["cancel", "close my account"], speaker: "customer" }]),
      rule("greeting", [{ transcript: ["thank you for calling"], speaker: "agent" }]),
      rule("anyone", [{ transcript: ["subscription"] }]),
    ];
    expect(categorize(rules, input)).toEqual([
      { name: "churn", matched_by: ['transcript(customer): "cancel"'] },
      { name: "greeting", matched_by: ['transcript(agent): "thank you for calling"'] },
      { name: "anyone", matched_by: ['transcript: "subscription"'] },
    ]);
  });

  it("does not match across roles, inside words, or phrases whose words do not follow each other", () => {
    const rules = [
      rule("agent-cancel", [{ transcript: ["cancel"], speaker: "agent" }]),
      rule("substring", [{ transcript: ["scrip", "ancel"] }]),
      rule("gap", [{ transcript: ["cancel subscription"] }]),
    ];
    expect(categorize(rules, input)).toEqual([]);
  });

  it("stems are prefixes of words, also inside a phrase", () => {
    const rules = [rule("stem", [{ transcript: ["cancel*", "my subscr*"], speaker: "customer" }])];
    expect(categorize(rules, input)).toEqual([{ name: "stem", matched_by: ['transcript(customer): "cancel*"', 'transcript(customer): "my subscr*"'] }]);
  });

  it("sentiment thresholds per role or for the call, presence of risks and action items, any and all", () => {
    const rich = {
      ...input,
      sentiment: score(0.4),
      speakers: [
        { label: "ch_0", talk_time_seconds: 1, word_count: 1, sentiment: score(0.7) },
        { label: "ch_1", talk_time_seconds: 1, word_count: 1, sentiment: score(0.1, 0.8) },
      ],
      risks: ["churn"],
      summary: "The customer asked for a refund.",
    };
    const rules = [
      rule("angry", [{ sentiment: "negative", speaker: "customer", atLeast: 0.6 }]),
      rule("call-negative", [{ sentiment: "negative", atLeast: 0.5 }]),
      rule("happy-agent", [{ sentiment: "positive", speaker: "agent", atLeast: 0.8 }]),
      rule("risky", [{ present: "risks" }, { present: "actionItems" }]),
      rule("all-of", [{ present: "risks" }, { summary: ["refund*"] }], "all"),
      rule("all-fails", [{ present: "risks" }, { present: "actionItems" }], "all"),
    ];
    expect(categorize(rules, rich)).toEqual([
      { name: "angry", matched_by: ["sentiment.customer.negative >= 0.6"] },
      { name: "happy-agent", matched_by: ["sentiment.agent.positive >= 0.8"] },
      { name: "risky", matched_by: ["risks present"] },
      { name: "all-of", matched_by: ["risks present", 'summary: "refund*"'] },
    ]);
  });

  it("a model-only sentiment (no scores) meets no threshold; a call without labels matches only role-free phrases", () => {
    const plain: CategoryInput = { ...call("en-US", []), text: "Please cancel it.", sentiment: { Sentiment: "NEGATIVE", SentimentScore: null } };
    const rules = [
      rule("a", [{ sentiment: "negative", atLeast: 0 }]),
      rule("b", [{ transcript: ["cancel"], speaker: "customer" }]),
      rule("c", [{ transcript: ["cancel"] }]),
    ];
    expect(categorize(rules, plain)).toEqual([{ name: "c", matched_by: ['transcript: "cancel"'] }]);
  });

  it("roles: on a stereo call ch_0 is the customer and ch_1 the agent; other channels and every mono label have none", () => {
    const stereo = ["ch_0", "ch_1", "ch_2"].map((l) => speakerRole("channel_identification", l));
    expect(stereo).toEqual(["customer", "agent", "other"]);
    expect(["spk_0", "spk_1", "ch_0"].map((l) => speakerRole("speaker_labels", l))).toEqual(["other", "other", "other"]);
    expect(speakerRole(null, "ch_1")).toBe("other");
  });
});

describe("categorize: a mono call (speaker labels)", () => {
  // Which voice is the agent's is unknown: no condition with `speaker` holds, whatever the labels' order.
  const mono = call("en-US", [
    ["spk_0", "Thank you for calling, how can I help?"],
    ["spk_1", "I want to CANCEL my subscription."],
  ]);
  const rules = [
    rule("churn", [{ transcript: ["cancel"], speaker: "customer" }]),
    rule("greeting", [{ transcript: ["thank you for calling"], speaker: "agent" }]),
    rule("angry", [{ sentiment: "negative", speaker: "customer", atLeast: 0.5 }]),
    rule("anyone", [{ transcript: ["cancel"] }]),
    rule("call-negative", [{ sentiment: "negative", atLeast: 0.5 }]),
  ];

  it("matches role-free conditions only: transcript phrases and the call's sentiment", () => {
    const rich: CategoryInput = {
      ...mono,
      sentiment: score(0.6),
      speakers: [
        { label: "spk_0", talk_time_seconds: 1, word_count: 1, sentiment: score(0.9) },
        { label: "spk_1", talk_time_seconds: 1, word_count: 1, sentiment: score(0.9) },
      ],
    };
    expect(categorize(rules, rich)).toEqual([
      { name: "anyone", matched_by: ['transcript: "cancel"'] },
      { name: "call-negative", matched_by: ["sentiment.negative >= 0.5"] },
    ]);
  });

  it("the same words on a stereo call match by role", () => {
    const stereo = call("en-US", [
      ["ch_1", "Thank you for calling, how can I help?"],
      ["ch_0", "I want to CANCEL my subscription."],
    ]);
    expect(categorize(rules.slice(0, 2), stereo).map((c) => c.name)).toEqual(["churn", "greeting"]);
  });
});

describe("categorize: German", () => {
  const input = call("de-DE", [
    ["ch_1", "Guten Tag, Sie sprechen mit der Kundenbetreuung."],
    ["ch_0", "Ich möchte KÜNDIGEN. Wie lang ist die Kündigungsfrist? Ich wohne in der HAUPTSTRASSE."],
  ]);

  it("folds case with umlauts and ß = ss", () => {
    expect(words("ÄRGER Straße STRASSE Über", "de-DE")).toEqual(["ärger", "strasse", "strasse", "über"]);
    const rules = [rule("kuendigung", [{ transcript: ["kündigen", "hauptstraße"], speaker: "customer" }])];
    expect(categorize(rules, input)).toEqual([{ name: "kuendigung", matched_by: ['transcript(customer): "kündigen"', 'transcript(customer): "hauptstraße"'] }]);
  });

  it("compounds are one word: a stem finds the compound's head, never a word inside it; no umlaut transliteration", () => {
    const found = (p: string) => categorize([rule("x", [{ transcript: [p] }])], input).length > 0;
    expect(found("kündigung*")).toBe(true); // Kündigungsfrist
    expect(found("frist")).toBe(false);
    expect(found("frist*")).toBe(false);
    expect(found("kuendigen")).toBe(false); // ü is not ue
    expect(found("kündigungsfrist")).toBe(true);
  });
});

describe("categorize: Japanese (no spaces)", () => {
  const input = call("ja-JP", [
    ["ch_1", "お電話ありがとうございます。"],
    ["ch_0", "サービスを解約したいのですが、よろしいですか？返金もお願いします。"],
  ]);

  it("finds dictionary words and stems in unspaced text, by role", () => {
    const rules = [
      rule("解約", [{ transcript: ["解約", "返金"], speaker: "customer" }]),
      rule("stem", [{ transcript: ["サービス*"] }]),
      rule("agent", [{ transcript: ["解約"], speaker: "agent" }]),
    ];
    expect(categorize(rules, input)).toEqual([
      { name: "解約", matched_by: ['transcript(customer): "解約"', 'transcript(customer): "返金"'] },
      { name: "stem", matched_by: ['transcript: "サービス*"'] },
    ]);
  });

  it("a phrase the segmenter splits matches as a sequence of its segments", () => {
    expect(words("解約したい", "ja-JP").length).toBeGreaterThan(1);
    expect(categorize([rule("p", [{ transcript: ["解約したい"] }])], input)).toHaveLength(1);
  });
});

describe("categoryRuleProblems", () => {
  it("accepts good rules and names each problem's rule", () => {
    expect(
      categoryRuleProblems([
        rule("ok", [
          { transcript: ["a bc*"], speaker: "customer" },
          { sentiment: "mixed", atLeast: 1 },
        ]),
      ]),
    ).toEqual([]);
    const bad: unknown[] = [
      { name: "x", conditions: [] },
      { name: "x", conditions: [{ transcript: ["c*ancel"] }] },
      { name: "y", conditions: [{ transcript: ["a*"], summary: ["b"] }, { sentiment: "angry", atLeast: 2 }, { present: "x" }], match: "most" },
      { name: "z", conditions: [{ transcript: ["!!"], speaker: "boss" }] },
      { name: "w", conditions: [{ transcript: ["a.*", "--* refund", "ok*"] }] },
    ];
    const problems = categoryRuleProblems(bad).map((p) => describeRuleProblem("acme", bad, p));
    expect(problems).toEqual([
      'tenant "acme": categories[0] (rule "x") conditions must list 1-10 conditions',
      'tenant "acme": categories[1] (rule "x") name "x" is used by another rule',
      'tenant "acme": categories[1] (rule "x") conditions[0]: transcript phrase "c*ancel": \'*\' only ends a word (a stem)',
      'tenant "acme": categories[2] (rule "y") match must be "any" or "all"',
      'tenant "acme": categories[2] (rule "y") conditions[0]: must have exactly one of transcript, summary, sentiment, present',
      'tenant "acme": categories[2] (rule "y") conditions[1]: sentiment must be one of positive, negative, neutral, mixed',
      'tenant "acme": categories[2] (rule "y") conditions[1]: atLeast must be a number 0-1',
      'tenant "acme": categories[2] (rule "y") conditions[2]: present must be risks or actionItems',
      'tenant "acme": categories[3] (rule "z") conditions[0]: speaker must be one of agent, customer',
      'tenant "acme": categories[3] (rule "z") conditions[0]: transcript phrase "!!" has no letter or digit',
      // Checked on what the matcher sees: "a.*" stems "a"; "--" is no word, so "--* refund" would match "refund".
      'tenant "acme": categories[4] (rule "w") conditions[0]: transcript phrase "a.*": a stem needs at least 2 letters or digits before \'*\' ("a.*" stems "a")',
      'tenant "acme": categories[4] (rule "w") conditions[0]: transcript phrase "--* refund": "--*" has no letter or digit (the matcher would drop it)',
    ]);
  });

  it("caps the number of rules and the document size", () => {
    const many = Array.from({ length: CATEGORY_LIMITS.rules + 1 }, (_, i) => rule(`r${i}`, [{ present: "risks" }]));
    expect(categoryRuleProblems(many).map((p) => p.message)).toEqual([`has 51 rules, at most ${CATEGORY_LIMITS.rules}`]);
    const phrases = Array.from({ length: 50 }, (_, i) => `${"x".repeat(95)}${i}`);
    const big = Array.from({ length: 20 }, (_, i) => rule(`r${i}`, [{ transcript: phrases }]));
    expect(categoryRuleProblems(big)[0].message).toMatch(/^is \d+ bytes as JSON, at most 65536$/);
  });

  it("fifty realistic rules fit", () => {
    const fifty = Array.from({ length: 50 }, (_, i) =>
      rule(`category ${i}`, [{ transcript: ["cancel*", "close my account", "speak to a manager", "refund*"], speaker: "customer" }, { present: "risks" }]),
    );
    expect(categoryRuleProblems(fifty)).toEqual([]);
  });
});
