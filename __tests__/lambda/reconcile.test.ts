import { awsError, body, ENV, EVENT_TIME, GOOD_ANSWER, speakerTranscript } from "./fixtures";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetTranscriptionJobCommand, ListTranscriptionJobsCommand, TranscribeClient, type TranscriptionJob } from "@aws-sdk/client-transcribe";
import { ComprehendClient, DetectSentimentCommand } from "@aws-sdk/client-comprehend";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { handler } from "../../lambda-src/handlers/reconcile";
import { MAX_PROCESSED_PER_RUN, reconcile } from "../../lambda-src/services/reconcile-jobs";
import { buildJobResult } from "../../lambda-src/core/result";
import { readConfig } from "../../lambda-src/contracts/environment";
import { metrics } from "../../lambda-src/aws/observability";

const s3 = mockClient(S3Client);
const transcribe = mockClient(TranscribeClient);
const comprehend = mockClient(ComprehendClient);
const bedrock = mockClient(BedrockRuntimeClient);
let metricSpy: jest.SpyInstance;

const NOW = new Date("2026-03-14T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const name = (id: string) => `cci-lite-test-demo-tenant-${id}-0123456789abcdef`;

function job(id: string, status: string, created: Date, o: Partial<TranscriptionJob> = {}): TranscriptionJob {
  return {
    TranscriptionJobName: name(id),
    TranscriptionJobStatus: status as any,
    LanguageCode: "en-US",
    CreationTime: created,
    CompletionTime: status === "COMPLETED" || status === "FAILED" ? new Date(created.getTime() + 600_000) : undefined,
    Media: { MediaFileUri: `s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/${id}.wav` },
    Transcript: status === "COMPLETED" ? { TranscriptFileUri: `s3://${ENV.RESULTS_BUCKET}/tmp/demo-tenant/${name(id)}.json` } : undefined,
    Tags: [
      { Key: "tenant", Value: "demo-tenant" },
      { Key: "call_id", Value: id },
      { Key: "uploaded_at", Value: EVENT_TIME },
    ],
    ...o,
  };
}

function setJobs(jobs: TranscriptionJob[]) {
  for (const status of ["COMPLETED", "FAILED", "IN_PROGRESS", "QUEUED"]) {
    const list = jobs.filter((j) => j.TranscriptionJobStatus === status).sort((a, b) => b.CreationTime!.getTime() - a.CreationTime!.getTime());
    transcribe.on(ListTranscriptionJobsCommand, { Status: status as any }).resolves({
      TranscriptionJobSummaries: list.map((j) => ({
        TranscriptionJobName: j.TranscriptionJobName,
        CreationTime: j.CreationTime,
        CompletionTime: j.CompletionTime,
        TranscriptionJobStatus: j.TranscriptionJobStatus,
      })),
    });
  }
  for (const j of jobs) transcribe.on(GetTranscriptionJobCommand, { TranscriptionJobName: j.TranscriptionJobName }).resolves({ TranscriptionJob: j });
}

const cfg = () => readConfig("reconcile", process.env);
const puts = () => s3.commandCalls(PutObjectCommand).map((c) => ({ key: c.args[0].input.Key, body: JSON.parse(String(c.args[0].input.Body)) }));
const metricNames = () => metricSpy.mock.calls.map((c) => c[0]);

beforeEach(() => {
  s3.reset();
  transcribe.reset();
  comprehend.reset();
  bedrock.reset();
  transcribe.on(ListTranscriptionJobsCommand).resolves({ TranscriptionJobSummaries: [] });
  s3.on(HeadObjectCommand).rejects(awsError("NotFound", 404));
  s3.on(GetObjectCommand).resolves({
    Body: body(
      JSON.stringify(
        speakerTranscript([
          ["spk_0", 0, 1, "Hello", "."],
          ["spk_1", 1, 2, "Hi", "."],
        ]),
      ),
    ),
  });
  s3.on(PutObjectCommand).resolves({});
  comprehend.on(DetectSentimentCommand).resolves({ Sentiment: "POSITIVE", SentimentScore: { Positive: 0.9, Negative: 0, Neutral: 0.1, Mixed: 0 } });
  bedrock.on(ConverseCommand).resolves({ output: { message: { role: "assistant", content: [{ text: GOOD_ANSWER }] } }, stopReason: "end_turn" } as any);
  metricSpy = jest.spyOn(metrics, "addMetric");
});
afterEach(() => metricSpy.mockRestore());

describe("reconcile handler", () => {
  it("picks up a missed completion event and writes the result", async () => {
    setJobs([job("missed", "COMPLETED", hoursAgo(3))]);
    const report = await reconcile(cfg(), NOW);
    expect(report).toMatchObject({ reconciled: 1, stuck: 0, errors: 0 });
    expect(puts()).toEqual([
      { key: "demo-tenant/2026/03/14/missed.json", body: expect.objectContaining({ status: "COMPLETED", transcription_job_name: name("missed") }) },
    ]);
    expect(metricNames()).toEqual(expect.arrayContaining(["CallsCompleted", "CallsReconciled"]));
    const list = transcribe.commandCalls(ListTranscriptionJobsCommand).map((c) => c.args[0].input);
    expect(list.every((i) => i.JobNameContains === ENV.JOB_NAME_PREFIX)).toBe(true);
  });

  it("also writes the error record of a missed FAILED job", async () => {
    setJobs([job("failed", "FAILED", hoursAgo(2), { FailureReason: "Invalid media" })]);
    await reconcile(cfg(), NOW);
    expect(puts()[0].body).toMatchObject({ status: "FAILED", error: { code: "TRANSCRIBE_FAILED", message: "Invalid media" } });
  });

  it("leaves jobs that already have a record alone (processing the same job twice gives one result)", async () => {
    setJobs([job("done", "COMPLETED", hoursAgo(3))]);
    s3.on(HeadObjectCommand).resolves({ Metadata: { status: "FAILED", "job-name": name("done") } });
    const report = await reconcile(cfg(), NOW);
    expect(report).toMatchObject({ reconciled: 0, skipped: 1 });
    expect(puts()).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
  });

  it("processes a job once across runs: the second run sees the first run's record", async () => {
    setJobs([job("once", "COMPLETED", hoursAgo(3))]);
    await reconcile(cfg(), NOW);
    s3.on(HeadObjectCommand).resolves({ Metadata: { status: "COMPLETED", "job-name": name("once") } });
    await reconcile(cfg(), NOW);
    expect(puts()).toHaveLength(1);
  });

  it("ignores jobs outside the lookback window, of other environments, and those finished within the event grace period", async () => {
    const other = { ...job("other", "COMPLETED", hoursAgo(3)), TranscriptionJobName: "cci-lite-test2-demo-tenant-other-0123456789abcdef" };
    const fresh = job("fresh", "COMPLETED", new Date(NOW.getTime() - 12 * 60_000));
    fresh.CompletionTime = new Date(NOW.getTime() - 5 * 60_000);
    setJobs([job("old", "COMPLETED", hoursAgo(72)), other, fresh]);
    const report = await reconcile(cfg(), NOW);
    expect(report.checked).toBe(0);
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)).toHaveLength(0);
  });

  it("records a stuck job as FAILED JOB_STUCK and counts JobsStuck", async () => {
    setJobs([job("stuck", "IN_PROGRESS", hoursAgo(8)), job("young", "IN_PROGRESS", hoursAgo(1)), job("queued", "QUEUED", hoursAgo(30))]);
    const report = await reconcile(cfg(), NOW);
    expect(report).toMatchObject({ stuck: 2 });
    const p = puts();
    expect(p.map((x) => x.key).sort()).toEqual(["demo-tenant/2026/03/13/queued.json", "demo-tenant/2026/03/14/stuck.json"]);
    expect(p[0].body).toMatchObject({ status: "FAILED", error: { code: "JOB_STUCK" }, job_completed_at: null });
    expect(metricNames().filter((m) => m === "JobsStuck")).toHaveLength(2);
  });

  it("builds the JOB_STUCK record with the shared job record builder (same fields as analyze's records)", async () => {
    const stuck = job("stuck", "IN_PROGRESS", hoursAgo(8));
    setJobs([stuck]);
    await reconcile(cfg(), NOW);
    const expected = buildJobResult(
      "FAILED",
      {
        jobName: name("stuck"),
        tenant: "demo-tenant",
        callId: "stuck",
        source: { bucket: ENV.INPUT_BUCKET, key: "demo-tenant/calls/stuck.wav", versionId: null, etag: null, size: null },
        uploadedAt: EVENT_TIME,
        job: stuck,
      },
      ENV.BEDROCK_MODEL_ID,
      NOW,
      { languageCode: "en-US" },
      { code: "JOB_STUCK", message: "Job IN_PROGRESS for 8.0 h (limit 6 h)" },
    );
    expect(puts()).toEqual([{ key: "demo-tenant/2026/03/14/stuck.json", body: JSON.parse(JSON.stringify(expected)) }]);
    expect(expected).toMatchObject({
      status: "FAILED",
      tenant: "demo-tenant",
      call_id: "stuck",
      transcription_job_name: name("stuck"),
      model_id: ENV.BEDROCK_MODEL_ID,
      uploaded_at: EVENT_TIME,
      job_started_at: hoursAgo(8).toISOString(),
      job_completed_at: null,
      language_code: "en-US",
      source_bucket: ENV.INPUT_BUCKET,
      source_key: "demo-tenant/calls/stuck.wav",
      timestamp: NOW.toISOString(),
    });
  });

  it("does not record a stuck job twice", async () => {
    setJobs([job("stuck", "IN_PROGRESS", hoursAgo(8))]);
    s3.on(HeadObjectCommand).resolves({ Metadata: { status: "FAILED", "job-name": name("stuck") } });
    expect(await reconcile(cfg(), NOW)).toMatchObject({ stuck: 0, skipped: 1 });
    expect(puts()).toHaveLength(0);
  });

  it("bounds the work per run and leaves the rest for the next run", async () => {
    const jobs = Array.from({ length: MAX_PROCESSED_PER_RUN + 5 }, (_, i) => job(`c${i}`, "COMPLETED", hoursAgo(2 + i / 100)));
    setJobs(jobs);
    const report = await reconcile(cfg(), NOW);
    expect(report).toMatchObject({ reconciled: MAX_PROCESSED_PER_RUN, truncated: true });
    expect(puts()).toHaveLength(MAX_PROCESSED_PER_RUN);
  });

  it("stops early when the invocation is running out of time", async () => {
    setJobs([job("a", "COMPLETED", hoursAgo(2)), job("b", "COMPLETED", hoursAgo(3))]);
    const report = await reconcile(cfg(), NOW, () => 30_000);
    expect(report).toMatchObject({ checked: 0, truncated: true });
  });

  it("paginates ListTranscriptionJobs", async () => {
    const a = job("p1", "COMPLETED", hoursAgo(2));
    const b = job("p2", "COMPLETED", hoursAgo(3));
    transcribe.on(GetTranscriptionJobCommand, { TranscriptionJobName: a.TranscriptionJobName }).resolves({ TranscriptionJob: a });
    transcribe.on(GetTranscriptionJobCommand, { TranscriptionJobName: b.TranscriptionJobName }).resolves({ TranscriptionJob: b });
    const summary = (j: TranscriptionJob) => ({ TranscriptionJobName: j.TranscriptionJobName, CreationTime: j.CreationTime, CompletionTime: j.CompletionTime });
    transcribe.on(ListTranscriptionJobsCommand, { Status: "COMPLETED" }).resolves({ TranscriptionJobSummaries: [summary(a)], NextToken: "t2" });
    transcribe.on(ListTranscriptionJobsCommand, { Status: "COMPLETED", NextToken: "t2" }).resolves({ TranscriptionJobSummaries: [summary(b)] });
    expect(await reconcile(cfg(), NOW)).toMatchObject({ reconciled: 2 });
  });

  it("keeps going after one job fails and reports it", async () => {
    setJobs([job("bad", "COMPLETED", hoursAgo(2)), job("good", "COMPLETED", hoursAgo(3))]);
    bedrock
      .on(ConverseCommand)
      .rejectsOnce(awsError("ThrottlingException", 429))
      .resolves({ output: { message: { role: "assistant", content: [{ text: GOOD_ANSWER }] } }, stopReason: "end_turn" } as any);
    const report = await reconcile(cfg(), NOW);
    expect(report).toMatchObject({ reconciled: 1, errors: 1 });
  });

  it("runs as a scheduled handler and publishes metrics", async () => {
    const publish = jest.spyOn(metrics, "publishStoredMetrics");
    setJobs([]);
    await expect(handler({} as any, { getRemainingTimeInMillis: () => 600_000 } as any)).resolves.toMatchObject({ checked: 0 });
    expect(publish).toHaveBeenCalled();
    publish.mockRestore();
  });
});
