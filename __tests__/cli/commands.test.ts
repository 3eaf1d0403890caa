/**
 * Every `cci` command in-process against mocked AWS clients (aws-sdk-client-mock): happy paths, error paths (no
 * such call, access denied naming the IAM action, throttled, missing credentials, another account) and the output
 * formats. The configuration is the repository's config/prod.json (account 111122223333, tenant demo-tenant).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from "@aws-sdk/client-athena";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetTranscriptionJobCommand, ListTranscriptionJobsCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { mockClient } from "aws-sdk-client-mock";
import { manualClock } from "../../lambda-src/core/clock";
import { run } from "../../scripts/cli/main";
import { EXIT } from "../../scripts/cli/exit-codes";
import { MAX_MEDIA_SECONDS, mediaRefusal } from "../../scripts/cli/media";
import type { Io } from "../../scripts/cli/output";

const ACCOUNT = "111122223333";
const REGION = "eu-central-1";
const INPUT = `cci-lite-prod-input-${ACCOUNT}-${REGION}`;
const RESULTS = `cci-lite-prod-results-${ACCOUNT}-${REGION}`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const JOB = "cci-lite-prod-demo-tenant-sample-0123456789abcdef";
const UPLOADED_AT = "2026-11-29T10:00:00.000Z";

const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const transcribe = mockClient(TranscribeClient);
const athena = mockClient(AthenaClient);
const sqs = mockClient(SQSClient);
const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);

const awsError = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const denied = (action: string, resource: string) =>
  awsError(
    "AccessDenied",
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/ops/jane is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`,
    403,
  );
/** What GetObject's Body offers the command (transformToString). */
const body = (text: string) => ({ transformToString: async () => text });

interface Captured extends Io {
  out: string[];
  err: string[];
}
function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, progressStream: process.stderr };
}
/** The commands' clock (never the machine's): two hours after the sample call's upload; `wait` sleeps on it. */
const NOW = "2026-11-29T12:00:00Z";
const clock = manualClock(NOW);

async function cci(...argv: string[]) {
  const io = capture();
  const code = await run(argv, { io, clock });
  return { code, out: io.out.join("\n"), err: io.err.join("\n"), json: () => JSON.parse(io.out.join("\n")) };
}

function record(status: "COMPLETED" | "FAILED" | "REJECTED", extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    schema_version: "1.1",
    status,
    tenant: "demo-tenant",
    call_id: "sample",
    transcription_job_name: JOB,
    source_key: "demo-tenant/calls/sample.wav",
    uploaded_at: UPLOADED_AT,
    job_started_at: "2026-11-29T10:00:05.000Z",
    job_completed_at: "2026-11-29T10:01:05.000Z",
    error: status === "COMPLETED" ? null : { code: "EMPTY_TRANSCRIPT", message: "The transcript has no words" },
    timestamp: "2026-11-29T10:01:10.000Z",
    ...extra,
  });
}
function job(status: string) {
  return {
    TranscriptionJobName: JOB,
    TranscriptionJobStatus: status,
    CreationTime: new Date("2026-11-29T10:00:05Z"),
    ...(status === "COMPLETED" ? { CompletionTime: new Date("2026-11-29T10:01:05Z") } : {}),
    Media: { MediaFileUri: `s3://${INPUT}/demo-tenant/calls/sample.wav` },
    Tags: [
      { Key: "tenant", Value: "demo-tenant" },
      { Key: "call_id", Value: "sample" },
      { Key: "uploaded_at", Value: UPLOADED_AT },
    ],
  };
}
const RESULT_KEY = "demo-tenant/2026/11/29/sample.json";

