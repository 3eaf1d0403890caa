import { awsError, body, ENV, EVENT_TIME, flacHeader, mp3Header, sqsEvent, uploadEvent, wavHeader } from "./fixtures";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { StartTranscriptionJobCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { handlerWith } from "../../lambda-src/handlers/start";
import { MIN_REMAINING_MS } from "../../lambda-src/services/upload-batch";
import { clearTenantCache, TENANT_CACHE_MS } from "../../lambda-src/aws/tenants";
import { metrics } from "../../lambda-src/aws/observability";
import { manualClock } from "../../lambda-src/core/clock";
import { JOB_NAME_PATTERN } from "../../lambda-src/core/job-name";
import { commitRecord } from "../../lambda-src/aws/records";
import type { CallResult } from "../../lambda-src/contracts/result-schema";

const s3 = mockClient(S3Client);
const transcribe = mockClient(TranscribeClient);
const ssm = mockClient(SSMClient);
let metricSpy: jest.SpyInstance;

/** The function's clock: a few seconds after the uploads' S3 event time. */
const NOW = "2026-03-14T09:27:00.000Z";
const clock = manualClock(NOW);
const handler = handlerWith(clock);

const TENANT = { tenant_id: "demo-tenant", languages: ["en-US"], redact_pii: false, max_speakers: 3, results_retention_days: 30 };

beforeEach(() => {
  clock.set(NOW);
  s3.reset();
  transcribe.reset();
  ssm.reset();
  clearTenantCache();
  ssm.on(GetParameterCommand).rejects(awsError("ParameterNotFound"));
  ssm.on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/demo-tenant` }).resolves({ Parameter: { Value: JSON.stringify(TENANT) } });
  ssm
    .on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/multi` })
    .resolves({ Parameter: { Value: JSON.stringify({ ...TENANT, tenant_id: "multi", languages: ["en-US", "de-DE", "fr-FR"] }) } });
  s3.on(GetObjectCommand).resolves({ Body: body(wavHeader(1)) });
  s3.on(PutObjectCommand).resolves({});
  transcribe.on(StartTranscriptionJobCommand).resolves({ TranscriptionJob: { TranscriptionJobStatus: "QUEUED" } });
  metricSpy = jest.spyOn(metrics, "addMetric");
});
afterEach(() => metricSpy.mockRestore());

const started = () => transcribe.commandCalls(StartTranscriptionJobCommand).map((c) => c.args[0].input);
const records = () =>
  s3.commandCalls(PutObjectCommand).map((c) => ({ key: c.args[0].input.Key!, input: c.args[0].input, body: JSON.parse(String(c.args[0].input.Body)) }));
const metricNames = () => metricSpy.mock.calls.map((c) => c[0]);

function expectRejected(code: string, key: string, startAttempts = 0) {
  const r = records();
  expect(r).toHaveLength(1);
  expect(r[0].key).toBe(key);
  expect(r[0].body).toMatchObject({ status: "REJECTED", error: { code } });
  expect(r[0].input).toMatchObject({
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: ENV.KMS_KEY_ARN,
    ContentType: "application/json",
    Metadata: { status: "REJECTED" },
  });
  expect(started()).toHaveLength(startAttempts);
  expect(metricNames()).toContain("CallsRejected");
}

