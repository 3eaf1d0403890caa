import { awsError, ENV, FakeBucket, GOOD_ANSWER, speakerTranscript } from "./fixtures";
import { mockClient } from "aws-sdk-client-mock";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  GetTranscriptionJobCommand,
  ListTranscriptionJobsCommand,
  TranscribeClient,
  type TranscriptionJob,
  type TranscriptionJobSummary,
} from "@aws-sdk/client-transcribe";
import { ComprehendClient, DetectSentimentCommand } from "@aws-sdk/client-comprehend";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { handlerWith as reconcileWith } from "../../lambda-src/handlers/reconcile";
import { handlerWith as analyzeWith } from "../../lambda-src/handlers/analyze";
import { manualClock } from "../../lambda-src/core/clock";
import { LIST_RESERVE_MS, MAX_HANDOUTS, MAX_HANDOUTS_PER_RUN, MAX_JOB_ERRORS, reconcile, SAVE_EVERY } from "../../lambda-src/services/reconcile-jobs";
import { readConfig, RECONCILE_ENVIRONMENT } from "../../lambda-src/contracts/environment";
import { doneMarkerKey, RECONCILE_LEASE_KEY, RECONCILE_STATE_KEY } from "../../lambda-src/contracts/storage-layout";
import { DEFAULT_LEASE_MS, LEASE_MARGIN_MS, leaseHoldMs, leaseIsFree } from "../../lambda-src/services/reconcile-lease";
import { logger, metrics } from "../../lambda-src/aws/observability";

const s3 = mockClient(S3Client);
const transcribe = mockClient(TranscribeClient);
const comprehend = mockClient(ComprehendClient);
const bedrock = mockClient(BedrockRuntimeClient);
const lambda = mockClient(LambdaClient);
let metricSpy: jest.SpyInstance;

const T0 = new Date("2026-03-14T12:00:00Z");
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);
const hoursAgo = (h: number) => at(T0, -h * 60);
/** One clock for the whole pipeline: a reconcile run at `now` hands out to an analyze that runs at `now` too. */
const clock = manualClock(T0);
const analyze = analyzeWith(clock);
const reconcileAt = (now: Date, remainingMs?: () => number) => {
  clock.set(now);
  return reconcile(cfg(), now, remainingMs);
};
const PREFIX = ENV.JOB_NAME_PREFIX;

let bucket: FakeBucket;
let jobs: Map<string, TranscriptionJob>;
let sorted: Map<string, TranscriptionJob[]> | undefined;
/** Invocations of analyze reconcile made: job name and attempt. */
let handedOut: Array<{ jobName: string; attempt: number }>;
/** When true, a hand-out runs the analyze handler (as Lambda would, asynchronously: its errors never reach reconcile). */
let runAnalyze: boolean;
/** Job names whose analyze invocation crashes (an unhandled error, e.g. a bug or a timeout). */
let crashing: Set<string>;

interface JobSpec {
  readonly id: string;
  readonly callId?: string;
  readonly status: string;
  readonly created: Date;
  readonly uploadedAt?: string;
  readonly started?: Date;
  readonly completed?: Date;
  readonly ext?: string;
}

function hash16(id: string): string {
  return Buffer.from(id).toString("hex").padEnd(16, "0").slice(0, 16);
}

function addJob(s: JobSpec): TranscriptionJob {
  const callId = s.callId ?? s.id;
  const name = `${PREFIX}demo-tenant-${callId}-${hash16(s.id)}`;
  const finished = s.status === "COMPLETED" || s.status === "FAILED";
  const j: TranscriptionJob = {
    TranscriptionJobName: name,
    TranscriptionJobStatus: s.status as any,
    LanguageCode: "en-US",
    CreationTime: s.created,
    StartTime: s.status === "QUEUED" ? undefined : (s.started ?? s.created),
    CompletionTime: finished ? (s.completed ?? at(s.created, 10)) : undefined,
    Media: { MediaFileUri: `s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/${callId}.${s.ext ?? "wav"}` },
    Transcript: s.status === "COMPLETED" ? { TranscriptFileUri: `s3://${ENV.RESULTS_BUCKET}/tmp/demo-tenant/${name}.json` } : undefined,
    FailureReason: s.status === "FAILED" ? "Invalid media" : undefined,
    Tags: [
      { Key: "tenant", Value: "demo-tenant" },
      { Key: "call_id", Value: callId },
      { Key: "uploaded_at", Value: s.uploadedAt ?? at(s.created, -1).toISOString() },
      { Key: "source_etag", Value: `etag-${s.id}` },
    ],
  };
  jobs.set(name, j);
  sorted = undefined;
  if (s.status === "COMPLETED") bucket.put(`tmp/demo-tenant/${name}.json`, JSON.stringify(TRANSCRIPT));
  return j;
}

/** Transcribe finishes a job (no event delivered unless the test sends one). */
function finish(j: TranscriptionJob, when: Date): void {
  j.TranscriptionJobStatus = "COMPLETED";
  j.CompletionTime = when;
  j.Transcript = { TranscriptFileUri: `s3://${ENV.RESULTS_BUCKET}/tmp/demo-tenant/${j.TranscriptionJobName}.json` };
  bucket.put(`tmp/demo-tenant/${j.TranscriptionJobName}.json`, JSON.stringify(TRANSCRIPT));
  sorted = undefined;
}