beforeEach(() => {
  for (const m of [sts, s3, kms, transcribe, athena, sqs, logs, lambda]) m.reset();
  clock.set(NOW);
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/jane` });
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: "k", Arn: KEY_ARN } });
  s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", "The specified key does not exist.", 404));
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  transcribe.on(ListTranscriptionJobsCommand).resolves({ TranscriptionJobSummaries: [] });
});

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-cmd-"));
  process.env.CCI_STATE_DIR = path.join(tmp, "state");
});
const file = (name: string, bytes: number) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, Buffer.alloc(bytes, 1));
  return f;
};

describe("help, usage and credentials", () => {
  it("every command has --help with examples and the exit codes", async () => {
    for (const c of ["upload", "status", "wait", "results", "reprocess", "redrive", "logs", "doctor"]) {
      const r = await cci(c, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toContain("Examples:");
      expect(r.out).toMatch(/Exit codes/);
    }
  });
  it("every exit code is in the help and in docs/cli.md", async () => {
    const help = (await cci("--help")).out;
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "cli.md"), "utf8");
    for (const code of Object.values(EXIT)) {
      expect(help).toMatch(new RegExp(`\\n  ${code}  \\S`));
      expect(doc).toMatch(new RegExp(`\\n\\| ${code} \\| \\S`));
    }
  });
  it("an unknown option is a usage error (exit 2)", async () => {
    const r = await cci("status", "x", "--bogus");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain("unknown option '--bogus'");
  });
  it("an unknown environment names the file and the available ones", async () => {
    const r = await cci("status", "x", "--env", "nope");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/^cci status: .*nope\.json does not exist \(--env nope; available: dev, prod\)$/);
  });
  it("missing credentials: one line, exit 3", async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const r = await cci("status", "sample");
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^cci status: no usable AWS credentials for sts:GetCallerIdentity/);
  });
  it("credentials of another account are refused before any other call", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999", Arn: "arn:aws:iam::999999999999:user/x" });
    const r = await cci("results");
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err).toContain("are for account 999999999999");
    expect(athena.calls()).toHaveLength(0);
  });
});

describe("upload", () => {
  it("uploads to <tenant>/calls/ with SSE-KMS under the environment key and prints the call id and result key", async () => {
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN });
    const r = await cci("upload", file("sample.wav", 2048), "--tenant", "demo-tenant", "--json");
    expect(r.code).toBe(0);
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: INPUT, Key: "demo-tenant/calls/sample.wav", ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN });
    expect(kms.commandCalls(DescribeKeyCommand)[0].args[0].input.KeyId).toBe("alias/cci-lite-prod-master-key");
    const u = r.json().uploaded[0];
    expect(u).toMatchObject({ callId: "sample", key: "demo-tenant/calls/sample.wav", kmsKey: KEY_ARN, multipart: false });
    expect(u.resultUri).toBe(`s3://${RESULTS}/${RESULT_KEY}`);
  });
  it("the result key it prints is dated by the command's clock (the upload's day)", async () => {
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN });
    clock.set("2031-02-03T23:59:59Z");
    const r = await cci("upload", file("sample.wav", 2048), "--json");
    expect(r.json().uploaded[0].resultUri).toBe(`s3://${RESULTS}/demo-tenant/2031/02/03/sample.json`);
  });
  it("the table names the call id and where to follow it", async () => {
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN });
    const r = await cci("upload", file("call one.mp3", 100));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/call_one-[0-9a-f]{8}/);
    expect(r.out).toContain("cci status call_one-");
  });
  it("refuses what Transcribe cannot take, before uploading anything (the start function's rules)", async () => {
    const r = await cci("upload", file("ok.wav", 10), file("notes.txt", 10), file("empty.flac", 0), "--json");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.json().refused.map((x: { code: string }) => x.code)).toEqual(["UNSUPPORTED_FORMAT", "EMPTY_OBJECT"]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
  it("Transcribe's duration and channel limits (the headers are read in __tests__/cli/terminal.test.ts)", () => {
    expect(mediaRefusal({ durationSeconds: MAX_MEDIA_SECONDS, channels: 2 })).toBeUndefined();
    expect(mediaRefusal({ durationSeconds: MAX_MEDIA_SECONDS + 1 })?.code).toBe("TOO_LONG");
    expect(mediaRefusal({ durationSeconds: 0.4 })?.code).toBe("TOO_SHORT");
    expect(mediaRefusal({ channels: 3 })?.code).toBe("TOO_MANY_CHANNELS");
    expect(mediaRefusal({})).toBeUndefined();
  });
  it("an unknown tenant is a usage error naming the configured ones", async () => {
    const r = await cci("upload", file("a.wav", 10), "--tenant", "acme");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain('tenant "acme" is not configured in environment prod (configured: demo-tenant)');
  });
  it("access denied names the denied IAM action and resource in one line", async () => {
    s3.on(PutObjectCommand).rejects(denied("s3:PutObject", `arn:aws:s3:::${INPUT}/demo-tenant/calls/a.wav`));
    const r = await cci("upload", file("a.wav", 10));
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toContain(`access denied: s3:PutObject on arn:aws:s3:::${INPUT}/demo-tenant/calls/a.wav for arn:aws:sts::${ACCOUNT}:assumed-role/ops/jane`);
  });
  it("without kms:DescribeKey it relies on the bucket's default key and says so", async () => {
    kms.on(DescribeKeyCommand).rejects(denied("kms:DescribeKey", "arn:aws:kms:eu-central-1:111122223333:key/x"));
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN });
    const r = await cci("upload", file("b.wav", 10));
    expect(r.code).toBe(0);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.SSEKMSKeyId).toBeUndefined();
    expect(r.err).toContain("kms:DescribeKey denied");
  });
  it("throttling after the SDK's retries is exit 6", async () => {
    s3.on(PutObjectCommand).rejects(awsError("SlowDown", "Please reduce your request rate.", 503));
    const r = await cci("upload", file("c.wav", 10));
    expect(r.code).toBe(EXIT.AWS_UNAVAILABLE);
    expect(r.err).toContain("throttled");
  });
});