describe("start handler", () => {
  it("starts a transcription job for a mono WAV upload (happy path)", async () => {
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/call-001.wav", versionId: "v1" }));
    expect(res.batchItemFailures).toEqual([]);
    const [req] = started();
    expect(req.TranscriptionJobName).toMatch(JOB_NAME_PATTERN);
    expect(req.TranscriptionJobName!.startsWith("cci-lite-test-demo-tenant-call-001-")).toBe(true);
    expect(req).toMatchObject({
      Media: { MediaFileUri: `s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/call-001.wav` },
      MediaFormat: "wav",
      OutputBucketName: ENV.RESULTS_BUCKET,
      OutputKey: `tmp/demo-tenant/${req.TranscriptionJobName}.json`,
      OutputEncryptionKMSKeyId: ENV.KMS_KEY_ARN,
      LanguageCode: "en-US",
      Settings: { ShowSpeakerLabels: true, MaxSpeakerLabels: 3 },
      JobExecutionSettings: { DataAccessRoleArn: ENV.TRANSCRIBE_ROLE_ARN, AllowDeferredExecution: true },
    });
    expect(req.Tags).toEqual(
      expect.arrayContaining([
        { Key: "tenant", Value: "demo-tenant" },
        { Key: "call_id", Value: "call-001" },
        { Key: "uploaded_at", Value: EVENT_TIME },
      ]),
    );
    const get = s3.commandCalls(GetObjectCommand)[0].args[0].input;
    expect(get).toMatchObject({ Bucket: ENV.INPUT_BUCKET, Key: "demo-tenant/calls/call-001.wav", Range: "bytes=0-65535", VersionId: "v1" });
    expect(records()).toHaveLength(0);
    expect(metricNames()).toEqual(["CallsStarted"]);
  });

  it("uses channel identification for a stereo WAV (and never speaker labels with it)", async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(wavHeader(2, { extensible: true })) });
    await handler(uploadEvent({ key: "demo-tenant/calls/stereo.wav" }));
    expect(started()[0].Settings).toEqual({ ChannelIdentification: true });
  });

  it("detects stereo FLAC and mono MP3 from their headers", async () => {
    s3.on(GetObjectCommand, { Key: "demo-tenant/calls/a.flac" }).resolves({ Body: body(flacHeader(2)) });
    s3.on(GetObjectCommand, { Key: "demo-tenant/calls/b.mp3" }).resolves({ Body: body(mp3Header(true, 100)) });
    await handler(uploadEvent({ key: "demo-tenant/calls/a.flac" }, { key: "demo-tenant/calls/b.mp3" }));
    const [flac, mp3] = started();
    expect(flac).toMatchObject({ MediaFormat: "flac", Settings: { ChannelIdentification: true } });
    expect(mp3).toMatchObject({ MediaFormat: "mp3", Settings: { ShowSpeakerLabels: true, MaxSpeakerLabels: 3 } });
  });

  it("uses language identification for a tenant with several languages", async () => {
    await handler(uploadEvent({ key: "multi/calls/x.m4a" }));
    expect(started()[0]).toMatchObject({ IdentifyLanguage: true, LanguageOptions: ["en-US", "de-DE", "fr-FR"], MediaFormat: "m4a" });
    expect(started()[0].LanguageCode).toBeUndefined();
  });

  it("rejects an upload for an unknown tenant with an error record under unassigned/", async () => {
    const res = await handler(uploadEvent({ key: "nobody/calls/a.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expectRejected("UNKNOWN_TENANT", "unassigned/2026/03/14/a.json");
    expect(records()[0].body).toMatchObject({ tenant: "unassigned", call_id: "a", source_key: "nobody/calls/a.wav", uploaded_at: EVENT_TIME, timestamp: NOW });
  });

  it("dates a REJECTED record by the clock it is given, and by it the result key of an event without a time", async () => {
    clock.set("2031-07-01T23:59:59Z");
    await handler(uploadEvent({ key: "nobody/calls/a.wav", eventTime: "" }));
    expectRejected("UNKNOWN_TENANT", "unassigned/2031/07/01/a.json");
    expect(records()[0].body).toMatchObject({ timestamp: "2031-07-01T23:59:59.000Z", uploaded_at: "" });
  });

  it("rejects a key outside calls/ with an error record under the tenant", async () => {
    const res = await handler(uploadEvent({ key: "demo-tenant/uploads/a.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expectRejected("KEY_OUTSIDE_CALLS", "demo-tenant/2026/03/14/a.json");
  });

  it("rejects nested folders under calls/ (exact depth only)", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/2026/a.wav" }));
    expectRejected("KEY_OUTSIDE_CALLS", "demo-tenant/2026/03/14/a.json");
  });

  it("rejects an unsupported extension at the file's own record key (file!<name>), not a call's", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/notes.txt" }));
    expectRejected("UNSUPPORTED_FORMAT", "demo-tenant/2026/03/14/file!notes.txt.json");
    expect(records()[0].body).toMatchObject({
      call_id: "file!notes.txt",
      source_key: "demo-tenant/calls/notes.txt",
      rejected_file: { name: "notes.txt", extension: "txt" },
    });
  });

  it("rejects a zero-byte upload (an audio upload: the call's own record)", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/empty.wav", size: 0 }));
    expectRejected("EMPTY_OBJECT", "demo-tenant/2026/03/14/empty.json");
    expect(records()[0].body).toMatchObject({ call_id: "empty", rejected_file: null });
  });

  it("rejects an upload over Transcribe's 2 GB limit at the file's own record key", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/huge.WAV", size: 2 * 1024 ** 3 + 1 }));
    expectRejected("TOO_LARGE", "demo-tenant/2026/03/14/file!huge.WAV.json");
    expect(records()[0].body).toMatchObject({ call_id: "file!huge.WAV", rejected_file: { name: "huge.WAV", extension: "wav" } });
  });

  describe("a recorder's sidecar x.json next to x.wav: its own record, never the call's", () => {
    const CALL_KEY = "demo-tenant/2026/03/14/x.json";
    const SIDECAR_KEY = "demo-tenant/2026/03/14/file!x.json.json";
    /** The results bucket as a map with S3's conditional writes (the input bucket keeps beforeEach's WAV header). */
    function resultsBucket() {
      const objects = new Map<string, { body: string; etag: string }>();
      let n = 0;
      s3.on(GetObjectCommand, { Bucket: ENV.RESULTS_BUCKET }).callsFake((i: { Key: string }) => {
        const o = objects.get(i.Key);
        if (!o) throw awsError("NoSuchKey", 404);
        return { ETag: o.etag, Body: body(o.body) };
      });
      s3.on(PutObjectCommand, { Bucket: ENV.RESULTS_BUCKET }).callsFake((i: { Key: string; Body: string; IfMatch?: string; IfNoneMatch?: string }) => {
        const o = objects.get(i.Key);
        if ((i.IfNoneMatch === "*" && o) || (i.IfMatch !== undefined && i.IfMatch !== o?.etag)) throw awsError("PreconditionFailed", 412);
        objects.set(i.Key, { body: String(i.Body), etag: `"${++n}"` });
        return { ETag: `"${n}"` };
      });
      return { doc: (key: string) => (objects.has(key) ? JSON.parse(objects.get(key)!.body) : undefined), keys: () => [...objects.keys()].sort() };
    }
    const completed = {
      schema_version: "1.2",
      status: "COMPLETED",
      tenant: "demo-tenant",
      call_id: "x",
      summary: "The customer asked for a refund.",
      transcription_job_name: "cci-lite-test-demo-tenant-x-0123456789abcdef",
      uploaded_at: "2026-03-14T09:20:00.000Z",
      rejected_file: null,
    } as unknown as CallResult;

    it("uploaded after the audio: the call's COMPLETED record stays as it was, the sidecar's REJECTED record is beside it", async () => {
      const bucket = resultsBucket();
      await commitRecord(ENV.RESULTS_BUCKET, ENV.KMS_KEY_ARN, CALL_KEY, completed);
      const callKeyRequests = () =>
        [...s3.commandCalls(GetObjectCommand), ...s3.commandCalls(PutObjectCommand)].filter((c) => c.args[0].input.Key === CALL_KEY).length;
      const before = callKeyRequests();
      const res = await handler(uploadEvent({ key: "demo-tenant/calls/x.json", size: 300 }));
      expect(res.batchItemFailures).toEqual([]);
      expect(bucket.doc(CALL_KEY)).toEqual(completed);
      expect(bucket.doc(SIDECAR_KEY)).toMatchObject({
        status: "REJECTED",
        call_id: "file!x.json",
        rejected_file: { name: "x.json", extension: "json" },
        source_key: "demo-tenant/calls/x.json",
        error: { code: "UNSUPPORTED_FORMAT" },
      });
      expect(bucket.keys()).toEqual([SIDECAR_KEY, CALL_KEY].sort());
      // start never read or wrote the call's key.
      expect(callKeyRequests()).toBe(before);
      expect(started()).toHaveLength(0);
    });

    it("uploaded before the audio: the audio is started as call x, and its result is written (not superseded by the sidecar)", async () => {
      const bucket = resultsBucket();
      await handler(uploadEvent({ key: "demo-tenant/calls/x.json", size: 300, eventTime: "2026-03-14T09:19:00.000Z" }));
      await handler(uploadEvent({ key: "demo-tenant/calls/x.wav", eventTime: "2026-03-14T09:20:00.000Z" }));
      expect(started()).toHaveLength(1);
      expect(started()[0].Tags).toEqual(expect.arrayContaining([{ Key: "call_id", Value: "x" }]));
      expect(bucket.keys()).toEqual([SIDECAR_KEY]);
      // analyze writes the call's result through the same protocol: the key is free, so it is written.
      expect(await commitRecord(ENV.RESULTS_BUCKET, ENV.KMS_KEY_ARN, CALL_KEY, completed)).toBe("written");
      expect(bucket.doc(CALL_KEY)).toEqual(completed);
      expect(bucket.doc(SIDECAR_KEY)).toMatchObject({ status: "REJECTED", call_id: "file!x.json" });
      // A late redelivery of the sidecar's event changes neither record.
      await handler(uploadEvent({ key: "demo-tenant/calls/x.json", size: 300, eventTime: "2026-03-14T09:19:00.000Z" }));
      expect(bucket.doc(CALL_KEY)).toEqual(completed);
      expect(bucket.keys()).toEqual([SIDECAR_KEY, CALL_KEY].sort());
    });

    it("an upper-case sidecar X.JSON and x.json are two files with two records", async () => {
      const bucket = resultsBucket();
      await handler(uploadEvent({ key: "demo-tenant/calls/x.json", size: 300 }, { key: "demo-tenant/calls/x.JSON", size: 300 }));
      expect(bucket.keys()).toEqual(["demo-tenant/2026/03/14/file!x.JSON.json", SIDECAR_KEY]);
    });
  });

  it("rejects a key with malformed percent-encoding instead of crashing", async () => {
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/bad%ZZname.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expect(records()[0].key).toMatch(/^unassigned\/2026\/03\/14\/bad_ZZname-[0-9a-f]{8}\.json$/);
    expect(records()[0].body.error.code).toBe("INVALID_KEY");
  });

  it("decodes keys with spaces, + and unicode before starting the job", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/my+call+%2B1+%C3%BCber.wav" }));
    const [req] = started();
    expect(req.Media?.MediaFileUri).toBe(`s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/my call +1 über.wav`);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.Key).toBe("demo-tenant/calls/my call +1 über.wav");
    expect(req.TranscriptionJobName).toMatch(JOB_NAME_PATTERN);
    expect(req.Tags).toEqual(expect.arrayContaining([{ Key: "call_id", Value: expect.stringMatching(/^my_call__1__ber-[0-9a-f]{8}$/) }]));
  });

  it("treats a duplicate S3 event as a no-op: same job name, ConflictException is success", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/dup.wav", versionId: "v9" }));
    transcribe.on(StartTranscriptionJobCommand).rejects(awsError("ConflictException", 409));
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/dup.wav", versionId: "v9" }));
    expect(res.batchItemFailures).toEqual([]);
    const [first, second] = started();
    expect(second.TranscriptionJobName).toBe(first.TranscriptionJobName);
    expect(records()).toHaveLength(0);
    expect(metricNames()).toEqual(["CallsStarted"]);
  });

  it("acknowledges a ConflictException (job already started) without a retry or error record", async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(awsError("ConflictException", 409));
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/a.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expect(records()).toHaveLength(0);
  });

  it("starts a new job for a new version of the same key", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/a.wav", versionId: "v1" }, { key: "demo-tenant/calls/a.wav", versionId: "v2" }));
    const [a, b] = started();
    expect(a.TranscriptionJobName).not.toBe(b.TranscriptionJobName);
  });

  it("retries only the throttled message (ThrottlingException) and still processes the others", async () => {
    transcribe
      .on(StartTranscriptionJobCommand, { Media: { MediaFileUri: `s3://${ENV.INPUT_BUCKET}/demo-tenant/calls/slow.wav` } })
      .rejects(awsError("ThrottlingException", 400));
    const event = uploadEvent({ key: "demo-tenant/calls/ok1.wav" }, { key: "demo-tenant/calls/slow.wav" }, { key: "demo-tenant/calls/ok2.wav" });
    const res = await handler(event);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
    expect(started()).toHaveLength(3);
    expect(metricNames().filter((m) => m === "CallsStarted")).toHaveLength(2);
    expect(records()).toHaveLength(0);
  });

  it("retries the message on LimitExceededException (concurrency quota)", async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(awsError("LimitExceededException", 400));
    const event = uploadEvent({ key: "demo-tenant/calls/a.wav" });
    const res = await handler(event);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(records()).toHaveLength(0);
  });

  it("retries the message on a Transcribe 5xx error", async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(awsError("InternalFailureException", 500));
    const event = uploadEvent({ key: "demo-tenant/calls/a.wav" });
    expect((await handler(event)).batchItemFailures).toHaveLength(1);
  });

  it("rejects an object that is gone (NoSuchKey on the header read)", async () => {
    s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/gone.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expectRejected("OBJECT_NOT_FOUND", "demo-tenant/2026/03/14/gone.json");
  });

  describe("a rejection goes through the one write protocol (aws/records.ts commitRecord)", () => {
    const RESULT_KEY = "demo-tenant/2026/03/14/gone.json";
    const recordThere = (doc: object) =>
      s3.on(GetObjectCommand, { Bucket: ENV.RESULTS_BUCKET, Key: RESULT_KEY }).resolves({ ETag: '"e1"', Body: body(JSON.stringify(doc)) });
    beforeEach(() => s3.on(GetObjectCommand, { Bucket: ENV.INPUT_BUCKET }).rejects(awsError("NoSuchKey", 404)));

    it("a late rejection (a redrive after the audio expired) never replaces the call's COMPLETED result", async () => {
      recordThere({ status: "COMPLETED", transcription_job_name: "cci-lite-demo-tenant-gone-0123456789abcdef", uploaded_at: "2026-03-14T09:20:00.000Z" });
      const res = await handler(uploadEvent({ key: "demo-tenant/calls/gone.wav" }));
      expect(res.batchItemFailures).toEqual([]);
      expect(records()).toEqual([]);
      expect(metricNames()).toContain("CallsRejected");
    });

    it("a rejection of an older upload never replaces a newer upload's rejection", async () => {
      recordThere({ status: "REJECTED", transcription_job_name: null, uploaded_at: "2026-03-14T09:30:00.000Z" });
      await handler(uploadEvent({ key: "demo-tenant/calls/gone.wav" }));
      expect(records()).toEqual([]);
    });

    it("replaces an older upload's rejection only while the key still holds it (IfMatch its ETag); no record: IfNoneMatch", async () => {
      recordThere({ status: "REJECTED", transcription_job_name: null, uploaded_at: "2026-03-14T09:00:00.000Z" });
      await handler(uploadEvent({ key: "demo-tenant/calls/gone.wav" }));
      expect(records().map((r) => [r.key, r.input.IfMatch, r.input.IfNoneMatch])).toEqual([[RESULT_KEY, '"e1"', undefined]]);
      s3.reset();
      s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
      s3.on(PutObjectCommand).resolves({});
      await handler(uploadEvent({ key: "demo-tenant/calls/gone.wav" }));
      expect(records().map((r) => [r.key, r.input.IfMatch, r.input.IfNoneMatch])).toEqual([[RESULT_KEY, undefined, "*"]]);
    });
  });

  it("rejects an object whose header read is denied (S3 access denied)", async () => {
    s3.on(GetObjectCommand, { Bucket: ENV.INPUT_BUCKET }).rejects(awsError("AccessDenied", 403));
    s3.on(GetObjectCommand, { Bucket: ENV.RESULTS_BUCKET }).rejects(awsError("NoSuchKey", 404));
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/denied.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expectRejected("S3_ACCESS_DENIED", "demo-tenant/2026/03/14/denied.json");
  });

  it("retries the message when writing the error record fails", async () => {
    s3.on(PutObjectCommand).rejects(awsError("InternalError", 500));
    const event = uploadEvent({ key: "nobody/calls/a.wav" });
    const res = await handler(event);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
  });

  it("retries the message when SSM is throttled (tenant lookup failed, not unknown)", async () => {
    ssm.on(GetParameterCommand).rejects(awsError("ThrottlingException", 400));
    const event = uploadEvent({ key: "demo-tenant/calls/a.wav" });
    expect((await handler(event)).batchItemFailures).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it("caches tenant settings per container", async () => {
    await handler(uploadEvent({ key: "demo-tenant/calls/a.wav" }, { key: "demo-tenant/calls/b.wav" }));
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it("reports the messages it has no time left for, without starting them, and finishes the others", async () => {
    const event = uploadEvent({ key: "demo-tenant/calls/a.wav" }, { key: "demo-tenant/calls/b.wav" });
    const second = event.Records[1].messageId;
    let left = 12_000;
    const context = { getRemainingTimeInMillis: () => left, awsRequestId: "req-1" } as never;
    transcribe.on(StartTranscriptionJobCommand).callsFake(async () => {
      left = MIN_REMAINING_MS - 1; // the first start used up the time
      return { TranscriptionJob: { TranscriptionJobStatus: "QUEUED" } };
    });
    const res = await handler(event, context);
    expect(started()).toHaveLength(1);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: second }]);
    expect(records()).toEqual([]);
  });

  it("acknowledges and logs the s3:TestEvent", async () => {
    const res = await handler(sqsEvent({ Service: "Amazon S3", Event: "s3:TestEvent", Time: EVENT_TIME, Bucket: ENV.INPUT_BUCKET }));
    expect(res.batchItemFailures).toEqual([]);
    expect(started()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it("ignores a folder marker with a log line", async () => {
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/", size: 0 }));
    expect(res.batchItemFailures).toEqual([]);
    expect(started()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it("leaves a message that is not an S3 notification for retry and the dead-letter queue", async () => {
    const event = sqsEvent("not json", { hello: "world" });
    const res = await handler(event);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.map((r) => r.messageId));
  });

  describe("tenant settings edited by hand in SSM so that they break a rule", () => {
    const broken: Array<[string, object | string, RegExp]> = [
      ["six languages", { ...TENANT, languages: ["en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL"] }, /languages must list 1-5 .* got 6/],
      ["redaction with two languages", { ...TENANT, languages: ["en-US", "de-DE"], redact_pii: true }, /redactPii cannot be combined with language/],
      ["redaction for a language Transcribe cannot redact", { ...TENANT, languages: ["de-DE"], redact_pii: true }, /not available for de-DE/],
      ["50 speakers", { ...TENANT, max_speakers: 50 }, /maxSpeakers must be a whole number 2-30, got 50/],
      ["a document that is not JSON", "{languages: en-US", /is unusable/],
    ];
    it.each(broken)("%s: a visible INVALID_TENANT_SETTINGS record, no job, no retry", async (_, doc, reason) => {
      const Value = typeof doc === "string" ? doc : JSON.stringify(doc);
      ssm.on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/demo-tenant` }).resolves({ Parameter: { Value } });
      const res = await handler(uploadEvent({ key: "demo-tenant/calls/a.wav" }));
      expect(res.batchItemFailures).toEqual([]);
      expectRejected("INVALID_TENANT_SETTINGS", "demo-tenant/2026/03/14/a.json");
      expect(records()[0].body.error.message).toMatch(reason);
      expect(records()[0].body.error.message).toContain(`${ENV.CONFIG_PATH}/tenants/demo-tenant`);
      // No header read of the upload (the only read is of the call's record, before writing the rejection).
      expect(s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Bucket === ENV.INPUT_BUCKET)).toHaveLength(0);
    });
    it("keeps the rejection for the cache period (one SSM read), then sees the repaired document", async () => {
      ssm
        .on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/demo-tenant` })
        .resolves({ Parameter: { Value: JSON.stringify({ ...TENANT, max_speakers: 50 }) } });
      await handler(uploadEvent({ key: "demo-tenant/calls/a.wav" }, { key: "demo-tenant/calls/b.wav" }));
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
      expect(records().map((r) => r.body.error.code)).toEqual(["INVALID_TENANT_SETTINGS", "INVALID_TENANT_SETTINGS"]);
      ssm.on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/demo-tenant` }).resolves({ Parameter: { Value: JSON.stringify(TENANT) } });
      // Still cached one millisecond before the period ends (by the function's clock), read again at its end.
      clock.advance(TENANT_CACHE_MS - 1);
      await handler(uploadEvent({ key: "demo-tenant/calls/c.wav" }));
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
      expect(started()).toHaveLength(0);
      clock.advance(1);
      await handler(uploadEvent({ key: "demo-tenant/calls/c.wav" }));
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
      expect(started()).toHaveLength(1);
      expect(started()[0].Settings).toEqual({ ShowSpeakerLabels: true, MaxSpeakerLabels: 3 });
    });
  });

  it("treats a permanent Transcribe BadRequestException as a rejection", async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(awsError("BadRequestException", 400, "The media is invalid"));
    const res = await handler(uploadEvent({ key: "demo-tenant/calls/a.wav" }));
    expect(res.batchItemFailures).toEqual([]);
    expectRejected("TRANSCRIBE_BAD_REQUEST", "demo-tenant/2026/03/14/a.json", 1);
  });
});