const TRANSCRIPT = speakerTranscript([
  ["spk_0", 0, 1, "Hello", "."],
  ["spk_1", 1, 2, "Hi", "."],
]);

function listPage(input: { Status?: string; NextToken?: string; MaxResults?: number; JobNameContains?: string }) {
  if (!sorted) {
    sorted = new Map();
    for (const j of [...jobs.values()].sort((a, b) => b.CreationTime!.getTime() - a.CreationTime!.getTime())) {
      const list = sorted.get(j.TranscriptionJobStatus!) ?? [];
      list.push(j);
      sorted.set(j.TranscriptionJobStatus!, list);
    }
  }
  const all = (sorted.get(String(input.Status)) ?? []).filter((j) => j.TranscriptionJobName!.includes(input.JobNameContains ?? ""));
  const start = Number(input.NextToken ?? 0);
  const size = input.MaxResults ?? 100;
  const page = all.slice(start, start + size);
  const summaries: TranscriptionJobSummary[] = page.map((j) => ({
    TranscriptionJobName: j.TranscriptionJobName,
    CreationTime: j.CreationTime,
    StartTime: j.StartTime,
    CompletionTime: j.CompletionTime,
    TranscriptionJobStatus: j.TranscriptionJobStatus,
  }));
  return { TranscriptionJobSummaries: summaries, NextToken: start + size < all.length ? String(start + size) : undefined };
}

/** Transcribe's completion event for a job, delivered to analyze. */
const deliver = (j: TranscriptionJob) =>
  analyze({
    version: "0",
    id: "e",
    "detail-type": "Transcribe Job State Change",
    source: "aws.transcribe",
    account: "111122223333",
    time: j.CompletionTime!.toISOString(),
    region: "eu-central-1",
    resources: [],
    detail: { TranscriptionJobName: j.TranscriptionJobName!, TranscriptionJobStatus: j.TranscriptionJobStatus! },
  });

const cfg = () => readConfig(RECONCILE_ENVIRONMENT, process.env);
const resultKey = (callId: string) => `demo-tenant/2026/03/14/${callId}.json`;
const metricNames = () => metricSpy.mock.calls.map((c) => c[0]);
const modelCalls = () => bedrock.commandCalls(ConverseCommand).length;
/** Marks jobs settled as analyze would have (their record is not needed by reconcile's detection). */
const settle = (...js: TranscriptionJob[]) => {
  for (const j of js) bucket.put(doneMarkerKey(j.CreationTime!, j.TranscriptionJobName!), "");
};

beforeEach(() => {
  clock.set(T0);
  s3.reset();
  transcribe.reset();
  comprehend.reset();
  bedrock.reset();
  lambda.reset();
  bucket = new FakeBucket();
  jobs = new Map();
  sorted = undefined;
  handedOut = [];
  runAnalyze = true;
  crashing = new Set();
  s3.on(GetObjectCommand).callsFake((input) => bucket.get(input));
  s3.on(PutObjectCommand).callsFake((input) => bucket.conditionalPut(input));
  s3.on(ListObjectsV2Command).callsFake((input) => bucket.list(input));
  s3.on(HeadObjectCommand).rejects(new Error("reconcile must not need HeadObject"));
  s3.on(DeleteObjectCommand).resolves({});
  transcribe.on(ListTranscriptionJobsCommand).callsFake(listPage);
  transcribe.on(GetTranscriptionJobCommand).callsFake((input) => {
    const j = jobs.get(input.TranscriptionJobName);
    if (!j) throw awsError("BadRequestException", 400, "The requested job couldn't be found");
    return { TranscriptionJob: j };
  });
  lambda.on(InvokeCommand).callsFake(async (input) => {
    const payload = JSON.parse(new TextDecoder().decode(input.Payload));
    handedOut.push(payload.reconcile);
    if (runAnalyze) {
      if (crashing.has(payload.reconcile.jobName)) return { StatusCode: 202 }; // analyze crashed; Lambda retries, then the DLQ
      await analyze(payload).catch(() => undefined);
    }
    return { StatusCode: 202 };
  });
  comprehend.on(DetectSentimentCommand).resolves({ Sentiment: "POSITIVE", SentimentScore: { Positive: 0.9, Negative: 0, Neutral: 0.1, Mixed: 0 } });
  bedrock.on(ConverseCommand).resolves({ output: { message: { role: "assistant", content: [{ text: GOOD_ANSWER }] } }, stopReason: "end_turn" } as any);
  metricSpy = jest.spyOn(metrics, "addMetric");
});
afterEach(() => metricSpy.mockRestore());