describe("status and wait", () => {
  it("analysed: the newest job, its tags' upload time, the record at the pipeline's result key", async () => {
    transcribe.on(ListTranscriptionJobsCommand).resolves({
      TranscriptionJobSummaries: [
        { TranscriptionJobName: "cci-lite-prod-demo-tenant-sample-ffffffffffffffff", CreationTime: new Date("2026-11-01T00:00:00Z") },
        { TranscriptionJobName: JOB, CreationTime: new Date("2026-11-29T10:00:05Z") },
        { TranscriptionJobName: "cci-lite-prod-demo-tenant-sample-two-0123456789abcdef", CreationTime: new Date("2026-11-30T00:00:00Z") },
      ],
    });
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED") as never });
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: RESULT_KEY }).resolves({ Body: body(record("COMPLETED")) as never });
    const r = await cci("status", "sample", "--json");
    expect(r.code).toBe(0);
    expect(transcribe.commandCalls(ListTranscriptionJobsCommand)[0].args[0].input.JobNameContains).toBe("cci-lite-prod-demo-tenant-sample-");
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)[0].args[0].input.TranscriptionJobName).toBe(JOB);
    expect(r.json()).toMatchObject({
      state: "analysed",
      transcribeState: "COMPLETED",
      jobName: JOB,
      resultUri: `s3://${RESULTS}/${RESULT_KEY}`,
      recordStatus: "COMPLETED",
    });
  });
  it("failed: exit 1 with the error code and message, from a file name", async () => {
    transcribe
      .on(ListTranscriptionJobsCommand)
      .resolves({ TranscriptionJobSummaries: [{ TranscriptionJobName: JOB, CreationTime: new Date("2026-11-29T10:00:05Z") }] });
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED") as never });
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: RESULT_KEY }).resolves({ Body: body(record("FAILED")) as never });
    const r = await cci("status", "./recordings/sample.wav");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.out).toMatch(/state\s+│ failed/);
    expect(r.out).toContain("EMPTY_TRANSCRIPT: The transcript has no words");
  });
  it("transcribing: Transcribe's state while the record is not written", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("IN_PROGRESS") as never });
    const r = await cci("status", JOB, "--json");
    expect(r.code).toBe(0);
    expect(transcribe.commandCalls(ListTranscriptionJobsCommand)).toHaveLength(0);
    expect(r.json()).toMatchObject({ tenant: "demo-tenant", callId: "sample", state: "transcribing", transcribeState: "IN_PROGRESS", recordStatus: null });
  });
  it("queued: the upload is in the input bucket, no job yet", async () => {
    s3.on(ListObjectsV2Command, { Bucket: INPUT }).resolves({ Contents: [{ Key: "demo-tenant/calls/sample.wav", LastModified: new Date(UPLOADED_AT) }] });
    const r = await cci("status", "sample", "--json");
    expect(r.json()).toMatchObject({ state: "queued", uploadKey: "demo-tenant/calls/sample.wav", resultKey: RESULT_KEY });
  });
  it("rejected: a REJECTED record and no job", async () => {
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: "demo-tenant/2026/11/28/sample.json" }).resolves({
      Body: body(record("REJECTED", { transcription_job_name: null, error: { code: "EMPTY_OBJECT", message: "bad" } })) as never,
    });
    const r = await cci("status", "sample", "--json");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.json()).toMatchObject({ state: "rejected", error: { code: "EMPTY_OBJECT" } });
  });
  describe("a rejected non-audio file (a recorder's sidecar sample.json next to sample.wav): its own record file!sample.json", () => {
    const FILE_KEY = "demo-tenant/2026/11/28/file!sample.json.json";
    const sidecar = () =>
      record("REJECTED", {
        call_id: "file!sample.json",
        transcription_job_name: null,
        source_key: "demo-tenant/calls/sample.json",
        rejected_file: { name: "sample.json", extension: "json" },
        error: { code: "UNSUPPORTED_FORMAT", message: 'Unsupported file extension "json"' },
      });
    beforeEach(() => s3.on(GetObjectCommand, { Bucket: RESULTS, Key: FILE_KEY }).resolves({ Body: body(sidecar()) as never }));

    it("`cci status sample.json`: no call of that id, so the file of that name", async () => {
      const r = await cci("status", "sample.json", "--json");
      expect(r.code).toBe(EXIT.FAILED);
      expect(r.json()).toMatchObject({
        callId: "file!sample.json",
        state: "rejected",
        resultKey: FILE_KEY,
        uploadKey: "demo-tenant/calls/sample.json",
        error: { code: "UNSUPPORTED_FORMAT" },
      });
      // The call id "sample.json" was looked for first (a call may be named so: sample.json.wav).
      expect(transcribe.commandCalls(ListTranscriptionJobsCommand)[0].args[0].input.JobNameContains).toBe("cci-lite-prod-demo-tenant-sample.json-");
    });
    it("a path to the file, or the record id, names the file directly (no Transcribe lookup); the table says file", async () => {
      for (const ref of ["./recordings/sample.json", "file!sample.json"]) {
        transcribe.resetHistory();
        const r = await cci("status", ref);
        expect(r.code).toBe(EXIT.FAILED);
        expect(r.out).toMatch(/file\s+│ demo-tenant\/file!sample\.json/);
        expect(r.out).toContain("UNSUPPORTED_FORMAT");
        expect(transcribe.commandCalls(ListTranscriptionJobsCommand)).toHaveLength(0);
      }
    });
    it("the call sample is not confused with its sidecar: the sidecar upload is not the call's pending upload", async () => {
      s3.on(ListObjectsV2Command, { Bucket: INPUT }).resolves({
        Contents: [{ Key: "demo-tenant/calls/sample.json", LastModified: new Date(UPLOADED_AT), Size: 300 }],
      });
      const call = await cci("status", "sample");
      expect(call.code).toBe(EXIT.NOT_FOUND);
      const file = await cci("status", "./sample.json", "--json");
      expect(file.json()).toMatchObject({
        callId: "file!sample.json",
        state: "queued",
        uploadKey: "demo-tenant/calls/sample.json",
        resultKey: "demo-tenant/2026/11/29/file!sample.json.json",
      });
    });
    it("neither a call nor a file of that name: exit 4 naming both", async () => {
      const r = await cci("status", "other.json");
      expect(r.code).toBe(EXIT.NOT_FOUND);
      expect(r.err).toContain('no call "other.json" of tenant demo-tenant');
      expect(r.err).toContain("nor a file record file!other.json");
    });
  });
  it("without Transcribe or input-bucket read access (the operator policy) the record alone tells", async () => {
    transcribe.on(ListTranscriptionJobsCommand).rejects(denied("transcribe:ListTranscriptionJobs", "*"));
    s3.on(ListObjectsV2Command, { Bucket: INPUT }).rejects(awsError("AccessDenied", "Access Denied", 403));
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: "demo-tenant/2026/11/29/sample.json" }).resolves({ Body: body(record("COMPLETED")) as never });
    const r = await cci("status", "sample", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ state: "analysed", jobName: JOB, recordStatus: "COMPLETED" });
  });
  it("the look-back for a record is counted from the command's clock, however far from the machine's date", async () => {
    // The original failure (issue #18): the records are dated by the test's clock, the look-back used the machine's.
    clock.set("2031-02-03T12:00:00Z");
    const rejected = record("REJECTED", { transcription_job_name: null, error: { code: "UNSUPPORTED_FORMAT", message: "bad" } });
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: "demo-tenant/2031/02/01/sample.json" }).resolves({ Body: body(rejected) as never });
    const found = await cci("status", "sample", "--json");
    expect(found.code).toBe(EXIT.FAILED);
    expect(found.json()).toMatchObject({ state: "rejected", resultKey: "demo-tenant/2031/02/01/sample.json" });
    const keys = () => s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys()).toEqual(["demo-tenant/2031/02/03/sample.json", "demo-tenant/2031/02/02/sample.json", "demo-tenant/2031/02/01/sample.json"]);
    // Eight days back is outside the default seven; --days reaches it.
    s3.reset();
    s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", "The specified key does not exist.", 404));
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: "demo-tenant/2031/01/26/sample.json" }).resolves({ Body: body(rejected) as never });
    const tooOld = await cci("status", "sample");
    expect(tooOld.code).toBe(EXIT.NOT_FOUND);
    expect(tooOld.err).toContain("no record in the last 7 days");
    expect(keys().at(-1)).toBe("demo-tenant/2031/01/27/sample.json");
    expect((await cci("status", "sample", "--days", "8")).code).toBe(EXIT.FAILED);
  });
  it("a denied record read is named", async () => {
    s3.on(GetObjectCommand).rejects(awsError("AccessDenied", "Access Denied", 403));
    const r = await cci("status", "sample");
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err).toBe("cci status: access denied: s3:GetObject; the operator policy needs s3:GetObject (docs/cli.md#permissions)");
  });
  it("no such call: exit 4", async () => {
    const r = await cci("status", "nope");
    expect(r.code).toBe(EXIT.NOT_FOUND);
    expect(r.err).toContain('no call "nope" of tenant demo-tenant');
  });
  it("no such job name: exit 4", async () => {
    transcribe.on(GetTranscriptionJobCommand).rejects(awsError("BadRequestException", "The requested job couldn't be found.", 400));
    const r = await cci("status", JOB);
    expect(r.code).toBe(EXIT.NOT_FOUND);
  });
  it("throttled Transcribe is exit 6", async () => {
    transcribe.on(ListTranscriptionJobsCommand).rejects(awsError("ThrottlingException", "Rate exceeded", 400));
    const r = await cci("status", "sample");
    expect(r.code).toBe(EXIT.AWS_UNAVAILABLE);
    expect(r.err).toContain("throttled transcribe:ListTranscriptionJobs");
  });
  it("wait polls until the record is written", async () => {
    let checks = 0;
    transcribe.on(GetTranscriptionJobCommand).callsFake(() => ({ TranscriptionJob: job(++checks < 3 ? "IN_PROGRESS" : "COMPLETED") }));
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: RESULT_KEY }).callsFake(() => {
      if (checks < 3) throw awsError("NoSuchKey", "no", 404);
      return { Body: body(record("COMPLETED")) };
    });
    const r = await cci("wait", JOB, "--interval", "5", "--json");
    expect(r.code).toBe(0);
    expect(r.json().state).toBe("analysed");
    expect(r.err).toContain("is transcribing");
  });
  it("wait gives up after --timeout with exit 5", async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("IN_PROGRESS") as never });
    const r = await cci("wait", JOB, "--interval", "10", "--timeout", "30");
    expect(r.code).toBe(EXIT.TIMEOUT);
    expect(r.err).toContain("did not settle within 30 s (last state: transcribing)");
    // It waited on the command's clock (checks at 0, 10, 20 and 30 s), not on the machine's.
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)).toHaveLength(4);
    expect(clock.now().toISOString()).toBe("2026-11-29T12:00:30.000Z");
  });
});

