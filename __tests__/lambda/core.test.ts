import { ENV, wavHeader, flacHeader, mp3Header, speakerTranscript, channelTranscript, GOOD_ANSWER } from "./fixtures";
import { callIdFromFileName, extensionOf, decodeS3Key, isFolderMarker, parseUploadKey, CALL_ID_MAX, MAX_MEDIA_BYTES } from "../../lambda-src/core/s3-key";
import { buildJobName, JOB_NAME_MAX, JOB_NAME_PATTERN, jobNamePrefix, sourceObjectHash } from "../../lambda-src/core/job-name";
import { detectAudioHeader, parseFlacHeader, parseMp3Header, parseWavHeader } from "../../lambda-src/core/audio-header";
import { aggregateSentiment, batches, chunkText, utf8Bytes } from "../../lambda-src/core/sentiment";
import {
  buildRepairPrompt,
  buildSummaryPrompt,
  largerTokenBudget,
  modelRetryDeadline,
  parseSummaryAnswer,
  PROMPT_TRANSCRIPT_CHAR_BUDGET,
  summaryFields,
  truncateTranscript,
} from "../../lambda-src/core/summary";
import { buildResult, latencyMs, serializeResult } from "../../lambda-src/core/result";
import { RESULT_COLUMNS, type CallResult } from "../../lambda-src/contracts/result-schema";
import { resultKey } from "../../lambda-src/contracts/storage-layout";
import { analyzeTranscript, parseS3Uri } from "../../lambda-src/core/transcript";
import { buildStartJobRequest, tagsToRecord } from "../../lambda-src/core/transcribe-request";
import { checkUpload, preCheckUpload } from "../../lambda-src/core/upload";
import { ANALYZE_ENVIRONMENT, readConfig, RECONCILE_ENVIRONMENT, START_ENVIRONMENT } from "../../lambda-src/contracts/environment";
import { ERROR_CODES, isRetryable } from "../../lambda-src/core/errors";
import { parseTenantSettings } from "../../lambda-src/contracts/tenant-settings";

describe("S3 key decoding", () => {
  it("decodes + as a space before percent-decoding", () => {
    expect(decodeS3Key("demo-tenant/calls/my+call+1.wav")).toBe("demo-tenant/calls/my call 1.wav");
  });
  it("keeps a literal plus encoded as %2B", () => {
    expect(decodeS3Key("demo-tenant/calls/a%2Bb.wav")).toBe("demo-tenant/calls/a+b.wav");
  });
  it("decodes UTF-8 percent escapes (unicode file names)", () => {
    expect(decodeS3Key("demo-tenant/calls/%C3%BCber+%E9%80%9A%E8%A9%B1.mp3")).toBe("demo-tenant/calls/über 通話.mp3");
  });
  it("returns undefined for malformed percent-encoding instead of throwing", () => {
    expect(decodeS3Key("demo-tenant/calls/bad%E0%A4%A.wav")).toBeUndefined();
    expect(decodeS3Key("demo-tenant/calls/100%.wav")).toBeUndefined();
  });
  it("recognises folder markers only for zero-byte keys ending in /", () => {
    expect(isFolderMarker("demo-tenant/calls/", 0)).toBe(true);
    expect(isFolderMarker("demo-tenant/calls/", 10)).toBe(false);
    expect(isFolderMarker("demo-tenant/calls/a.wav", 0)).toBe(false);
  });
});