describe("result identity (one true result per upload)", () => {
  it("a re-upload of a call on another UTC day is that day's call: its own record under that day, the earlier day's record untouched", async () => {
    const dayOne = addJob({ id: "y-1", callId: "y", status: "COMPLETED", created: hoursAgo(20), uploadedAt: "2026-03-13T15:00:00.000Z" });
    const dayTwo = addJob({ id: "y-2", callId: "y", status: "COMPLETED", created: hoursAgo(3), uploadedAt: "2026-03-14T09:00:00.000Z" });
    await deliver(dayOne);
    const first = bucket.record("demo-tenant/2026/03/13/y.json");
    expect(first).toMatchObject({ status: "COMPLETED", transcription_job_name: dayOne.TranscriptionJobName });
    await deliver(dayTwo);
    expect(bucket.record(resultKey("y"))).toMatchObject({ status: "COMPLETED", transcription_job_name: dayTwo.TranscriptionJobName });
    expect(bucket.record("demo-tenant/2026/03/13/y.json")).toEqual(first);
    // Both jobs are settled: no reconcile run hands either out again.
    runAnalyze = false;
    expect(await reconcileAt(at(T0, 30))).toMatchObject({ handedOut: 0, unsettled: 0 });
  });

  it("two uploads with the same call id (same day; different format) end with exactly the newest upload's result and no further model calls on later reconcile runs", async () => {
    // x.mp3 uploaded 09:00, x.wav 09:05; the newer job finishes first and the older upload's event arrives last.
    const older = addJob({ id: "x-mp3", callId: "x", ext: "mp3", status: "COMPLETED", created: at(hoursAgo(3), 1), uploadedAt: "2026-03-14T09:00:00.000Z" });
    const newer = addJob({ id: "x-wav", callId: "x", status: "COMPLETED", created: at(hoursAgo(3), 6), uploadedAt: "2026-03-14T09:05:00.000Z" });
    await deliver(newer);
    await deliver(older);
    expect(bucket.record(resultKey("x"))).toMatchObject({
      status: "COMPLETED",
      transcription_job_name: newer.TranscriptionJobName,
      source_key: "demo-tenant/calls/x.wav",
    });
    const spent = modelCalls();
    expect(spent).toBe(1); // the older upload's late event cost nothing

    for (let run = 0; run < 3; run++) await reconcileAt(at(T0, run * 15));
    expect(handedOut).toEqual([]);
    expect(modelCalls()).toBe(spent);
    expect(bucket.record(resultKey("x")).transcription_job_name).toBe(newer.TranscriptionJobName);
    expect([...bucket.objects.keys()].filter((k) => k.endsWith("/x.json"))).toEqual([resultKey("x")]);
  });

  it("both events lost: reconcile settles both uploads once, the newest wins, and later runs spend nothing", async () => {
    const older = addJob({ id: "y-mp3", callId: "y", ext: "mp3", status: "COMPLETED", created: at(hoursAgo(3), 1), uploadedAt: "2026-03-14T09:00:00.000Z" });
    const newer = addJob({ id: "y-wav", callId: "y", status: "COMPLETED", created: at(hoursAgo(3), 6), uploadedAt: "2026-03-14T09:05:00.000Z" });
    expect(await reconcileAt(T0)).toMatchObject({ handedOut: 2, errors: 0 });
    expect(bucket.record(resultKey("y")).transcription_job_name).toBe(newer.TranscriptionJobName);
    const spent = modelCalls();
    for (let run = 1; run <= 3; run++) expect(await reconcileAt(at(T0, run * 15))).toMatchObject({ handedOut: 0, unsettled: 0 });
    expect(modelCalls()).toBe(spent);
    expect(handedOut.map((h) => h.jobName)).toEqual([older.TranscriptionJobName, newer.TranscriptionJobName]);
  });

  it("an older stuck job never replaces a newer result (neither as JOB_STUCK nor when it finishes later)", async () => {
    const stuck = addJob({
      id: "z-old",
      callId: "z",
      status: "IN_PROGRESS",
      created: hoursAgo(9),
      started: hoursAgo(8),
      uploadedAt: hoursAgo(9).toISOString(),
    });
    const newer = addJob({ id: "z-new", callId: "z", status: "COMPLETED", created: hoursAgo(2), uploadedAt: hoursAgo(2).toISOString() });
    await deliver(newer);
    expect(await reconcileAt(T0)).toMatchObject({ stuck: 0 });
    expect(bucket.record(resultKey("z"))).toMatchObject({ status: "COMPLETED", transcription_job_name: newer.TranscriptionJobName });
    const spent = modelCalls();

    finish(stuck, at(T0, 20));
    await deliver(stuck);
    await reconcileAt(at(T0, 45));
    expect(bucket.record(resultKey("z"))).toMatchObject({ status: "COMPLETED", transcription_job_name: newer.TranscriptionJobName });
    expect(modelCalls()).toBe(spent);
    expect(metricNames()).not.toContain("JobsStuck");
  });

  it("a stuck job gets a JOB_STUCK record once; when it finishes (event lost) reconcile hands it out and its result replaces its own JOB_STUCK record", async () => {
    const j = addJob({ id: "s", status: "IN_PROGRESS", created: hoursAgo(9), started: hoursAgo(8) });
    expect(await reconcileAt(T0)).toMatchObject({ stuck: 1 });
    expect(bucket.record(resultKey("s"))).toMatchObject({
      status: "FAILED",
      error: { code: "JOB_STUCK", message: "Job IN_PROGRESS for 8.0 h since it started (limit 6 h)" },
      transcription_job_name: j.TranscriptionJobName,
      job_completed_at: null,
    });
    expect(await reconcileAt(at(T0, 15))).toMatchObject({ stuck: 0 }); // recorded once
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)).toHaveLength(1); // and looked at once
    expect(metricNames().filter((m) => m === "JobsStuck")).toHaveLength(1);

    finish(j, at(T0, 20));
    expect(await reconcileAt(at(T0, 45))).toMatchObject({ handedOut: 1 });
    expect(bucket.record(resultKey("s"))).toMatchObject({ status: "COMPLETED", transcription_job_name: j.TranscriptionJobName });
  });

  it("a stuck job that finishes gets the same grace as any other job: its completion event has 15 minutes before reconcile hands it out", async () => {
    runAnalyze = false;
    const j = addJob({ id: "s", status: "IN_PROGRESS", created: hoursAgo(9), started: hoursAgo(8) });
    expect(await reconcileAt(T0)).toMatchObject({ stuck: 1 });
    finish(j, at(T0, 20));
    // 5 minutes after it finished: left to its event, but kept behind the watermark.
    expect(await reconcileAt(at(T0, 25))).toMatchObject({ handedOut: 0, watermark: j.CreationTime!.toISOString() });
    expect(handedOut).toEqual([]);
    // Past the grace and still unsettled: handed out.
    expect(await reconcileAt(at(T0, 40))).toMatchObject({ handedOut: 1 });
    expect(handedOut).toEqual([{ jobName: j.TranscriptionJobName, attempt: 1 }]);
  });

  it("a formerly stuck job that cannot be read (throttled) is held behind the watermark for the next run, not the whole run's failure", async () => {
    runAnalyze = false;
    const j = addJob({ id: "s", status: "IN_PROGRESS", created: hoursAgo(9), started: hoursAgo(8) });
    expect(await reconcileAt(T0)).toMatchObject({ stuck: 1 });
    finish(j, at(T0, 20));
    transcribe.on(GetTranscriptionJobCommand).rejects(awsError("ThrottlingException", 400));
    expect(await reconcileAt(at(T0, 40))).toMatchObject({ handedOut: 0, watermark: j.CreationTime!.toISOString(), stateSaved: true });
  });

  it("lists in the state machine's order, so a job that moves from QUEUED to IN_PROGRESS during the listing still holds the watermark", async () => {
    const moving = addJob({ id: "moving", status: "QUEUED", created: hoursAgo(2) });
    let calls = 0;
    transcribe.on(ListTranscriptionJobsCommand).callsFake((input) => {
      const page = listPage(input);
      if (++calls === 1) {
        // Transcribe starts the job right after the first list call of the run.
        jobs.set(moving.TranscriptionJobName!, { ...moving, TranscriptionJobStatus: "IN_PROGRESS", StartTime: T0 });
        sorted = undefined;
      }
      return page;
    });
    expect(await reconcileAt(T0)).toMatchObject({ watermark: moving.CreationTime!.toISOString() });
  });

  it("QUEUED jobs are waiting in Transcribe's queue, not stuck; IN_PROGRESS counts from the start, not from creation", async () => {
    addJob({ id: "q", status: "QUEUED", created: hoursAgo(30) });
    addJob({ id: "late-start", status: "IN_PROGRESS", created: hoursAgo(20), started: hoursAgo(1) });
    expect(await reconcileAt(T0)).toMatchObject({ stuck: 0 });
    expect([...bucket.objects.keys()].filter((k) => k.startsWith("demo-tenant/"))).toEqual([]);
  });
});