describe("results", () => {
  const rows = [
    ["call_date", "call_id", "status", "sentiment", "language", "duration_s", "error_code", "summary", "timestamp"],
    ["2026/11/29", "sample", "COMPLETED", "POSITIVE", "en-US", "61", "", 'Said "hi", then, left', "2026-11-29T10:01:00Z"],
  ];
  beforeEach(() => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: rows.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })) } });
  });
  it("queries the environment's workgroup with parameters, not spliced values", async () => {
    const r = await cci("results", "--since", "2d", "--status", "FAILED", "--format", "json");
    expect(r.code).toBe(0);
    const q = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(q.WorkGroup).toBe("cci-lite-prod");
    expect(q.QueryString).toContain('FROM "cci_lite_prod"."call_results"');
    expect(q.QueryString).not.toContain("demo-tenant");
    expect(q.ExecutionParameters).toEqual(["'demo-tenant'", "'2026/11/27'", "'2026-11-27T12:00:00.000Z'", "'FAILED'"]);
    expect(r.json().rows[0]).toMatchObject({ call_id: "sample", status: "COMPLETED", summary: 'Said "hi", then, left' });
  });
  it("table and csv", async () => {
    const t = await cci("results");
    expect(t.out).toMatch(/│ call_date\s+│ call_id/);
    expect(t.out).toContain("│ sample ");
    const c = await cci("results", "--format", "csv");
    expect(c.out.split("\n")).toEqual([rows[0].join(","), '2026/11/29,sample,COMPLETED,POSITIVE,en-US,61,,"Said ""hi"", then, left",2026-11-29T10:01:00Z']);
  });
  it("a failed query names its reason; a bad --status is a usage error", async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: "Bytes scanned limit was exceeded" } } });
    const r = await cci("results");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.err).toContain("Bytes scanned limit was exceeded");
    expect((await cci("results", "--status", "DONE")).code).toBe(EXIT.USAGE);
  });
  it("access denied names athena:StartQueryExecution", async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(awsError("AccessDeniedException", "You are not authorized to perform: athena:StartQueryExecution on the resource.", 400));
    const r = await cci("results");
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err).toContain("access denied: athena:StartQueryExecution");
  });
});

