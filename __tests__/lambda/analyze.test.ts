import type { Context } from "aws-lambda";
import { awsError, body, channelTranscript, ENV, EVENT_TIME, FakeBucket, GOOD_ANSWER, speakerTranscript } from "./fixtures";
import { mockClient } from "aws-sdk-client-mock";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetTranscriptionJobCommand, TranscribeClient, type TranscriptionJob } from "@aws-sdk/client-transcribe";
import { BatchDetectSentimentCommand, ComprehendClient, DetectSentimentCommand } from "@aws-sdk/client-comprehend";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { handlerWith } from "../../lambda-src/handlers/analyze";
import { metrics } from "../../lambda-src/aws/observability";
import { manualClock } from "../../lambda-src/core/clock";
import { CLAIM_MS, mayClaim } from "../../lambda-src/services/job-claim";
import { MAX_MEDIA_BYTES } from "../../lambda-src/core/s3-key";

const s3 = mockClient(S3Client);
const transcribe = mockClient(TranscribeClient);
const comprehend = mockClient(ComprehendClient);
const bedrock = mockClient(BedrockRuntimeClient);
let metricSpy: jest.SpyInstance;

/** The function's clock: 8.5 h after the job finished (past the model's 6 h retry window) unless a test moves it. */
const NOW = "2026-03-14T18:00:00.000Z";
const clock = manualClock(NOW);
const handler = handlerWith(clock);

const JOB = "cci-lite-test-demo-tenant-call-001-0123456789abcdef";
const RESULT_KEY = "demo-tenant/2026/03/14/call-001.json";
const TRANSCRIPT_KEY = `tmp/demo-tenant/${JOB}.json`;

function job(status: string, o: Partial<TranscriptionJob> = {}): TranscriptionJob {
  return {
    TranscriptionJobName: JOB,
    TranscriptionJobStatus: status as any,
    LanguageCode: "en-US",
    CreationTime: new Date("2026-03-14T09:27:00Z"),
    CompletionTime: new Date("2026-03-14T09:30:00Z"),
    Media: { MediaFileUri: `s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/call-001.wav` },
    Transcript: status === "COMPLETED" ? { TranscriptFileUri: `https://s3.eu-central-1.amazonaws.com/${ENV.RESULTS_BUCKET}/${TRANSCRIPT_KEY}` } : undefined,
    Tags: [
      { Key: "tenant", Value: "demo-tenant" },
      { Key: "call_id", Value: "call-001" },
      { Key: "uploaded_at", Value: EVENT_TIME },
      { Key: "source_version_id", Value: "v1" },
      { Key: "source_etag", Value: "etag1" },
      { Key: "source_size_bytes", Value: "4096" },
    ],
    ...o,
  };
}

const TWO_SPEAKERS = speakerTranscript([
  ["spk_0", 0.5, 1.0, "Hello", ","],
  ["spk_0", 1.0, 1.5, "billing", "."],
  ["spk_1", 2.0, 2.5, "Refund", "."],
]);

const event = (name = JOB, status = "COMPLETED") => ({
  version: "0",
  id: "e",
  "detail-type": "Transcribe Job State Change" as const,
  source: "aws.transcribe",
  account: "111122223333",
  time: "2026-03-14T09:30:01Z",
  region: "eu-central-1",
  resources: [],
  detail: { TranscriptionJobName: name, TranscriptionJobStatus: status },
});

const SCORE = { Positive: 0.1, Negative: 0.7, Neutral: 0.15, Mixed: 0.05 };
const converse = (text: string, stopReason: "end_turn" | "max_tokens" = "end_turn") => ({
  output: { message: { role: "assistant" as const, content: [{ text }] } },
  stopReason,
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
});

beforeEach(() => {
  clock.set(NOW);
  s3.reset();
  transcribe.reset();
  comprehend.reset();
  bedrock.reset();
  process.env.DELETE_INPUT_ON_SUCCESS = "false";
  transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED") });
  s3.on(HeadObjectCommand).rejects(awsError("NotFound", 404));
  s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(TWO_SPEAKERS)) });
  s3.on(GetObjectCommand, { Key: RESULT_KEY }).rejects(awsError("NoSuchKey", 404));
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  comprehend.on(DetectSentimentCommand).resolves({ Sentiment: "NEGATIVE", SentimentScore: SCORE });
  comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({
    ResultList: input.TextList.map((_, Index) => ({ Index, Sentiment: "NEGATIVE", SentimentScore: SCORE })),
    ErrorList: [],
  }));
  bedrock.on(ConverseCommand).resolves(converse(GOOD_ANSWER));
  metricSpy = jest.spyOn(metrics, "addMetric");
});
afterEach(() => metricSpy.mockRestore());

/** Record writes (the "settled" markers under cci-lite/ are checked on their own). */
const puts = () =>
  s3
    .commandCalls(PutObjectCommand)
    .filter((c) => !String(c.args[0].input.Key).startsWith("cci-lite/"))
    .map((c) => ({ input: c.args[0].input, body: JSON.parse(String(c.args[0].input.Body)) }));
const onlyRecord = () => {
  const p = puts();
  expect(p).toHaveLength(1);
  expect(p[0].input.Key).toBe(RESULT_KEY);
  return p[0].body;
};
/** The record already at the result key. */
const existing = (record: Record<string, unknown>) =>
  s3.on(GetObjectCommand, { Key: RESULT_KEY }).resolves({ ETag: '"record-etag"', Body: body(JSON.stringify(record)) });