describe("upload key layout and call id", () => {
  it("accepts exactly <tenant>/calls/<file> with a case-insensitive extension", () => {
    const p = parseUploadKey("demo-tenant/calls/Call-001.WAV");
    expect(p).toEqual({ ok: true, value: { tenant: "demo-tenant", fileName: "Call-001.WAV", extension: "wav", mediaFormat: "wav", callId: "Call-001" } });
  });
  it("rejects nested folders under calls/ and keys outside calls/", () => {
    expect(parseUploadKey("demo-tenant/calls/2026/a.wav").ok).toBe(false);
    expect(parseUploadKey("demo-tenant/other/a.wav").ok).toBe(false);
    expect(parseUploadKey("a.wav").ok).toBe(false);
  });
  it("maps every supported extension to its MediaFormat and leaves others undefined", () => {
    for (const ext of ["wav", "mp3", "m4a", "flac", "ogg", "webm", "mp4", "amr"]) {
      const p = parseUploadKey(`t/calls/x.${ext.toUpperCase()}`);
      expect(p.ok && p.value.mediaFormat).toBe(ext);
    }
    const bad = parseUploadKey("t/calls/x.aac");
    expect(bad.ok && bad.value.mediaFormat).toBeUndefined();
    const none = parseUploadKey("t/calls/noext");
    expect(none.ok && none.value.extension).toBe("");
  });
  it("keeps clean call ids and sanitises others with a hash suffix", () => {
    expect(callIdFromFileName("call_01.2026-03.wav")).toBe("call_01.2026-03");
    const a = callIdFromFileName("a b.wav");
    const b = callIdFromFileName("a_b.wav");
    expect(a).toMatch(/^a_b-[0-9a-f]{8}$/);
    expect(b).toBe("a_b");
    expect(callIdFromFileName("über 通話.mp3")).toMatch(/^_ber___-[0-9a-f]{8}$/);
    expect(callIdFromFileName(".hidden.wav")).toMatch(/^_hidden-[0-9a-f]{8}$/);
  });
  it("truncates long call ids to the maximum with a hash suffix", () => {
    const id = callIdFromFileName(`${"x".repeat(300)}.wav`);
    expect(id.length).toBeLessThanOrEqual(CALL_ID_MAX);
    expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(callIdFromFileName(`${"x".repeat(300)}.wav`)).toBe(id);
    expect(callIdFromFileName(`${"x".repeat(301)}.wav`)).not.toBe(id);
  });
  it("extensions are lower-cased without the dot; a leading dot is part of the name", () => {
    expect(extensionOf("x.WAV")).toBe("wav");
    expect(extensionOf("a.b.Json")).toBe("json");
    expect(extensionOf(".wav")).toBe("");
    expect(extensionOf("README")).toBe("");
  });
});

describe("upload checks", () => {
  const candidate = (key: string) => {
    const c = preCheckUpload(key, 10);
    if (c.kind !== "candidate") throw new Error("expected candidate");
    return c;
  };
  it("rejects an undecodable key as INVALID_KEY under unassigned", () => {
    expect(preCheckUpload("demo-tenant/calls/%ZZ.wav", 10)).toMatchObject({ kind: "reject", tenant: "unassigned", code: "INVALID_KEY" });
  });
  it("ignores folder markers", () => {
    expect(preCheckUpload("demo-tenant/calls/", 0)).toMatchObject({ kind: "ignore" });
  });
  const settings = { tenant_id: "demo-tenant", languages: ["en-US" as const], redact_pii: false, max_speakers: 2, results_retention_days: 30 };
  const known = { kind: "known" as const, settings };
  const invalid = { kind: "invalid" as const, problem: "SSM parameter /x is unusable: languages must list 1-5" };
  it("orders the checks: tenant, layout, extension, size, tenant settings", () => {
    expect(checkUpload(candidate("nobody/calls/a.wav"), { kind: "unknown" }, 10)).toMatchObject({ code: "UNKNOWN_TENANT", tenant: "unassigned" });
    expect(checkUpload(candidate("demo-tenant/x/a.wav"), known, 10)).toMatchObject({ code: "KEY_OUTSIDE_CALLS", tenant: "demo-tenant" });
    expect(checkUpload(candidate("demo-tenant/calls/a.txt"), known, 10)).toMatchObject({ code: "UNSUPPORTED_FORMAT" });
    expect(checkUpload(candidate("demo-tenant/calls/a.wav"), known, 0)).toMatchObject({ code: "EMPTY_OBJECT" });
    expect(checkUpload(candidate("demo-tenant/calls/a.wav"), known, MAX_MEDIA_BYTES + 1)).toMatchObject({ code: "TOO_LARGE" });
    expect(checkUpload(candidate("demo-tenant/calls/a.txt"), invalid, 10)).toMatchObject({ code: "UNSUPPORTED_FORMAT" });
    expect(checkUpload(candidate("demo-tenant/calls/a.wav"), invalid, 10)).toEqual({
      kind: "reject",
      tenant: "demo-tenant",
      callId: "a",
      code: "INVALID_TENANT_SETTINGS",
      message: invalid.problem,
    });
    expect(checkUpload(candidate("demo-tenant/calls/a.wav"), known, MAX_MEDIA_BYTES)).toMatchObject({
      kind: "accept",
      mediaFormat: "wav",
      callId: "a",
      settings,
    });
  });
});