describe("reconcile: one run at a time (the lease), whatever the concurrency settings", () => {
  it("a run that finds the lease held ends before listing or handing out anything", async () => {
    runAnalyze = false;
    addJob({ id: "missed", status: "COMPLETED", created: hoursAgo(3) });
    bucket.put(RECONCILE_LEASE_KEY, JSON.stringify({ owner: "other-run", expires: at(T0, 5).toISOString() }));
    expect(await reconcileAt(T0)).toMatchObject({ lease: "HELD", handedOut: 0, listed: 0, stateSaved: false });
    expect(transcribe.commandCalls(ListTranscriptionJobsCommand)).toHaveLength(0);
    expect(handedOut).toEqual([]);
    expect(bucket.objects.has(RECONCILE_STATE_KEY)).toBe(false);
    // Once the holder's lease has expired (it crashed, or overran), the next run takes it over.
    expect(await reconcileAt(at(T0, 6))).toMatchObject({ lease: "TAKEN", handedOut: 1 });
  });

  it("two runs started together: exactly one does the work, each job is handed out once, and the lease is given back", async () => {
    runAnalyze = false;
    addJob({ id: "a", status: "COMPLETED", created: hoursAgo(3) });
    addJob({ id: "b", status: "FAILED", created: hoursAgo(2) });
    clock.set(T0);
    const reports = await Promise.all([reconcile(cfg(), T0, undefined, "run-1"), reconcile(cfg(), T0, undefined, "run-2")]);
    expect(reports.map((r) => r.lease).sort()).toEqual(["HELD", "TAKEN"]);
    expect(handedOut).toHaveLength(2);
    expect(new Set(handedOut.map((h) => h.jobName)).size).toBe(2);
    expect(bucket.record(RECONCILE_LEASE_KEY)).toEqual({ owner: "", expires: T0.toISOString() });
  });

  it("a run that overran its lease never overwrites the state a newer run wrote", async () => {
    runAnalyze = false;
    addJob({ id: "a", status: "COMPLETED", created: hoursAgo(3) });
    // While this run hands out, another run (its lease long expired from this run's view) writes the state.
    lambda.on(InvokeCommand).callsFake(() => {
      bucket.put(RECONCILE_STATE_KEY, JSON.stringify({ watermark: T0.toISOString(), attempts: {}, stuck: {} }));
      return { StatusCode: 202 };
    });
    expect(await reconcileAt(T0)).toMatchObject({ lease: "TAKEN", handedOut: 1, stateSaved: false });
    expect(bucket.record(RECONCILE_STATE_KEY)).toEqual({ watermark: T0.toISOString(), attempts: {}, stuck: {} });
  });

  it("the lease: free when absent, given back, unreadable or expired; held past the run's remaining time plus a margin", () => {
    expect(leaseIsFree(undefined, T0)).toBe(true);
    expect(leaseIsFree({ owner: "", expires: at(T0, 10).toISOString() }, T0)).toBe(true);
    expect(leaseIsFree({ owner: "r", expires: "garbage" }, T0)).toBe(true);
    expect(leaseIsFree({ owner: "r", expires: T0.toISOString() }, T0)).toBe(true);
    expect(leaseIsFree({ owner: "r", expires: at(T0, 1).toISOString() }, T0)).toBe(false);
    expect(leaseHoldMs(600_000)).toBe(600_000 + LEASE_MARGIN_MS);
    expect(leaseHoldMs(Number.POSITIVE_INFINITY)).toBe(DEFAULT_LEASE_MS);
  });
});