const metricNames = () => metricSpy.mock.calls.map((c) => c[0]);

describe("analyze handler", () => {
  it("writes a COMPLETED result with summary, sentiment and speakers (happy path)", async () => {
    const out = await handler(event());
    expect(out).toMatchObject({ outcome: "COMPLETED", resultKey: RESULT_KEY });
    const p = puts()[0];
    expect(p.input).toMatchObject({
      Bucket: ENV.RESULTS_BUCKET,
      ContentType: "application/json",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: ENV.KMS_KEY_ARN,
      Metadata: { status: "COMPLETED", "job-name": JOB },
    });
    expect(String(p.input.Body).trimEnd()).not.toContain("\n");
    expect(p.body).toMatchObject({
      status: "COMPLETED",
      tenant: "demo-tenant",
      call_id: "call-001",
      summary: expect.stringContaining("refund"),
      action_items: ["Send refund confirmation"],
      risks: ["Customer threatened to cancel"],
      sentiment: { Sentiment: "NEGATIVE", SentimentScore: SCORE },
      sentiment_source: "comprehend",
      language_code: "en-US",
      duration_seconds: 2.5,
      speaker_mode: "speaker_labels",
      error: null,
      source_bucket: ENV.INPUT_BUCKET,
      source_key: "demo-tenant/calls/call-001.wav",
      source_version_id: "v1",
      source_etag: "etag1",
      source_size_bytes: 4096,
      transcription_job_name: JOB,
      model_id: ENV.BEDROCK_MODEL_ID,
      uploaded_at: EVENT_TIME,
      job_started_at: "2026-03-14T09:27:00.000Z",
      job_completed_at: "2026-03-14T09:30:00.000Z",
      timestamp: NOW,
    });
    expect(p.body.speakers).toEqual([
      { label: "spk_0", talk_time_seconds: 1, word_count: 2, sentiment: { Sentiment: "NEGATIVE", SentimentScore: SCORE } },
      { label: "spk_1", talk_time_seconds: 0.5, word_count: 1, sentiment: { Sentiment: "NEGATIVE", SentimentScore: SCORE } },
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: ENV.RESULTS_BUCKET, Key: RESULT_KEY }, // the identity check before any model call
      // The exact upload: one byte of the input key, whose ETag is compared with the one the job was started for.
      { Bucket: ENV.INPUT_BUCKET, Key: "demo-tenant/calls/call-001.wav", Range: "bytes=0-0" },
      { Bucket: ENV.RESULTS_BUCKET, Key: TRANSCRIPT_KEY },
      { Bucket: ENV.RESULTS_BUCKET, Key: `cci-lite/jobs/${JOB}.json` }, // the job's claim, before the first paid call
      { Bucket: ENV.RESULTS_BUCKET, Key: RESULT_KEY }, // read again for the conditional write
    ]);
    expect(p.input.IfNoneMatch).toBe("*");
    // The claim (taken, then with the saved sentiment), the record, the settled marker.
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      `cci-lite/jobs/${JOB}.json`,
      `cci-lite/jobs/${JOB}.json`,
      RESULT_KEY,
      `cci-lite/reconcile/done/2026-03-14T09/${JOB}`,
    ]);
    const conv = bedrock.commandCalls(ConverseCommand)[0].args[0].input;
    expect(conv).toMatchObject({ modelId: ENV.BEDROCK_MODEL_ID, inferenceConfig: { maxTokens: 1024, temperature: 0 } });
    expect(conv.system?.[0]).toMatchObject({ text: expect.stringContaining("JSON") });
    expect((conv.messages![0].content![0] as { text: string }).text).toContain("spk_0: Hello, billing.\nspk_1: Refund.");
    expect(metricNames()).toEqual(["CallsCompleted", "ProcessingLatency"]);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it("deletes the source audio version after a COMPLETED result when DELETE_INPUT_ON_SUCCESS is true", async () => {
    process.env.DELETE_INPUT_ON_SUCCESS = "true";
    await handler(event());
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({ Bucket: ENV.INPUT_BUCKET, Key: "demo-tenant/calls/call-001.wav", VersionId: "v1" });
  });

  it("writes a FAILED error record with Transcribe's FailureReason for a FAILED job", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("FAILED", { FailureReason: "Unsupported audio codec" }) });
    process.env.DELETE_INPUT_ON_SUCCESS = "true";
    const out = await handler(event(JOB, "FAILED"));
    expect(out).toMatchObject({ outcome: "FAILED", errorCode: "TRANSCRIBE_FAILED" });
    expect(onlyRecord()).toMatchObject({ status: "FAILED", error: { code: "TRANSCRIBE_FAILED", message: "Unsupported audio codec" }, summary: null });
    expect(puts()[0].input.Metadata).toEqual({ status: "FAILED", "job-name": JOB });
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(metricNames()).toEqual(["CallsFailed"]);
  });

  it("records an empty transcript as FAILED EMPTY_TRANSCRIPT without calling Comprehend or Bedrock", async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify({ results: { transcripts: [{ transcript: "" }], items: [] } })) });
    await handler(event());
    expect(onlyRecord()).toMatchObject({ status: "FAILED", error: { code: "EMPTY_TRANSCRIPT" }, language_code: "en-US", speakers: [] });
    expect(comprehend.calls()).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
  });

  it("handles a call with one speaker", async () => {
    s3.on(GetObjectCommand).resolves({
      Body: body(
        JSON.stringify(
          speakerTranscript([
            ["spk_0", 0, 2, "Just", ","],
            ["spk_0", 2, 3, "me", "."],
          ]),
        ),
      ),
    });
    await handler(event());
    const r = onlyRecord();
    expect(r.status).toBe("COMPLETED");
    expect(r.speakers).toEqual([{ label: "spk_0", talk_time_seconds: 3, word_count: 2, sentiment: expect.objectContaining({ Sentiment: "NEGATIVE" }) }]);
  });

  it("reports per-channel statistics for a stereo call (channel identification)", async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(channelTranscript([[0, 1, "Hello"]], [[1.5, 3, "Hi"]]))) });
    await handler(event());
    const r = onlyRecord();
    expect(r.speaker_mode).toBe("channel_identification");
    expect(r.speakers.map((s: any) => [s.label, s.talk_time_seconds, s.word_count])).toEqual([
      ["ch_0", 1, 1],
      ["ch_1", 1.5, 1],
    ]);
    expect((bedrock.commandCalls(ConverseCommand)[0].args[0].input.messages![0].content![0] as { text: string }).text).toContain("ch_0: Hello\nch_1: Hi");
  });

  it("chunks a transcript over 5,000 bytes of multi-byte text into BatchDetectSentiment calls and aggregates them", async () => {
    const words: Array<[string, number, number, string, string?]> = [];
    for (let i = 0; i < 2500; i++) words.push([i % 2 ? "spk_1" : "spk_0", i, i + 0.5, "Rückerstattung", i % 10 === 9 ? "。" : undefined]);
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(speakerTranscript(words, "de-DE"))) });
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { LanguageCode: "de-DE" }) });
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({
      ResultList: input.TextList.map((_, Index) => ({ Index, Sentiment: "NEGATIVE", SentimentScore: SCORE })).filter((r) => r.Index !== 1),
      ErrorList: input.TextList.length > 1 ? [{ Index: 1, ErrorCode: "INTERNAL_SERVER_ERROR", ErrorMessage: "x" }] : [],
    }));
    await handler(event());
    const batchCalls = comprehend.commandCalls(BatchDetectSentimentCommand);
    expect(batchCalls.length).toBeGreaterThan(0);
    for (const c of batchCalls) {
      const { TextList, LanguageCode } = c.args[0].input;
      expect(LanguageCode).toBe("de");
      expect(TextList!.length).toBeLessThanOrEqual(25);
      for (const t of TextList!) expect(Buffer.byteLength(t, "utf8")).toBeLessThanOrEqual(5000);
    }
    // whole-call text went through batches (not DetectSentiment), nothing over the limit was sent anywhere
    for (const c of comprehend.commandCalls(DetectSentimentCommand)) expect(Buffer.byteLength(c.args[0].input.Text!, "utf8")).toBeLessThanOrEqual(5000);
    const r = onlyRecord();
    expect(r).toMatchObject({ status: "COMPLETED", sentiment: { Sentiment: "NEGATIVE" }, sentiment_source: "comprehend", language_code: "de-DE" });
    expect(r.sentiment.SentimentScore.Negative).toBeCloseTo(0.7);
  });

  it("falls back to the model's sentiment label for a language Comprehend lacks", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { LanguageCode: "nl-NL" }) });
    await handler(event());
    expect(comprehend.calls()).toHaveLength(0);
    const r = onlyRecord();
    expect(r).toMatchObject({
      status: "COMPLETED",
      sentiment: { Sentiment: "MIXED", SentimentScore: null },
      sentiment_source: "model",
      language_code: "nl-NL",
    });
    expect(r.speakers.every((s: any) => s.sentiment === null)).toBe(true);
  });

  it("falls back to the model's label when Comprehend rejects the language permanently", async () => {
    comprehend.on(DetectSentimentCommand).rejects(awsError("UnsupportedLanguageException", 400));
    await handler(event());
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", sentiment: { Sentiment: "MIXED", SentimentScore: null }, sentiment_source: "model" });
  });

  it("throws on Comprehend throttling so the event is retried", async () => {
    comprehend.on(DetectSentimentCommand).rejects(awsError("ThrottlingException", 400));
    await expect(handler(event())).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(puts()).toHaveLength(0);
  });

  /** A job that finished a minute ago: model errors that may pass are still inside the retry window. */
  const finishedJustNow = () =>
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { CompletionTime: new Date(clock.now().getTime() - 60_000) }) });

  it("dates the record and its latency by the clock it is given, not the machine's", async () => {
    clock.set("2031-07-01T00:00:00Z");
    await handler(event());
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", timestamp: "2031-07-01T00:00:00.000Z", uploaded_at: EVENT_TIME });
    expect(metricSpy.mock.calls.find((c) => c[0] === "ProcessingLatency")?.[2]).toBe(Date.parse("2031-07-01T00:00:00Z") - Date.parse(EVENT_TIME));
  });

  it("decides the model's retry window by that clock too", async () => {
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    clock.set("2026-03-14T15:29:59Z"); // 6 h after 09:30 minus a second: retried
    await expect(handler(event())).rejects.toMatchObject({
      name: "RetryableError",
      message: expect.stringContaining("retried until 2026-03-14T15:30:00.000Z"),
    });
    clock.set("2026-03-14T15:30:00Z"); // the deadline: recorded without a summary
    await handler(event());
    expect(onlyRecord()).toMatchObject({ summary: null, summary_error: { code: "MODEL_UNAVAILABLE" }, timestamp: "2026-03-14T15:30:00.000Z" });
  });

  it("throws on Bedrock throttling within the retry window so the event is retried (no record written)", async () => {
    finishedJustNow();
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    await expect(handler(event())).rejects.toMatchObject({
      name: "RetryableError",
      code: "MODEL_UNAVAILABLE",
      message: expect.stringContaining("ThrottlingException"),
    });
    expect(puts()).toHaveLength(0);
  });

  it("throws on Bedrock ServiceUnavailable / ModelNotReady / AccessDenied within the retry window", async () => {
    finishedJustNow();
    bedrock.on(ConverseCommand).rejects(awsError("ModelNotReadyException", 429));
    await expect(handler(event())).rejects.toMatchObject({ name: "RetryableError", retryable: true });
    bedrock.on(ConverseCommand).rejects(awsError("ServiceUnavailableException", 503));
    await expect(handler(event())).rejects.toMatchObject({ name: "RetryableError", code: "MODEL_UNAVAILABLE" });
    // A cross-region profile routing to a region the grant or model access does not reach yet: passes in a rollout.
    bedrock.on(ConverseCommand).rejects(awsError("AccessDeniedException", 403));
    await expect(handler(event())).rejects.toMatchObject({ name: "RetryableError", code: "MODEL_ACCESS_DENIED" });
    expect(puts()).toHaveLength(0);
  });

  it("records the call without a summary once the retry window has passed (6 h after the job finished)", async () => {
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    await handler(event());
    expect(onlyRecord()).toMatchObject({
      status: "COMPLETED",
      error: null,
      summary: null,
      summary_error: { code: "MODEL_UNAVAILABLE", message: expect.stringContaining("after the retry window") },
      sentiment: { Sentiment: "NEGATIVE" },
    });
    expect(metricNames()).toEqual(expect.arrayContaining(["CallsCompleted", "SummariesFailed"]));
  });

  it("a model answer missing its optional keys yields a result with the summary", async () => {
    const answer = { Summary: "The customer asked about a refund; the agent confirmed it.", notes: "extra key", Sentiment: "negative" };
    bedrock.on(ConverseCommand).resolves(converse(`Here you go:\n\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``));
    await handler(event());
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1); // usable: no repair request
    expect(onlyRecord()).toMatchObject({
      status: "COMPLETED",
      error: null,
      summary: answer.Summary,
      action_items: [],
      risks: [],
      summary_error: { code: "SUMMARY_INCOMPLETE", message: "The model's answer lacked: action_items, risks" },
      sentiment: { Sentiment: "NEGATIVE", SentimentScore: SCORE },
    });
    expect(metricNames()).not.toContain("SummariesFailed");
  });

  it("takes action items and risks given as objects, and the model's label in any case where Comprehend has no language", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { LanguageCode: "nl-NL" }) });
    const answer = {
      summary: "Klant vraagt terugbetaling.",
      action_items: [{ description: "Terugbetaling bevestigen", owner: "agent" }],
      risks: [{ text: "Opzegging", severity: "high" }],
      sentiment: "Mixed",
    };
    bedrock.on(ConverseCommand).resolves(converse(JSON.stringify(answer)));
    await handler(event());
    expect(onlyRecord()).toMatchObject({
      status: "COMPLETED",
      action_items: ["Terugbetaling bevestigen"],
      risks: ["Opzegging"],
      sentiment: { Sentiment: "MIXED", SentimentScore: null },
      sentiment_source: "model",
      summary_error: null,
    });
  });

  it("marks a missing model sentiment only where it is used (no Comprehend for the language)", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { LanguageCode: "nl-NL" }) });
    bedrock.on(ConverseCommand).resolves(converse(JSON.stringify({ summary: "Kort gesprek.", action_items: [], risks: [] })));
    await handler(event());
    expect(onlyRecord()).toMatchObject({
      status: "COMPLETED",
      summary: "Kort gesprek.",
      sentiment: null,
      sentiment_source: null,
      summary_error: { code: "SUMMARY_INCOMPLETE", message: expect.stringContaining("sentiment") },
    });
  });

  it("a `max_tokens` answer is retried with a larger budget", async () => {
    bedrock
      .on(ConverseCommand)
      .resolvesOnce(converse('{"summary": "The customer reported a billing error and the agent', "max_tokens"))
      .resolves(converse(GOOD_ANSWER));
    await handler(event());
    const calls = bedrock.commandCalls(ConverseCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.inferenceConfig?.maxTokens)).toEqual([1024, 2048]);
    // The same question with room to finish, not a repair conversation.
    expect(calls[1].messages).toEqual(calls[0].messages);
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", summary: expect.stringContaining("refund"), summary_error: null });
  });

  it("records SUMMARY_TRUNCATED when the answer is still cut at the larger budget (no repair with the same budget)", async () => {
    bedrock.on(ConverseCommand).resolves(converse('{"summary": "An endless', "max_tokens"));
    await handler(event());
    expect(bedrock.commandCalls(ConverseCommand).map((c) => c.args[0].input.inferenceConfig?.maxTokens)).toEqual([1024, 2048]);
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", summary: null, summary_error: { code: "SUMMARY_TRUNCATED" } });
  });

  it("repairs malformed model JSON with one more request (repair succeeds)", async () => {
    bedrock
      .on(ConverseCommand)
      .resolvesOnce(converse('Sure! {"summary": "x", "action_items": "none"'))
      .resolves(converse(`\`\`\`json\n${GOOD_ANSWER}\n\`\`\``));
    await handler(event());
    const calls = bedrock.commandCalls(ConverseCommand);
    expect(calls).toHaveLength(2);
    const repair = calls[1].args[0].input.messages!;
    expect(repair.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect((repair[2].content![0] as { text: string }).text).toMatch(/invalid/);
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", summary: expect.any(String), error: null });
  });

  it("records a COMPLETED call with summary_error SUMMARY_INVALID when the repair also fails, keeping sentiment and speakers", async () => {
    bedrock.on(ConverseCommand).resolves(converse("I am not able to produce JSON today."));
    await handler(event());
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(2);
    const r = onlyRecord();
    expect(r).toMatchObject({
      status: "COMPLETED",
      error: null,
      summary_error: { code: "SUMMARY_INVALID" },
      summary: null,
      action_items: [],
      risks: [],
      duration_seconds: 2.5,
      sentiment: { Sentiment: "NEGATIVE" },
      sentiment_source: "comprehend",
    });
    expect(r.speakers).toHaveLength(2);
    expect(metricNames()).toEqual(["CallsCompleted", "ProcessingLatency", "SummariesFailed"]);
  });

  it("records MODEL_NOT_FOUND for a retired model (ResourceNotFoundException)", async () => {
    bedrock.on(ConverseCommand).rejects(awsError("ResourceNotFoundException", 404, "This model version has reached the end of its life."));
    await handler(event());
    expect(onlyRecord()).toMatchObject({
      status: "COMPLETED",
      summary: null,
      summary_error: { code: "MODEL_NOT_FOUND", message: expect.stringContaining("end of its life") },
    });
  });

  it("records MODEL_ACCESS_DENIED (after the retry window) and MODEL_REQUEST_INVALID in summary_error", async () => {
    bedrock.on(ConverseCommand).rejects(awsError("AccessDeniedException", 403));
    await handler(event());
    bedrock.on(ConverseCommand).rejects(awsError("ValidationException", 400));
    await handler(event());
    expect(puts().map((p) => [p.body.status, p.body.summary_error.code])).toEqual([
      ["COMPLETED", "MODEL_ACCESS_DENIED"],
      ["COMPLETED", "MODEL_REQUEST_INVALID"],
    ]);
  });

  it("records S3_ACCESS_DENIED when the transcript cannot be read", async () => {
    s3.on(GetObjectCommand, { Key: TRANSCRIPT_KEY }).rejects(awsError("AccessDenied", 403));
    await handler(event());
    expect(onlyRecord()).toMatchObject({ status: "FAILED", error: { code: "S3_ACCESS_DENIED" } });
    expect(bedrock.calls()).toHaveLength(0);
  });

  it("throws when S3 access is denied and the error record cannot be written either", async () => {
    s3.on(GetObjectCommand).rejects(awsError("AccessDenied", 403));
    s3.on(PutObjectCommand).rejects(awsError("AccessDenied", 403));
    await expect(handler(event())).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("skips a job whose COMPLETED result is already written (no Comprehend or Bedrock cost)", async () => {
    existing({ status: "COMPLETED", transcription_job_name: JOB, uploaded_at: EVENT_TIME });
    const out = await handler(event());
    expect(out).toMatchObject({ outcome: "SKIPPED" });
    expect(puts()).toHaveLength(0);
    expect(comprehend.calls()).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
  });

  it("reprocesses an existing result on a direct invocation with force", async () => {
    existing({ status: "COMPLETED", transcription_job_name: JOB, uploaded_at: EVENT_TIME });
    const out = await handler({ jobNames: [JOB, "other-env-job"], force: true });
    expect(out).toEqual({ results: [expect.objectContaining({ jobName: JOB, outcome: "COMPLETED" }), { jobName: "other-env-job", outcome: "NOT_OURS" }] });
    expect(puts()).toHaveLength(1);
    expect(puts()[0].input.IfMatch).toBe('"record-etag"');
  });

  it("a forced run after the transcript expired keeps the job's COMPLETED record and reports the failure", async () => {
    existing({ status: "COMPLETED", transcription_job_name: JOB, uploaded_at: EVENT_TIME });
    s3.on(GetObjectCommand, { Key: TRANSCRIPT_KEY }).rejects(awsError("NoSuchKey", 404));
    const out = await handler({ jobNames: [JOB], force: true });
    expect(out).toEqual({ results: [expect.objectContaining({ jobName: JOB, outcome: "SKIPPED", skipReason: "own", errorCode: "TRANSCRIPT_NOT_FOUND" })] });
    expect(puts()).toHaveLength(0);
  });

  it("a forced run whose summary fails past the model's window keeps the job's COMPLETED record (and its summary) and reports the failure", async () => {
    // Found by __tests__/lambda/interleavings.test.ts: the forced run wrote COMPLETED without a summary over it.
    existing({ status: "COMPLETED", transcription_job_name: JOB, uploaded_at: EVENT_TIME, summary: "The agent issued a refund." });
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    const out = await handler({ jobNames: [JOB], force: true });
    expect(out).toEqual({ results: [expect.objectContaining({ jobName: JOB, outcome: "SKIPPED", skipReason: "own", errorCode: "MODEL_UNAVAILABLE" })] });
    expect(puts()).toHaveLength(0);
  });

  it("a forced run whose summary fails still writes where the job has no COMPLETED record of its own", async () => {
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    const out = await handler({ jobNames: [JOB], force: true });
    expect(out).toEqual({ results: [expect.objectContaining({ jobName: JOB, outcome: "COMPLETED" })] });
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", summary: null, summary_error: { code: "MODEL_UNAVAILABLE" } });
  });

  it("reports a per-job error on a direct invocation instead of failing the whole batch", async () => {
    finishedJustNow();
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    const out = await handler({ jobNames: [JOB] });
    expect(out).toEqual({ results: [{ jobName: JOB, outcome: "ERROR", error: expect.stringContaining("ThrottlingException") }] });
  });

  it("replaces the record of an older upload of the same call", async () => {
    existing({ status: "COMPLETED", transcription_job_name: "cci-lite-test-demo-tenant-call-001-ffffffffffffffff", uploaded_at: "2026-03-14T09:00:00.000Z" });
    expect(await handler(event())).toMatchObject({ outcome: "COMPLETED" });
  });

  it("never replaces the record of a newer upload of the same call, and spends nothing on models", async () => {
    existing({ status: "COMPLETED", transcription_job_name: "cci-lite-test-demo-tenant-call-001-ffffffffffffffff", uploaded_at: "2026-03-14T10:00:00.000Z" });
    expect(await handler(event())).toMatchObject({ outcome: "SKIPPED", skipReason: "superseded" });
    expect(puts()).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
    expect(comprehend.calls()).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`cci-lite/reconcile/done/2026-03-14T09/${JOB}`]);
  });

  it("replaces its own JOB_STUCK record when the job finishes after all", async () => {
    existing({ status: "FAILED", transcription_job_name: JOB, uploaded_at: EVENT_TIME, error: { code: "JOB_STUCK", message: "x" } });
    expect(await handler(event())).toMatchObject({ outcome: "COMPLETED" });
    expect(puts()[0].input.IfMatch).toBe('"record-etag"');
  });

  it("re-reads and decides again when a concurrent write wins the race (412), never overwriting a newer upload", async () => {
    const newer = {
      status: "COMPLETED",
      transcription_job_name: "cci-lite-test-demo-tenant-call-001-ffffffffffffffff",
      uploaded_at: "2026-03-14T10:00:00.000Z",
    };
    let reads = 0;
    s3.on(GetObjectCommand, { Key: RESULT_KEY }).callsFake(() => {
      reads++;
      if (reads === 1) throw awsError("NoSuchKey", 404);
      return { ETag: '"newer"', Body: body(JSON.stringify(newer)) };
    });
    s3.on(PutObjectCommand, { Key: RESULT_KEY }).rejects(awsError("PreconditionFailed", 412));
    expect(await handler(event())).toMatchObject({ outcome: "SKIPPED", skipReason: "superseded" });
    expect(s3.commandCalls(PutObjectCommand, { Key: RESULT_KEY })).toHaveLength(0);
  });

  it("with DELETE_INPUT_ON_SUCCESS and no version id, deletes the source only while it has the processed ETag", async () => {
    process.env.DELETE_INPUT_ON_SUCCESS = "true";
    transcribe.on(GetTranscriptionJobCommand).resolves({
      TranscriptionJob: job("COMPLETED", { Tags: job("COMPLETED").Tags!.filter((t) => t.Key !== "source_version_id") }),
    });
    s3.on(DeleteObjectCommand).rejects(awsError("PreconditionFailed", 412)); // a newer upload replaced the key
    expect(await handler(event())).toMatchObject({ outcome: "COMPLETED" });
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({
      Bucket: ENV.INPUT_BUCKET,
      Key: "demo-tenant/calls/call-001.wav",
      IfMatch: '"etag1"',
    });
  });

  it("processes a hand-out from reconcile and throws its errors (Lambda's async retries and the dead-letter queue apply)", async () => {
    expect(await handler({ reconcile: { jobName: JOB, attempt: 2 } })).toMatchObject({ outcome: "COMPLETED" });
    // A transient error (Comprehend throttling: always retryable; Bedrock's are retryable within 6 h of the job's end).
    comprehend.on(DetectSentimentCommand).rejects(awsError("ThrottlingException", 429));
    comprehend.on(BatchDetectSentimentCommand).rejects(awsError("ThrottlingException", 429));
    s3.on(GetObjectCommand, { Key: RESULT_KEY }).rejects(awsError("NoSuchKey", 404));
    await expect(handler({ reconcile: { jobName: JOB, attempt: 3 } })).rejects.toMatchObject({ name: "ThrottlingException" });
  });

  it("ignores an event for another environment's job", async () => {
    const out = await handler(event("cci-lite-prod-demo-tenant-call-001-0123456789abcdef"));
    expect(out).toEqual({ ignored: "other environment" });
    expect(transcribe.calls()).toHaveLength(0);
    expect(puts()).toHaveLength(0);
  });

  it("reads the redacted transcript from a virtual-hosted URL when redaction is on", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({
      TranscriptionJob: job("COMPLETED", {
        Transcript: { RedactedTranscriptFileUri: `https://${ENV.RESULTS_BUCKET}.s3.eu-central-1.amazonaws.com/tmp/demo-tenant/redacted-${JOB}.json` },
      }),
    });
    await handler(event());
    expect(s3.commandCalls(GetObjectCommand)[2].args[0].input).toEqual({ Bucket: ENV.RESULTS_BUCKET, Key: `tmp/demo-tenant/redacted-${JOB}.json` });
  });

  it("logs and returns JOB_NOT_FOUND for a job Transcribe no longer knows", async () => {
    transcribe
      .on(GetTranscriptionJobCommand)
      .rejects(awsError("BadRequestException", 400, "The requested job couldn't be found. Check the job name and try your request again."));
    expect(await handler(event())).toMatchObject({ outcome: "JOB_NOT_FOUND" });
  });
});