describe("job naming", () => {
  const prefix = jobNamePrefix("cci-lite", "prod");
  const src = { bucket: "in", key: "demo-tenant/calls/a.wav", versionId: "v1", etag: "e1" };
  it("is deterministic, valid and starts with the prefix", () => {
    const n = buildJobName(prefix, "demo-tenant", "a", src);
    expect(n).toBe(buildJobName(prefix, "demo-tenant", "a", { ...src }));
    expect(n).toMatch(JOB_NAME_PATTERN);
    expect(n.startsWith("cci-lite-prod-demo-tenant-a-")).toBe(true);
    expect(n).toMatch(/-[0-9a-f]{16}$/);
  });
  it("differs per object version, and per ETag when there is no version id", () => {
    const v1 = buildJobName(prefix, "t", "a", src);
    const v2 = buildJobName(prefix, "t", "a", { ...src, versionId: "v2" });
    const e1 = buildJobName(prefix, "t", "a", { ...src, versionId: null });
    const e2 = buildJobName(prefix, "t", "a", { ...src, versionId: null, etag: "e2" });
    expect(new Set([v1, v2, e1, e2]).size).toBe(4);
    // the ETag's quotes do not matter
    expect(sourceObjectHash({ ...src, versionId: null, etag: '"e1"' })).toBe(sourceObjectHash({ ...src, versionId: null }));
  });
  it("stays within 200 characters for very long tenant and call ids", () => {
    const n = buildJobName(prefix, "t".repeat(32), "c".repeat(300), src);
    expect(n.length).toBeLessThanOrEqual(JOB_NAME_MAX);
    expect(n).toMatch(JOB_NAME_PATTERN);
    expect(buildJobName(prefix, "t", "ü/x", src)).toMatch(JOB_NAME_PATTERN);
  });
});

describe("audio header parsing", () => {
  it("reads the channel count of a PCM WAV, also after another chunk", () => {
    expect(parseWavHeader(wavHeader(1))).toMatchObject({ channels: 1, sampleRateHz: 8000 });
    expect(parseWavHeader(wavHeader(2, { leadingChunk: true }))).toMatchObject({ channels: 2 });
  });
  it("reads WAVE_FORMAT_EXTENSIBLE headers", () => {
    expect(parseWavHeader(wavHeader(2, { extensible: true, sampleRate: 48000 }))).toMatchObject({ channels: 2, sampleRateHz: 48000 });
  });
  it("reads FLAC STREAMINFO", () => {
    expect(parseFlacHeader(flacHeader(2, 44100))).toEqual({ container: "flac", channels: 2, sampleRateHz: 44100 });
    expect(parseFlacHeader(flacHeader(1, 16000))).toEqual({ container: "flac", channels: 1, sampleRateHz: 16000 });
  });
  it("reads the MP3 channel mode, skipping an ID3v2 tag", () => {
    expect(parseMp3Header(mp3Header(true))).toMatchObject({ channels: 1, sampleRateHz: 44100 });
    expect(parseMp3Header(mp3Header(false, 300))).toMatchObject({ channels: 2 });
  });
  it("returns undefined for garbage, truncated headers and formats without a parser", () => {
    expect(parseWavHeader(new Uint8Array(10))).toBeUndefined();
    expect(parseWavHeader(wavHeader(2).slice(0, 20))).toBeUndefined();
    expect(parseFlacHeader(new TextEncoder().encode("fLaC"))).toBeUndefined();
    expect(parseMp3Header(new Uint8Array(64))).toBeUndefined();
    expect(detectAudioHeader("m4a", wavHeader(2))).toBeUndefined();
    expect(detectAudioHeader("wav", new Uint8Array())).toBeUndefined();
  });
});

describe("Comprehend chunking", () => {
  const multiByte = "Das Gespräch über Rückerstattungen war schwierig. 顧客は返金を求めました。😀 Emoji-Test läuft! ";
  it("keeps short text in one chunk", () => {
    expect(chunkText("Hello there.")).toEqual(["Hello there."]);
    expect(chunkText("")).toEqual([]);
  });
  it("splits long multi-byte text into <= 5000-byte chunks without losing or splitting characters", () => {
    const text = multiByte.repeat(200);
    expect(utf8Bytes(text)).toBeGreaterThan(20000);
    const chunks = chunkText(text);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(utf8Bytes(c)).toBeLessThanOrEqual(5000);
      expect(c).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/); // no broken surrogate pair at the edges
      expect(Buffer.from(c, "utf8").toString("utf8")).toBe(c);
    }
    expect(chunks.join("")).toBe(text);
  });
  it("falls back to whitespace and then code points for sentences over the limit", () => {
    const noPunct = "wörter ".repeat(2000); // one "sentence" of 16,000 bytes
    const chunks = chunkText(noPunct);
    expect(chunks.join("")).toBe(noPunct);
    for (const c of chunks) expect(utf8Bytes(c)).toBeLessThanOrEqual(5000);
    const oneWord = "語".repeat(4000); // 12,000 bytes, no whitespace
    const cp = chunkText(oneWord);
    expect(cp.join("")).toBe(oneWord);
    for (const c of cp) expect(utf8Bytes(c)).toBeLessThanOrEqual(5000);
    expect(cp.every((c) => utf8Bytes(c) % 3 === 0)).toBe(true);
    const emoji = "😀".repeat(3000);
    const e = chunkText(emoji, 5000);
    expect(e.join("")).toBe(emoji);
    for (const c of e) expect(utf8Bytes(c) % 4).toBe(0);
  });
  it("batches at most 25 documents", () => {
    const b = batches(Array.from({ length: 60 }, (_, i) => i));
    expect(b.map((x) => x.length)).toEqual([25, 25, 10]);
  });
});