describe("reprocess", () => {
  beforeEach(() => {
    transcribe
      .on(ListTranscriptionJobsCommand)
      .resolves({ TranscriptionJobSummaries: [{ TranscriptionJobName: JOB, CreationTime: new Date("2026-11-29T10:00:05Z") }] });
    transcribe.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: job("COMPLETED") as never });
    s3.on(GetObjectCommand, { Bucket: RESULTS, Key: RESULT_KEY }).resolves({ Body: body(record("COMPLETED")) as never });
  });
  it("invokes analyze with the pipeline's reprocess request", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ results: [{ jobName: JOB, outcome: "COMPLETED", resultKey: RESULT_KEY }] })) as never,
    });
    const r = await cci("reprocess", "sample", "--force", "--json");
    expect(r.code).toBe(0);
    const inv = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(inv.FunctionName).toBe("cci-lite-prod-analyze");
    expect(JSON.parse(Buffer.from(inv.Payload as Uint8Array).toString())).toEqual({ jobNames: [JOB], force: true });
    expect(r.json().results[0].outcome).toBe("COMPLETED");
  });
  it("without --force a COMPLETED record is kept and the hint says so", async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify({ results: [{ jobName: JOB, outcome: "SKIPPED", skipReason: "own" }] })) as never });
    const r = await cci("reprocess", "sample");
    expect(r.code).toBe(0);
    expect(r.err).toContain("add --force");
  });
  /** analyze answers the reprocess request with one SKIPPED result carrying `extra`. */
  const skippedAnswer = (extra: Record<string, string>) =>
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ results: [{ jobName: JOB, outcome: "SKIPPED", resultKey: RESULT_KEY, ...extra }] })) as never,
    });
  it("a forced run that failed over a kept COMPLETED record (transcript expired) is exit 1 and names both", async () => {
    skippedAnswer({ skipReason: "own", errorCode: "TRANSCRIPT_NOT_FOUND" });
    const r = await cci("reprocess", "sample", "--force");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.out).toContain("TRANSCRIPT_NOT_FOUND, record kept: own");
  });
  it("a job another delivery is analysing (its claim) is exit 1 with a hint", async () => {
    skippedAnswer({ skipReason: "claimed" });
    const r = await cci("reprocess", "sample", "--force");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.err).toContain("another delivery is analysing the job now");
  });
  it("an analyze error is exit 1; a call without a job is exit 4", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ results: [{ jobName: JOB, outcome: "ERROR", error: "AccessDeniedException: bedrock" }] })) as never,
    });
    expect((await cci("reprocess", "sample")).code).toBe(EXIT.FAILED);
    transcribe.on(ListTranscriptionJobsCommand).resolves({ TranscriptionJobSummaries: [] });
    s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", "no", 404));
    expect((await cci("reprocess", "ghost")).code).toBe(EXIT.NOT_FOUND);
  });
  it("lambda:InvokeFunction denied is named", async () => {
    lambda
      .on(InvokeCommand)
      .rejects(
        awsError(
          "AccessDeniedException",
          "User: x is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:eu-central-1:111122223333:function:cci-lite-prod-analyze",
          403,
        ),
      );
    const r = await cci("reprocess", "sample");
    expect(r.code).toBe(EXIT.AWS_ACCESS);
    expect(r.err).toContain("access denied: lambda:InvokeFunction on arn:aws:lambda:eu-central-1:111122223333:function:cci-lite-prod-analyze");
  });
});