describe("the exact upload: the input key must still hold the job's upload (ETag)", () => {
  const INPUT_KEY = "demo-tenant/calls/call-001.wav";
  /** The input key holds another upload of `size` bytes: a 1-byte read sees its ETag and size (416 when empty, as S3). */
  const overwrittenWith = (size: number) =>
    s3.on(GetObjectCommand, { Bucket: ENV.INPUT_BUCKET, Key: INPUT_KEY }).callsFake((i: { IfMatch?: string; Range?: string }) => {
      expect(i).toMatchObject({ Range: "bytes=0-0" });
      if (size === 0) throw awsError("InvalidRange", 416);
      return { ETag: '"0123456789abcdef0123456789abcdef"', ContentRange: `bytes 0-0/${size}`, Body: { transformToByteArray: async () => new Uint8Array(1) } };
    });
  it("a key overwritten by a newer upload: no model call, no record, the job settled (the newer upload's job writes)", async () => {
    overwrittenWith(48_000);
    expect(await handler(event())).toMatchObject({ outcome: "SKIPPED", skipReason: "source-changed", resultKey: RESULT_KEY });
    expect(comprehend.commandCalls(DetectSentimentCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(puts()).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`cci-lite/reconcile/done/2026-03-14T09/${JOB}`]);
  });
  // Issue #19: the record must not depend on whether analyze ran before or after a rejected upload overwrote the key.
  it.each([
    ["empty (S3 answers the 1-byte read 416 InvalidRange)", 0],
    ["larger than Transcribe accepts", MAX_MEDIA_BYTES + 1],
  ])("a key overwritten by an upload start rejects, %s: this job's result is written (a rejection never replaces it)", async (_, size) => {
    overwrittenWith(size);
    expect(await handler(event())).toMatchObject({ outcome: "COMPLETED", resultKey: RESULT_KEY });
    expect(puts().map((p) => ({ key: p.input.Key, status: p.body.status }))).toEqual([{ key: RESULT_KEY, status: "COMPLETED" }]);
  });
  it("a key that is gone (expired or deleted) is no evidence of a change: the job is analysed", async () => {
    s3.on(GetObjectCommand, { Bucket: ENV.INPUT_BUCKET, Key: INPUT_KEY }).rejects(awsError("NoSuchKey", 404));
    expect(await handler(event())).toMatchObject({ outcome: "COMPLETED" });
  });
  it("any other error of the check is retried (thrown), never taken as a change", async () => {
    s3.on(GetObjectCommand, { Bucket: ENV.INPUT_BUCKET, Key: INPUT_KEY }).rejects(awsError("SlowDown", 503));
    await expect(handler(event())).rejects.toMatchObject({ name: "SlowDown" });
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
  });
});