describe("sentiment aggregation", () => {
  const s = (label: any, Positive: number, Negative: number, Neutral: number, Mixed: number) => ({
    Sentiment: label,
    SentimentScore: { Positive, Negative, Neutral, Mixed },
  });
  it("weights chunk scores by byte length and takes the argmax label", () => {
    const agg = aggregateSentiment([
      { bytes: 3000, sentiment: s("NEGATIVE", 0.1, 0.8, 0.1, 0) },
      { bytes: 1000, sentiment: s("POSITIVE", 0.9, 0.0, 0.1, 0) },
    ]);
    expect(agg?.Sentiment).toBe("NEGATIVE");
    expect(agg?.SentimentScore?.Negative).toBeCloseTo(0.6);
    expect(agg?.SentimentScore?.Positive).toBeCloseTo(0.3);
  });
  it("returns null when no chunk has scores", () => {
    expect(aggregateSentiment([])).toBeNull();
    expect(aggregateSentiment([{ bytes: 10, sentiment: { Sentiment: "NEUTRAL", SentimentScore: null } }])).toBeNull();
  });
});

describe("summary prompt and answer parsing", () => {
  it("builds a prompt with speaker labels, the language and the JSON contract", () => {
    const p = buildSummaryPrompt("spk_0: Hello.\nspk_1: Hi.", "en-US");
    expect(p.system).toMatch(/ONLY one JSON object/);
    expect(p.system).toMatch(/action_items/);
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0].text).toContain("spk_0: Hello.");
    expect(p.messages[0].text).toContain("en-US");
  });
  it("truncates transcripts over the character budget, keeping head and tail", () => {
    const long = `START ${"x".repeat(PROMPT_TRANSCRIPT_CHAR_BUDGET)} END`;
    const t = truncateTranscript(long);
    expect(t.truncated).toBe(true);
    expect(t.text.startsWith("START")).toBe(true);
    expect(t.text.endsWith("END")).toBe(true);
    expect(t.text.length).toBeLessThan(PROMPT_TRANSCRIPT_CHAR_BUDGET + 100);
    expect(buildSummaryPrompt(long, "en-US").messages[0].text).toMatch(/shortened/);
    const emoji = truncateTranscript("😀".repeat(10), 5);
    expect(emoji.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
  it("builds a repair conversation with the previous answer and the error", () => {
    const p = buildSummaryPrompt("spk_0: hi", "en-US");
    const r = buildRepairPrompt(p, "not json", "no JSON object found");
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(r.messages[1].text).toBe("not json");
    expect(r.messages[2].text).toContain("no JSON object found");
  });
  it("parses a clean answer and one wrapped in code fences and prose", () => {
    expect(parseSummaryAnswer(GOOD_ANSWER)).toMatchObject({ ok: true, value: { sentiment: "MIXED", action_items: ["Send refund confirmation"] } });
    const wrapped = `Here is the analysis:\n\`\`\`json\n${GOOD_ANSWER}\n\`\`\`\nLet me know {if} you need more.`;
    expect(parseSummaryAnswer(wrapped).ok).toBe(true);
  });
  it("normalises the sentiment case and handles braces inside strings", () => {
    const a = JSON.stringify({ summary: "Used {curly} braces", action_items: [], risks: [], sentiment: "negative" });
    expect(parseSummaryAnswer(a)).toMatchObject({ ok: true, value: { summary: "Used {curly} braces", sentiment: "NEGATIVE" } });
  });
  it("rejects answers without a usable summary with a useful error", () => {
    expect(parseSummaryAnswer("I cannot help with that.")).toEqual({ ok: false, error: "no JSON object found in the answer" });
    expect(parseSummaryAnswer('{"summary": "", "action_items": [], "risks": [], "sentiment": "MIXED"}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/summary/),
    });
    expect(parseSummaryAnswer('{"summary": 42, "action_items": []}')).toMatchObject({ ok: false, error: expect.stringMatching(/summary/) });
    expect(parseSummaryAnswer('{"action_items": ["a"], "risks": [], "sentiment": "MIXED"}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/summary/),
    });
    expect(parseSummaryAnswer('{"summary": "x", "action_items": [')).toMatchObject({ ok: false });
    expect(parseSummaryAnswer("{'summary': 'x'}")).toMatchObject({ ok: false, error: expect.stringMatching(/does not parse/) });
  });
});

describe("tolerant reading of the model's answer (only truly missing parts are marked)", () => {
  const ok = (answer: string) => {
    const r = parseSummaryAnswer(answer);
    if (!r.ok) throw new Error(`expected a usable answer, got: ${r.error}`);
    return r;
  };
  const json = (o: unknown) => JSON.stringify(o);
  it("a complete answer has nothing missing", () => {
    expect(ok(GOOD_ANSWER).missing).toEqual([]);
  });
  it("missing optional keys: the summary stays, each absent part is listed", () => {
    expect(ok(json({ summary: "S." }))).toEqual({
      ok: true,
      value: { summary: "S.", action_items: [], risks: [], sentiment: null },
      missing: ["action_items", "risks", "sentiment"],
    });
    expect(ok(json({ summary: "S.", action_items: ["a"], sentiment: "POSITIVE" })).missing).toEqual(["risks"]);
    expect(ok(json({ summary: "S.", action_items: null, risks: [], sentiment: "NEUTRAL" })).missing).toEqual(["action_items"]);
  });
  it("extra keys are ignored", () => {
    const r = ok(json({ summary: "S.", action_items: [], risks: [], sentiment: "MIXED", confidence: 0.9, topics: ["billing"] }));
    expect(r).toMatchObject({ value: { summary: "S.", sentiment: "MIXED" }, missing: [] });
  });
  it("key case and spelling: Summary, actionItems, Action Items, Risks", () => {
    expect(ok(json({ Summary: "S.", actionItems: ["a"], Risks: ["r"], Sentiment: "Negative" }))).toMatchObject({
      value: { summary: "S.", action_items: ["a"], risks: ["r"], sentiment: "NEGATIVE" },
      missing: [],
    });
    expect(ok(json({ SUMMARY: "S.", "Action Items": ["a"], risk: [], customer_sentiment: "neutral" }))).toMatchObject({
      value: { action_items: ["a"], risks: [], sentiment: "NEUTRAL" },
      missing: [],
    });
  });
  it("the sentiment label in any case, with punctuation or as an object; an unknown label is missing, not fatal", () => {
    expect(ok(json({ summary: "S.", action_items: [], risks: [], sentiment: "positive" })).value.sentiment).toBe("POSITIVE");
    expect(ok(json({ summary: "S.", action_items: [], risks: [], sentiment: " Mixed. " })).value.sentiment).toBe("MIXED");
    expect(ok(json({ summary: "S.", action_items: [], risks: [], sentiment: { label: "negative", score: 0.8 } })).value.sentiment).toBe("NEGATIVE");
    expect(ok(json({ summary: "S.", action_items: [], risks: [], sentiment: "ANGRY" }))).toMatchObject({
      value: { summary: "S.", sentiment: null },
      missing: ["sentiment"],
    });
  });
  it("JSON wrapped in prose, in a ```json fence, or in a wrapper object", () => {
    expect(ok(`Sure! Here is the analysis:\n${GOOD_ANSWER}\nHope this helps.`).missing).toEqual([]);
    expect(ok(`\`\`\`json\n${GOOD_ANSWER}\n\`\`\``).missing).toEqual([]);
    expect(ok(`\`\`\`\n${GOOD_ANSWER}\n\`\`\``).missing).toEqual([]);
    expect(ok(json({ analysis: JSON.parse(GOOD_ANSWER) })).value.summary).toContain("billing error");
  });
  it("action items and risks as objects: their text/description field is taken", () => {
    const r = ok(
      json({
        summary: "S.",
        action_items: [{ description: "Send the refund", owner: "agent", due: "today" }, { text: "Call back" }, "Plain one"],
        risks: [{ risk: "Churn", severity: "high" }, { title: "Escalation" }],
        sentiment: "NEGATIVE",
      }),
    );
    expect(r).toMatchObject({ value: { action_items: ["Send the refund", "Call back", "Plain one"], risks: ["Churn", "Escalation"] }, missing: [] });
  });
  it("a single string instead of a list, and 'none' meaning an empty list", () => {
    expect(ok(json({ summary: "S.", action_items: "Send the refund", risks: "none", sentiment: "NEUTRAL" }))).toMatchObject({
      value: { action_items: ["Send the refund"], risks: [] },
      missing: [],
    });
    expect(ok(json({ summary: "S.", action_items: ["N/A"], risks: [""], sentiment: "NEUTRAL" }))).toMatchObject({
      value: { action_items: [], risks: [] },
      missing: [],
    });
  });
  it("list entries with no text are dropped; a list with nothing usable is missing", () => {
    expect(ok(json({ summary: "S.", action_items: ["a", 1, { owner: "x" }], risks: [], sentiment: "NEUTRAL" }))).toMatchObject({
      value: { action_items: ["a"] },
      missing: [],
    });
    expect(ok(json({ summary: "S.", action_items: [1, 2], risks: 7, sentiment: "NEUTRAL" }))).toMatchObject({
      value: { action_items: [], risks: [] },
      missing: ["action_items", "risks"],
    });
  });
  it("trailing commas are forgiven; braces inside strings do not confuse the object search", () => {
    expect(ok('{"summary": "S {x}.", "action_items": ["a",], "risks": [], "sentiment": "MIXED",}')).toMatchObject({
      value: { summary: "S {x}.", action_items: ["a"] },
      missing: [],
    });
  });
  it("of several objects, the one with a summary and the fewest missing parts wins", () => {
    const answer = `First draft: {"summary": "Draft."}\nFinal: ${GOOD_ANSWER}`;
    expect(ok(answer)).toMatchObject({ value: { summary: expect.stringContaining("billing") }, missing: [] });
  });
});

describe("summary outcome -> record fields", () => {
  const value = { summary: "S.", action_items: ["a"], risks: [], sentiment: null };
  it("a complete answer has no summary_error", () => {
    expect(summaryFields({ ok: true, value, missing: [], repaired: false }, true)).toMatchObject({ summary: "S.", summaryError: null, failed: false });
  });
  it("marks missing parts as SUMMARY_INCOMPLETE; a missing model sentiment only when it is used", () => {
    expect(summaryFields({ ok: true, value, missing: ["risks", "sentiment"], repaired: false }, false).summaryError).toEqual({
      code: "SUMMARY_INCOMPLETE",
      message: "The model's answer lacked: risks",
    });
    expect(summaryFields({ ok: true, value, missing: ["sentiment"], repaired: false }, false).summaryError).toBeNull();
    expect(summaryFields({ ok: true, value, missing: ["sentiment"], repaired: false }, true).summaryError?.message).toMatch(/sentiment/);
  });
  it("no summary: summary_error carries the code and message, counted as failed", () => {
    expect(summaryFields({ ok: false, code: ERROR_CODES.SUMMARY_INVALID, message: "m" }, false)).toEqual({
      summary: null,
      actionItems: [],
      risks: [],
      modelSentiment: null,
      summaryError: { code: "SUMMARY_INVALID", message: "m" },
      failed: true,
    });
  });
  it("doubles a truncated answer's budget up to 8192, and bounds the retry window at 6 h after the job finished", () => {
    expect(largerTokenBudget(1024)).toBe(2048);
    expect(largerTokenBudget(5000)).toBe(8192);
    expect(largerTokenBudget(8192)).toBeUndefined();
    expect(modelRetryDeadline(new Date("2026-03-14T09:30:00Z"))?.toISOString()).toBe("2026-03-14T15:30:00.000Z");
    expect(modelRetryDeadline(undefined)).toBeUndefined();
  });
});

describe("transcript analysis", () => {
  it("computes per-speaker talk time, word counts, duration and a labelled rendering", () => {
    const t = analyzeTranscript(
      speakerTranscript([
        ["spk_0", 0.5, 1.0, "Hello", ","],
        ["spk_0", 1.0, 1.5, "welcome", "."],
        ["spk_1", 2.0, 2.5, "Thanks", "."],
        ["spk_0", 3.0, 4.25, "Bye", "."],
      ]),
    );
    expect(t.speakerMode).toBe("speaker_labels");
    expect(t.durationSeconds).toBe(4.25);
    expect(t.speakers).toEqual([
      { label: "spk_0", talkTimeSeconds: 2.25, wordCount: 3, text: "Hello, welcome. Bye." },
      { label: "spk_1", talkTimeSeconds: 0.5, wordCount: 1, text: "Thanks." },
    ]);
    expect(t.labelledText).toBe("spk_0: Hello, welcome.\nspk_1: Thanks.\nspk_0: Bye.");
    expect(t.languageCode).toBe("en-US");
  });
  it("computes per-channel statistics for channel identification", () => {
    const t = analyzeTranscript(
      channelTranscript(
        [
          [0, 1, "Hello"],
          [4, 5, "Sure"],
        ],
        [[2, 3.5, "Hi"]],
      ),
    );
    expect(t.speakerMode).toBe("channel_identification");
    expect(t.speakers.map((s) => [s.label, s.talkTimeSeconds, s.wordCount])).toEqual([
      ["ch_0", 2, 2],
      ["ch_1", 1.5, 1],
    ]);
    expect(t.labelledText).toBe("ch_0: Hello\nch_1: Hi\nch_0: Sure");
    expect(t.durationSeconds).toBe(5);
  });
  it("maps speakers through speaker_labels.segments when items have no speaker_label", () => {
    const doc = {
      results: {
        transcripts: [{ transcript: "a b" }],
        speaker_labels: {
          segments: [
            { speaker_label: "spk_0", start_time: "0", end_time: "1", items: [{ start_time: "0.0", speaker_label: "spk_0" }] },
            { speaker_label: "spk_1", start_time: "1", end_time: "3", items: [{ start_time: "1.0", speaker_label: "spk_1" }] },
          ],
        },
        items: [
          { start_time: "0.0", end_time: "1.0", type: "pronunciation", alternatives: [{ content: "a" }] },
          { start_time: "1.0", end_time: "3.0", type: "pronunciation", alternatives: [{ content: "b" }] },
        ],
      },
    };
    const t = analyzeTranscript(doc);
    expect(t.speakers.map((s) => [s.label, s.talkTimeSeconds, s.wordCount])).toEqual([
      ["spk_0", 1, 1],
      ["spk_1", 2, 1],
    ]);
  });
  it("handles an empty transcript", () => {
    const t = analyzeTranscript({ results: { transcripts: [{ transcript: "" }], items: [] } });
    expect(t).toMatchObject({ text: "", durationSeconds: null, speakers: [], speakerMode: null });
  });
  it("parses transcript URIs: s3://, path-style and virtual-hosted https", () => {
    expect(parseS3Uri("s3://b/tmp/t/j.json")).toEqual({ bucket: "b", key: "tmp/t/j.json" });
    expect(parseS3Uri("https://s3.eu-central-1.amazonaws.com/b/tmp/t/j.json")).toEqual({ bucket: "b", key: "tmp/t/j.json" });
    expect(parseS3Uri("https://s3.amazonaws.com/b/tmp/t/j.json")).toEqual({ bucket: "b", key: "tmp/t/j.json" });
    expect(parseS3Uri("https://my.bucket.s3.eu-central-1.amazonaws.com/tmp/t/j%20x.json")).toEqual({ bucket: "my.bucket", key: "tmp/t/j x.json" });
    expect(parseS3Uri("https://b.s3.amazonaws.com/k.json")).toEqual({ bucket: "b", key: "k.json" });
    expect(parseS3Uri("https://example.com/b/k")).toBeUndefined();
    expect(parseS3Uri("not a uri")).toBeUndefined();
  });
});

describe("StartTranscriptionJob request", () => {
  const upload = {
    tenant: "demo-tenant",
    callId: "a",
    bucket: "in",
    key: "demo-tenant/calls/a.wav",
    versionId: "v1",
    etag: '"e"',
    size: 10,
    uploadedAt: "2026-03-14T09:26:53.000Z",
    sourceKeyHash: "abc",
  };
  const tenant = { tenant_id: "demo-tenant", languages: ["en-US"] as any, redact_pii: true, max_speakers: 4, results_retention_days: 30 };
  const base = {
    jobName: "cci-lite-test-x",
    upload,
    mediaFormat: "wav" as const,
    tenant,
    channels: undefined,
    resultsBucket: "res",
    kmsKeyArn: "kms",
    dataAccessRoleArn: "role",
  };
  it("uses LanguageCode, speaker labels and redaction for a one-language mono tenant", () => {
    const r = buildStartJobRequest(base);
    expect(r).toMatchObject({
      LanguageCode: "en-US",
      Settings: { ShowSpeakerLabels: true, MaxSpeakerLabels: 4 },
      ContentRedaction: { RedactionType: "PII", RedactionOutput: "redacted" },
      OutputKey: "tmp/demo-tenant/cci-lite-test-x.json",
      JobExecutionSettings: { DataAccessRoleArn: "role", AllowDeferredExecution: true },
    });
    expect(r.Settings?.ChannelIdentification).toBeUndefined();
    expect(r.IdentifyLanguage).toBeUndefined();
    expect(tagsToRecord(r.Tags)).toMatchObject({ tenant: "demo-tenant", call_id: "a", source_etag: "e", uploaded_at: upload.uploadedAt });
  });
  it("uses language identification for 2-5 languages and channel identification for stereo (never both speaker modes)", () => {
    const r = buildStartJobRequest({ ...base, tenant: { ...tenant, languages: ["en-US", "de-DE"] as any, redact_pii: false }, channels: 2 });
    expect(r).toMatchObject({ IdentifyLanguage: true, LanguageOptions: ["en-US", "de-DE"], Settings: { ChannelIdentification: true } });
    expect(r.LanguageCode).toBeUndefined();
    expect(r.Settings?.ShowSpeakerLabels).toBeUndefined();
    expect(r.ContentRedaction).toBeUndefined();
  });
  it("never drops ContentRedaction for a tenant with redact_pii: settings that make redaction impossible throw", () => {
    for (const languages of [["en-GB"], ["es-US"]]) {
      expect(buildStartJobRequest({ ...base, tenant: { ...tenant, languages: languages as any }, channels: 2 }).ContentRedaction).toEqual({
        RedactionType: "PII",
        RedactionOutput: "redacted",
      });
    }
    for (const languages of [["en-US", "de-DE"], ["de-DE"], []]) {
      expect(() => buildStartJobRequest({ ...base, tenant: { ...tenant, languages: languages as any } })).toThrow(
        /requires PII redaction.*not starting an unredacted job/,
      );
    }
  });
});

describe("results", () => {
  it("every CallResult key has a RESULT_COLUMNS entry or is the tenant partition", () => {
    const r: CallResult = buildResult("COMPLETED", { tenant: "t", callId: "c", source: { bucket: "b", key: "k" }, now: new Date(0) });
    const columns = new Set(RESULT_COLUMNS.map((c) => c.name));
    for (const k of Object.keys(r)) if (k !== "tenant") expect(columns).toContain(k);
    for (const c of columns) expect(Object.keys(r)).toContain(c);
  });
  it("serialises a record as one line of JSON", () => {
    const r = buildResult(
      "FAILED",
      { tenant: "t", callId: "c", source: { bucket: "b", key: "k", etag: '"abc"' }, now: new Date("2026-01-02T03:04:05Z") },
      { summary: "line1\nline2" },
      { code: "X", message: "m" },
    );
    const s = serializeResult(r);
    expect(s.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(s)).toMatchObject({
      status: "FAILED",
      error: { code: "X" },
      source_etag: "abc",
      timestamp: "2026-01-02T03:04:05.000Z",
      summary: "line1\nline2",
    });
  });
  it("builds result keys from the UTC date", () => {
    expect(resultKey("t", new Date("2026-03-01T00:30:00+02:00"), "c")).toBe("t/2026/02/28/c.json");
  });
  it("computes the processing latency from the upload time", () => {
    expect(latencyMs("2026-01-01T00:00:00Z", new Date("2026-01-01T00:01:00Z"))).toBe(60000);
    expect(latencyMs(null, new Date())).toBeUndefined();
    expect(latencyMs("garbage", new Date())).toBeUndefined();
  });
});

describe("configuration and errors", () => {
  it("reads the handler environment", () => {
    expect(readConfig(START_ENVIRONMENT, ENV)).toMatchObject({ jobNamePrefix: "cci-lite-test-", transcribeRoleArn: ENV.TRANSCRIBE_ROLE_ARN });
    expect(readConfig(ANALYZE_ENVIRONMENT, { ...ENV, DELETE_INPUT_ON_SUCCESS: "TRUE" })).toMatchObject({ bedrockMaxTokens: 1024, deleteInputOnSuccess: true });
    expect(readConfig(RECONCILE_ENVIRONMENT, { ...ENV, RECONCILE_LOOKBACK_HOURS: undefined })).toMatchObject({ reconcileLookbackHours: 48, stuckJobHours: 6 });
    expect(() => readConfig(START_ENVIRONMENT, { ...ENV, TRANSCRIBE_ROLE_ARN: "" })).toThrow(/TRANSCRIBE_ROLE_ARN/);
    expect(() => readConfig(ANALYZE_ENVIRONMENT, { ...ENV, BEDROCK_MAX_TOKENS: "lots" })).toThrow(/BEDROCK_MAX_TOKENS/);
  });
  it("classifies retryable AWS errors", () => {
    expect(isRetryable({ name: "ThrottlingException" })).toBe(true);
    expect(isRetryable({ name: "LimitExceededException" })).toBe(true);
    expect(isRetryable({ name: "Whatever", $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryable({ name: "BadRequestException", $metadata: { httpStatusCode: 400 } })).toBe(false);
  });
  it("parses tenant settings with defaults and rejects unusable documents", () => {
    expect(parseTenantSettings("t", '{"languages":["en-US"]}')).toEqual({
      tenant_id: "t",
      languages: ["en-US"],
      redact_pii: false,
      max_speakers: 2,
      results_retention_days: 30,
    });
    expect(() => parseTenantSettings("t", '{"languages":[]}')).toThrow();
    expect(() => parseTenantSettings("t", "nope")).toThrow();
  });
});