describe("redrive", () => {
  const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:cci-lite-prod-intake-dlq`;
  const Q_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:cci-lite-prod-intake`;
  beforeEach(() => {
    sqs.on(GetQueueUrlCommand, { QueueName: "cci-lite-prod-intake-dlq" }).resolves({ QueueUrl: "https://sqs/dlq" });
    sqs.on(GetQueueUrlCommand, { QueueName: "cci-lite-prod-intake" }).resolves({ QueueUrl: "https://sqs/q" });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: "https://sqs/dlq" })
      .resolves({ Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: "3", ApproximateNumberOfMessagesNotVisible: "0" } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: "https://sqs/q" }).resolves({ Attributes: { QueueArn: Q_ARN, ApproximateNumberOfMessages: "0" } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "h-1" });
  });
  it("moves the intake DLQ to the intake queue (ARNs from SQS) and reports the counts", async () => {
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolvesOnce({ Results: [{ TaskHandle: "h-1", Status: "RUNNING", ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] })
      .resolves({ Results: [{ TaskHandle: "h-1", Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }] });
    const r = await cci("redrive", "--json");
    expect(r.code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).toMatchObject({ SourceArn: DLQ_ARN, DestinationArn: Q_ARN });
    expect(r.json()).toMatchObject({ deadLetterQueue: "cci-lite-prod-intake-dlq", queue: "cci-lite-prod-intake", waiting: 3, moved: 3, status: "COMPLETED" });
  });
  it("an empty DLQ and --dry-run move nothing", async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    const dry = await cci("redrive", "--dry-run");
    expect(dry.out).toBe("3 message(s) in cci-lite-prod-intake-dlq would move to cci-lite-prod-intake");
    sqs.on(GetQueueAttributesCommand, { QueueUrl: "https://sqs/dlq" }).resolves({ Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: "0" } });
    const empty = await cci("redrive");
    expect(empty.code).toBe(0);
    expect(empty.out).toContain("is empty");
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });
  it("a failed move task is exit 1 with its reason; StartMessageMoveTask denied is named", async () => {
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolves({
        Results: [{ TaskHandle: "h-1", Status: "FAILED", FailureReason: "AWS.SimpleQueueService.NonExistentQueue", ApproximateNumberOfMessagesMoved: 0 }],
      });
    const r = await cci("redrive");
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.err).toContain("NonExistentQueue");
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqs.on(StartMessageMoveTaskCommand).rejects(awsError("AccessDenied", "Access to the resource https://sqs is denied.", 403));
    const d = await cci("redrive");
    expect(d.code).toBe(EXIT.AWS_ACCESS);
    expect(d.err).toContain("access denied: sqs:StartMessageMoveTask");
  });
});