describe("reconcile: budgeted, and saving its state as it goes", () => {
  it("a listing that runs out of its time budget hands out what it listed and keeps the window's start for the next run", async () => {
    runAnalyze = false;
    // 150 unsettled finished jobs: two pages of 100, newest first.
    const all = Array.from({ length: 150 }, (_, i) => addJob({ id: `j${i}`, status: "COMPLETED", created: at(hoursAgo(40), i) }));
    bucket.put(RECONCILE_STATE_KEY, JSON.stringify({ watermark: hoursAgo(41).toISOString(), attempts: {}, stuck: {} }));
    let left = LIST_RESERVE_MS + 1;
    transcribe.on(ListTranscriptionJobsCommand).callsFake((input) => {
      const page = listPage(input);
      if (input.Status === "COMPLETED") left = LIST_RESERVE_MS - 1; // the first COMPLETED page used up the listing's time
      return page;
    });
    const report = await reconcileAt(T0, () => left);
    const windowStart = at(hoursAgo(41), -30).toISOString();
    expect(report).toMatchObject({ listingCut: true, handedOut: 100, watermark: windowStart, stateSaved: true });
    // The newest 100 were handed out; the 50 oldest were not reached and stay in the window.
    expect(new Set(handedOut.map((h) => h.jobName))).toEqual(new Set(all.slice(50).map((j) => j.TranscriptionJobName)));
    expect(bucket.record(RECONCILE_STATE_KEY)).toMatchObject({ watermark: windowStart });
    // The next run, with time, lists the whole window and hands out the 50 it had not reached (the others wait).
    handedOut = [];
    transcribe.on(ListTranscriptionJobsCommand).callsFake(listPage);
    expect(await reconcileAt(at(T0, 10))).toMatchObject({ listingCut: false, handedOut: 50 });
    expect(new Set(handedOut.map((h) => h.jobName))).toEqual(new Set(all.slice(0, 50).map((j) => j.TranscriptionJobName)));
  });

  it(`saves the state every ${SAVE_EVERY} hand-outs, with the window unchanged, so a run that dies keeps its hand-outs`, async () => {
    runAnalyze = false;
    const all = Array.from({ length: SAVE_EVERY + 5 }, (_, i) => addJob({ id: `k${i}`, status: "COMPLETED", created: at(hoursAgo(10), i) }));
    const old = hoursAgo(11).toISOString();
    bucket.put(RECONCILE_STATE_KEY, JSON.stringify({ watermark: old, attempts: {}, stuck: {} }));
    let saved: { watermark?: string; attempts: Record<string, unknown> } | undefined;
    let n = 0;
    lambda.on(InvokeCommand).callsFake(() => {
      // The run dies (its timeout) at the hand-out after the first save: what was saved is what the next run sees.
      if (++n === SAVE_EVERY + 1) {
        saved = bucket.record(RECONCILE_STATE_KEY);
        throw new Error("Task timed out");
      }
      return { StatusCode: 202 };
    });
    await reconcileAt(T0);
    expect(saved?.watermark).toBe(old);
    expect(Object.keys(saved?.attempts ?? {}).sort()).toEqual(
      all
        .slice(0, SAVE_EVERY)
        .map((j) => j.TranscriptionJobName)
        .sort(),
    );
  });

  it("a save that finds the state written by another run ends the run: no more hand-outs, the other run's state kept", async () => {
    runAnalyze = false;
    Array.from({ length: SAVE_EVERY + 5 }, (_, i) => addJob({ id: `m${i}`, status: "COMPLETED", created: at(hoursAgo(10), i) }));
    let n = 0;
    lambda.on(InvokeCommand).callsFake(() => {
      if (++n === SAVE_EVERY) bucket.put(RECONCILE_STATE_KEY, JSON.stringify({ watermark: T0.toISOString(), attempts: {}, stuck: {} }));
      return { StatusCode: 202 };
    });
    expect(await reconcileAt(T0)).toMatchObject({ handedOut: SAVE_EVERY, stateSaved: false });
    expect(n).toBe(SAVE_EVERY);
    expect(bucket.record(RECONCILE_STATE_KEY)).toEqual({ watermark: T0.toISOString(), attempts: {}, stuck: {} });
  });
});