describe("paying once: the job's claim before any paid call (services/job-claim.ts)", () => {
  const CLAIM_KEY = `cci-lite/jobs/${JOB}.json`;
  /** One delivery: its Lambda request id, which Lambda's retries of the invocation keep. */
  const delivery = (awsRequestId: string) => ({ awsRequestId, functionName: "cci-lite-test-analyze" }) as unknown as Context;
  let claims: FakeBucket;
  const finishedJustNow = () =>
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED", { CompletionTime: new Date(clock.now().getTime() - 60_000) }) });
  const paid = () => ({ comprehend: comprehend.commandCalls(DetectSentimentCommand).length, bedrock: bedrock.commandCalls(ConverseCommand).length });
  beforeEach(() => {
    claims = new FakeBucket();
    s3.on(GetObjectCommand, { Key: CLAIM_KEY }).callsFake((input) => claims.get(input));
    s3.on(PutObjectCommand, { Key: CLAIM_KEY }).callsFake((input) => claims.conditionalPut(input));
  });

  it("a delivery that finds another live delivery's claim ends without a paid call or a record", async () => {
    claims.put(CLAIM_KEY, JSON.stringify({ owner: "req-0", expires: new Date(clock.now().getTime() + 60_000).toISOString() }));
    expect(await handler(event(), delivery("req-1"))).toMatchObject({ outcome: "SKIPPED", skipReason: "claimed" });
    expect(paid()).toEqual({ comprehend: 0, bedrock: 0 });
    expect(puts()).toHaveLength(0);
    // The settled marker is the holder's to write: reconcile keeps an eye on the job meanwhile.
    expect(s3.commandCalls(PutObjectCommand).filter((c) => String(c.args[0].input.Key).includes("/done/"))).toHaveLength(0);
  });

  it("Comprehend is paid once per job: the delivery's retry after a throttled Bedrock call reuses the saved sentiment", async () => {
    finishedJustNow();
    bedrock.on(ConverseCommand).rejects(awsError("ThrottlingException", 429));
    await expect(handler(event(), delivery("req-1"))).rejects.toMatchObject({ code: "MODEL_UNAVAILABLE" });
    const first = paid();
    expect(first.comprehend).toBe(3); // the call and its two speakers
    expect(claims.record(CLAIM_KEY)).toMatchObject({ owner: "req-1", sentiment: { language: "en", sentiment: { Sentiment: "NEGATIVE" } } });
    bedrock.on(ConverseCommand).resolves(converse(GOOD_ANSWER));
    expect(await handler(event(), delivery("req-1"))).toMatchObject({ outcome: "COMPLETED" });
    expect(paid().comprehend).toBe(first.comprehend);
    expect(onlyRecord()).toMatchObject({ status: "COMPLETED", sentiment: { Sentiment: "NEGATIVE" }, speakers: [{ label: "spk_0" }, { label: "spk_1" }] });
  });

  it("a Comprehend throttle part-way through the scoring: the retry scores only what was not scored (partial save in the claim)", async () => {
    finishedJustNow();
    let calls = 0;
    comprehend.on(DetectSentimentCommand).callsFake(() => {
      // The whole call and the first speaker are scored; the second speaker's score is throttled once.
      if (++calls === 3) throw awsError("ThrottlingException", 400);
      return { Sentiment: "NEGATIVE", SentimentScore: SCORE };
    });
    await expect(handler(event(), delivery("req-1"))).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(claims.record(CLAIM_KEY)).toMatchObject({ sentiment: { partial: true, wholeScored: true, speakers: [{ label: "spk_0" }] } });
    expect(await handler(event(), delivery("req-1"))).toMatchObject({ outcome: "COMPLETED" });
    expect(calls).toBe(4); // 3 before the throttle (the third threw), then only the second speaker
    expect(onlyRecord()).toMatchObject({ sentiment: { Sentiment: "NEGATIVE" }, speakers: [{ label: "spk_0" }, { label: "spk_1" }] });
    expect(claims.record(CLAIM_KEY).sentiment.partial).toBeUndefined();
  });

  it("an S3 error saving the sentiment is thrown (the event is retried), never taken for a Comprehend failure", async () => {
    let writes = 0;
    s3.on(PutObjectCommand, { Key: CLAIM_KEY }).callsFake((input) => {
      if (++writes === 2) throw awsError("AccessDenied", 403);
      return claims.conditionalPut(input);
    });
    await expect(handler(event(), delivery("req-1"))).rejects.toMatchObject({ name: "AccessDenied" });
    expect(puts()).toHaveLength(0);
  });

  it("two deliveries at once (a duplicate event, a hand-out): exactly one pays and writes", async () => {
    const outcomes = await Promise.all([handler(event(), delivery("req-1")), handler(event(), delivery("req-2"))]);
    expect(outcomes.map((o) => (o as { outcome: string }).outcome).sort()).toEqual(["COMPLETED", "SKIPPED"]);
    expect(paid()).toEqual({ comprehend: 3, bedrock: 1 });
    expect(puts()).toHaveLength(1);
  });

  it("a crashed holder's claim is taken over once it expires, with the sentiment it saved", async () => {
    const saved = { language: "en", sentiment: { Sentiment: "POSITIVE", SentimentScore: SCORE }, speakers: [] };
    claims.put(CLAIM_KEY, JSON.stringify({ owner: "req-0", expires: new Date(clock.now().getTime() + 60_000).toISOString(), sentiment: saved }));
    expect(await handler(event(), delivery("req-1"))).toMatchObject({ skipReason: "claimed" });
    clock.set(new Date(clock.now().getTime() + 61_000));
    expect(await handler(event(), delivery("req-1"))).toMatchObject({ outcome: "COMPLETED" });
    expect(paid()).toEqual({ comprehend: 0, bedrock: 1 });
    expect(onlyRecord()).toMatchObject({ sentiment: { Sentiment: "POSITIVE" } });
  });

  it("the claim rule: free when absent, unreadable, the delivery's own or expired; it outlives analyze's worst retry chain", () => {
    const now = new Date(NOW);
    expect(mayClaim(undefined, "a", now)).toBe(true);
    expect(mayClaim({ owner: "a", expires: new Date(now.getTime() + 1000).toISOString() }, "a", now)).toBe(true);
    expect(mayClaim({ owner: "b", expires: new Date(now.getTime() + 1000).toISOString() }, "a", now)).toBe(false);
    expect(mayClaim({ owner: "b", expires: now.toISOString() }, "a", now)).toBe(true);
    expect(mayClaim({ owner: "b", expires: "garbage" }, "a", now)).toBe(true);
    // 3 attempts of the 300 s timeout plus Lambda's 1 and 2 minute back-off: 18 minutes.
    expect(CLAIM_MS).toBeGreaterThan(3 * 300_000 + 3 * 60_000);
  });
});