describe("logs", () => {
  it("filters every function's log group by the call id and merges the lines in time order", async () => {
    logs.on(FilterLogEventsCommand, { logGroupName: "/aws/lambda/cci-lite-prod-start" }).resolves({
      events: [
        { timestamp: Date.parse("2026-11-29T10:00:01Z"), message: JSON.stringify({ level: "INFO", message: "Transcription job started", call_id: "sample" }) },
      ],
    });
    logs.on(FilterLogEventsCommand, { logGroupName: "/aws/lambda/cci-lite-prod-analyze" }).resolves({
      events: [
        { timestamp: Date.parse("2026-11-29T10:01:09Z"), message: JSON.stringify({ level: "INFO", message: "Result written", result_key: RESULT_KEY }) },
      ],
    });
    logs.on(FilterLogEventsCommand, { logGroupName: "/aws/lambda/cci-lite-prod-reconcile" }).resolves({ events: [] });
    const r = await cci("logs", "--call", "sample", "--since", "3h", "--json");
    expect(r.code).toBe(0);
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.logGroupName)).toEqual([
      "/aws/lambda/cci-lite-prod-start",
      "/aws/lambda/cci-lite-prod-analyze",
      "/aws/lambda/cci-lite-prod-reconcile",
    ]);
    expect(calls[0]).toMatchObject({ filterPattern: '"sample"', startTime: Date.parse("2026-11-29T09:00:00Z") });
    expect(r.json().events.map((e: { function: string; message: string }) => `${e.function}: ${e.message}`)).toEqual([
      "start: Transcription job started",
      "analyze: Result written",
    ]);
  });
  it("one function; an unknown function is a usage error; a missing log group is exit 4", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ timestamp: Date.parse("2026-11-29T11:30:00Z"), message: "ERROR something broke" }] });
    const one = await cci("logs", "analyze");
    expect(one.out).toContain("ERROR something broke");
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
    expect((await cci("logs", "transcribe")).code).toBe(EXIT.USAGE);
    logs.on(FilterLogEventsCommand).rejects(awsError("ResourceNotFoundException", "The specified log group does not exist.", 400));
    const missing = await cci("logs", "start");
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(missing.err).toContain("log group /aws/lambda/cci-lite-prod-start does not exist");
  });
});

describe("doctor", () => {
  it("is the repository's doctor (same options, its own messages)", async () => {
    const r = await cci("doctor", "--env", "nope");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^doctor: .*nope\.json does not exist/);
  });
});