describe("reconcile: detection separate from processing", () => {
  it("hands an unsettled finished job to analyze by asynchronous invocation and records its state", async () => {
    runAnalyze = false;
    const j = addJob({ id: "missed", status: "COMPLETED", created: hoursAgo(3) });
    const f = addJob({ id: "failed", status: "FAILED", created: hoursAgo(2) });
    const report = await reconcileAt(T0);
    expect(report).toMatchObject({ listed: 2, unsettled: 2, handedOut: 2, errors: 0 });
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => ({ fn: c.FunctionName, type: c.InvocationType }))).toEqual([
      { fn: ENV.ANALYZE_FUNCTION_NAME, type: "Event" },
      { fn: ENV.ANALYZE_FUNCTION_NAME, type: "Event" },
    ]);
    expect(handedOut).toEqual([
      { jobName: j.TranscriptionJobName, attempt: 1 },
      { jobName: f.TranscriptionJobName, attempt: 1 },
    ]);
    expect(metricNames().filter((m) => m === "CallsReconciled")).toHaveLength(2);
    const state = JSON.parse(bucket.objects.get(RECONCILE_STATE_KEY)!.body);
    const first = { n: 1, at: T0.toISOString() };
    expect(state).toEqual({
      watermark: j.CreationTime!.toISOString(),
      attempts: { [j.TranscriptionJobName!]: first, [f.TranscriptionJobName!]: first },
      stuck: {},
      errors: {},
    });
    // Not handed out again while analyze (with Lambda's retries) may still be at work; then again, as attempt 2.
    expect(await reconcileAt(at(T0, 15))).toMatchObject({ unsettled: 2, handedOut: 0 });
    expect(await reconcileAt(at(T0, 30))).toMatchObject({ unsettled: 2, handedOut: 2 });
    expect(handedOut.slice(2).map((h) => h.attempt)).toEqual([2, 2]);
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)).toHaveLength(0);
    const list = transcribe.commandCalls(ListTranscriptionJobsCommand).map((c) => c.args[0].input);
    expect(list.every((i) => i.JobNameContains === PREFIX)).toBe(true);
  });

  it("leaves jobs finished within the event grace period, of other environments and outside the lookback alone", async () => {
    addJob({ id: "fresh", status: "COMPLETED", created: at(T0, -12), completed: at(T0, -5) });
    addJob({ id: "old", status: "COMPLETED", created: hoursAgo(72) });
    const other = addJob({ id: "other", status: "COMPLETED", created: hoursAgo(3) });
    jobs.delete(other.TranscriptionJobName!);
    jobs.set("cci-lite-test2-demo-tenant-other-0123456789abcdef", { ...other, TranscriptionJobName: "cci-lite-test2-demo-tenant-other-0123456789abcdef" });
    const report = await reconcileAt(T0);
    expect(report).toMatchObject({ listed: 1, unsettled: 0, handedOut: 0 });
    expect(report.watermark).toBe(at(T0, -12).toISOString()); // the fresh job stays in the next window
  });

  it("reconcile with 20,000 finished jobs and one missed event hands out exactly that one", async () => {
    const N = 20_000;
    const all: TranscriptionJob[] = [];
    // 20,000 calls over the last 200 minutes (one every 0.6 s), all finished more than 15 minutes ago.
    for (let i = 0; i < N; i++) all.push(addJob({ id: `c${i}`, status: "COMPLETED", created: new Date(T0.getTime() - 30 * 60_000 - i * 600) }));
    const missed = all[12_345];
    settle(...all.filter((j) => j !== missed));
    runAnalyze = false;

    const report = await reconcileAt(T0);
    expect(report).toMatchObject({ listed: N, unsettled: 1, handedOut: 1, errors: 0 });
    expect(handedOut).toEqual([{ jobName: missed.TranscriptionJobName, attempt: 1 }]);
    const counts = {
      ListTranscriptionJobs: transcribe.commandCalls(ListTranscriptionJobsCommand).length,
      GetTranscriptionJob: transcribe.commandCalls(GetTranscriptionJobCommand).length,
      ListObjectsV2: s3.commandCalls(ListObjectsV2Command).length,
      HeadObject: s3.commandCalls(HeadObjectCommand).length,
      GetObject: s3.commandCalls(GetObjectCommand).length,
      PutObject: s3.commandCalls(PutObjectCommand).length,
      Invoke: lambda.commandCalls(InvokeCommand).length,
    };
    // 200 pages of COMPLETED + one each for FAILED, IN_PROGRESS, QUEUED; markers: 1,000 per page over the 4 creation hours (21 pages).
    // S3 objects: the lease (read, take, give back) and the state (read, write).
    expect(counts).toEqual({ ListTranscriptionJobs: 203, GetTranscriptionJob: 0, ListObjectsV2: 21, HeadObject: 0, GetObject: 2, PutObject: 3, Invoke: 1 });

    // Next run: analyze settled it; the window now starts at the handed-out job (minus the overlap), not 48 h back.
    settle(missed);
    transcribe.resetHistory();
    s3.resetHistory();
    const next = await reconcileAt(at(T0, 15));
    // 12,345 jobs newer than the handed-out one + 3,000 in the 30-minute overlap + itself.
    expect(next).toMatchObject({ handedOut: 0, unsettled: 0, listed: 15_346 });
    transcribe.resetHistory();
    s3.resetHistory();
    // Steady state: nothing pending, so the window is the last run's time minus the overlap.
    const third = await reconcileAt(at(T0, 30));
    expect(third).toMatchObject({ listed: 0, handedOut: 0 });
    expect(transcribe.commandCalls(ListTranscriptionJobsCommand)).toHaveLength(4);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it("a job that crashes analyze does not stop reconcile from handing out the others; after the bounded hand-outs (and the model's window) it ends in PROCESSING_ERROR", async () => {
    // Finished 7 h ago: the model's 6 h retry window is over by the time reconcile gives up.
    const a = addJob({ id: "a", status: "COMPLETED", created: hoursAgo(7) });
    const bad = addJob({ id: "bad", status: "COMPLETED", created: at(hoursAgo(7), 1) });
    const c = addJob({ id: "c", status: "COMPLETED", created: at(hoursAgo(7), 2) });
    const d = addJob({ id: "d", status: "COMPLETED", created: at(hoursAgo(7), 3) });
    crashing.add(bad.TranscriptionJobName!);
    // Handing out d fails once (Lambda throttles the invoke): only d waits for the next run.
    let throttled = false;
    lambda.on(InvokeCommand).callsFake(async (input) => {
      const payload = JSON.parse(new TextDecoder().decode(input.Payload));
      if (payload.reconcile.jobName === d.TranscriptionJobName && !throttled) {
        throttled = true;
        throw awsError("TooManyRequestsException", 429);
      }
      handedOut.push(payload.reconcile);
      if (!crashing.has(payload.reconcile.jobName)) await analyze(payload).catch(() => undefined);
      return { StatusCode: 202 };
    });

    expect(await reconcileAt(T0)).toMatchObject({ handedOut: 3, errors: 1 });
    for (const j of [a, c]) expect(bucket.record(resultKey(j.Tags![1].Value!))).toMatchObject({ status: "COMPLETED" });
    expect(bucket.record(resultKey("bad"))).toBeUndefined();

    for (let run = 1; run < MAX_HANDOUTS; run++) await reconcileAt(at(T0, run * 30));
    expect(bucket.record(resultKey("d"))).toMatchObject({ status: "COMPLETED" });
    expect(handedOut.filter((h) => h.jobName === bad.TranscriptionJobName).map((h) => h.attempt)).toEqual([1, 2, 3]);

    const giveUp = await reconcileAt(at(T0, MAX_HANDOUTS * 30));
    expect(giveUp).toMatchObject({ gaveUp: 1, handedOut: 0 });
    expect(bucket.record(resultKey("bad"))).toMatchObject({
      status: "FAILED",
      error: { code: "PROCESSING_ERROR" },
      transcription_job_name: bad.TranscriptionJobName,
    });
    expect(await reconcileAt(at(T0, (MAX_HANDOUTS + 1) * 30))).toMatchObject({ unsettled: 0, handedOut: 0, gaveUp: 0 });
    expect(handedOut.filter((h) => h.jobName === bad.TranscriptionJobName)).toHaveLength(MAX_HANDOUTS);
    const state = JSON.parse(bucket.objects.get(RECONCILE_STATE_KEY)!.body);
    expect(state.attempts).toEqual({});
  });

  it("within the model's 6 h retry window reconcile keeps handing a job out (every 30 minutes) instead of giving up", async () => {
    const bad = addJob({ id: "bad", status: "COMPLETED", created: hoursAgo(1) }); // finished 50 minutes ago
    crashing.add(bad.TranscriptionJobName!);
    for (let run = 0; run <= MAX_HANDOUTS; run++) expect(await reconcileAt(at(T0, run * 30))).toMatchObject({ gaveUp: 0, handedOut: 1 });
    expect(handedOut.map((h) => h.attempt)).toEqual([1, 2, 3, 4]);
    expect(bucket.record(resultKey("bad"))).toBeUndefined();
    // Past the window (completion + 6 h), the next run gives up.
    expect(await reconcileAt(at(bad.CompletionTime!, 6 * 60 + 1))).toMatchObject({ gaveUp: 1, handedOut: 0 });
    expect(bucket.record(resultKey("bad"))).toMatchObject({ status: "FAILED", error: { code: "PROCESSING_ERROR" } });
  });

  it("giving up keeps what was paid for: with the sentiment an attempt saved in the job's claim, the call is COMPLETED with MODEL_UNAVAILABLE", async () => {
    const bad = addJob({ id: "bad", status: "COMPLETED", created: hoursAgo(7) });
    crashing.add(bad.TranscriptionJobName!);
    const sentiment = { Sentiment: "POSITIVE", SentimentScore: { Positive: 0.9, Negative: 0.02, Neutral: 0.07, Mixed: 0.01 } };
    bucket.put(
      `cci-lite/jobs/${bad.TranscriptionJobName}.json`,
      JSON.stringify({
        owner: "req-0",
        expires: hoursAgo(6).toISOString(),
        sentiment: { language: "en", sentiment, speakers: [], languageCode: "en-US", durationSeconds: 42, speakerMode: "speaker_labels" },
      }),
    );
    for (let run = 0; run < MAX_HANDOUTS; run++) await reconcileAt(at(T0, run * 30));
    expect(await reconcileAt(at(T0, MAX_HANDOUTS * 30))).toMatchObject({ gaveUp: 1 });
    expect(bucket.record(resultKey("bad"))).toMatchObject({
      status: "COMPLETED",
      sentiment,
      duration_seconds: 42,
      summary: null,
      summary_error: { code: "MODEL_UNAVAILABLE" },
      transcription_job_name: bad.TranscriptionJobName,
    });
    expect(metricNames()).toEqual(expect.arrayContaining(["CallsCompleted", "SummariesFailed"]));
  });

  it("a poison job (its hand-out fails run after run) stops holding the watermark after MAX_JOB_ERRORS runs, with an ERROR line", async () => {
    runAnalyze = false;
    const poison = addJob({ id: "poison", status: "COMPLETED", created: hoursAgo(5) });
    addJob({ id: "fine", status: "COMPLETED", created: hoursAgo(1) });
    lambda.on(InvokeCommand).callsFake((input) => {
      const payload = JSON.parse(new TextDecoder().decode(input.Payload));
      if (payload.reconcile.jobName === poison.TranscriptionJobName) throw awsError("InvalidRequestContentException", 400);
      handedOut.push(payload.reconcile);
      return { StatusCode: 202 };
    });
    const errorLines = jest.spyOn(logger, "error");
    for (let run = 1; run < MAX_JOB_ERRORS; run++) {
      expect(await reconcileAt(at(T0, run))).toMatchObject({ errors: 1, watermark: poison.CreationTime!.toISOString() });
    }
    const last = await reconcileAt(at(T0, MAX_JOB_ERRORS));
    expect(last).toMatchObject({ errors: 1 });
    expect(Date.parse(last.watermark)).toBeGreaterThan(poison.CreationTime!.getTime());
    expect(errorLines.mock.calls.at(-1)?.[0]).toMatch(/no longer holds the watermark/);
    expect(JSON.parse(bucket.objects.get(RECONCILE_STATE_KEY)!.body).errors).toEqual({});
    errorLines.mockRestore();
  });

  it("publishes the watermark's age every run (seconds; the alarm fires before the window reaches the lookback)", async () => {
    runAnalyze = false;
    const old = addJob({ id: "old", status: "COMPLETED", created: hoursAgo(3) });
    await reconcileAt(T0);
    const ages = metricSpy.mock.calls.filter((c) => c[0] === "ReconcileWatermarkAge").map((c) => [c[1], c[2]]);
    expect(ages).toEqual([["Seconds", (T0.getTime() - old.CreationTime!.getTime()) / 1000]]);
  });

  it("hands out at most the run's budget from the configured quotas (RECONCILE_MAX_HANDOUTS); the rest waits in the window", async () => {
    runAnalyze = false;
    for (let i = 0; i < 5; i++) addJob({ id: `p${i}`, status: "COMPLETED", created: new Date(hoursAgo(2).getTime() - i * 1000) });
    clock.set(T0);
    const report = await reconcile({ ...cfg(), reconcileMaxHandouts: 2 }, T0);
    expect(report).toMatchObject({ handedOut: 2, deferred: 3 });
    expect(handedOut).toHaveLength(2);
  });

  it("never hands out more than the per-run cap; the rest stays behind the watermark", async () => {
    runAnalyze = false;
    for (let i = 0; i < MAX_HANDOUTS_PER_RUN + 3; i++) addJob({ id: `m${i}`, status: "COMPLETED", created: new Date(hoursAgo(2).getTime() - i * 1000) });
    const report = await reconcileAt(T0);
    expect(report).toMatchObject({ handedOut: MAX_HANDOUTS_PER_RUN, deferred: 3 });
  });

  it("stops handing out when the invocation is running out of time", async () => {
    addJob({ id: "a", status: "COMPLETED", created: hoursAgo(2) });
    expect(await reconcileAt(T0, () => 30_000)).toMatchObject({ handedOut: 0, deferred: 1 });
  });

  it("runs as a scheduled handler and publishes metrics", async () => {
    const publish = jest.spyOn(metrics, "publishStoredMetrics");
    await expect(reconcileWith(clock)({} as any, { getRemainingTimeInMillis: () => 600_000 } as any)).resolves.toMatchObject({ handedOut: 0 });
    expect(publish).toHaveBeenCalled();
    publish.mockRestore();
  });
});
