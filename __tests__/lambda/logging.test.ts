/**
 * Every log line of an invocation carries the Lambda context (Powertools `addContext`): request id, cold start,
 * function name; the per-record correlation keys (tenant, call_id, job_name) stay and do not leak into the next
 * record. Runs the real logger (level INFO, JSON on stdout/stderr) in its own test file, so the first invocation
 * here is the container's cold start.
 */
import { awsError, body, ENV, sqsEvent, uploadEvent, wavHeader } from "./fixtures";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { StartTranscriptionJobCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

const s3 = mockClient(S3Client);
const transcribe = mockClient(TranscribeClient);
const ssm = mockClient(SSMClient);

let handler: typeof import("../../lambda-src/handlers/start").handler;
beforeAll(() => {
  // Before the logger is constructed: log for real, and be an on-demand container (Lambda sets this variable).
  process.env.POWERTOOLS_LOG_LEVEL = "INFO";
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
  ({ handler } = require("../../lambda-src/handlers/start") as typeof import("../../lambda-src/handlers/start"));
});

beforeEach(() => {
  s3.reset();
  transcribe.reset();
  ssm.reset();
  ssm.on(GetParameterCommand).rejects(awsError("ParameterNotFound"));
  ssm
    .on(GetParameterCommand, { Name: `${ENV.CONFIG_PATH}/tenants/demo-tenant` })
    .resolves({ Parameter: { Value: JSON.stringify({ tenant_id: "demo-tenant", languages: ["en-US"], max_speakers: 2 }) } });
  s3.on(GetObjectCommand).resolves({ Body: body(wavHeader(1)) });
  s3.on(PutObjectCommand).resolves({});
  transcribe.on(StartTranscriptionJobCommand).resolves({});
});

function context(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: "cci-lite-test-start",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-central-1:111122223333:function:cci-lite-test-start",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => 60_000,
  } as Context;
}

/** The JSON log lines the handler writes (stdout and stderr) during one call. */
async function logLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, "write").mockImplementation(capture);
  const err = jest.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written
    .flatMap((w) => w.split("\n"))
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => "level" in l);
}

describe("log lines of the start handler", () => {
  it("carry the request id, cold start and function of the invocation, and the record's correlation keys", async () => {
    const lines = await logLines(() => handler(uploadEvent({ key: "demo-tenant/calls/call-001.wav" }), context("req-1")));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toMatchObject({ function_request_id: "req-1", cold_start: true, function_name: "cci-lite-test-start", service: "cci-lite-test" });
    }
    const started = lines.find((l) => l.message === "Transcription job started");
    const jobName = expect.stringMatching(/^cci-lite-test-demo-tenant-call-001-/);
    expect(started).toMatchObject({ level: "INFO", tenant: "demo-tenant", call_id: "call-001", job_name: jobName });
  });

  it("carry the next request's id with cold_start false, without the previous record's keys", async () => {
    const lines = await logLines(async () => {
      await handler(uploadEvent({ key: "nobody/calls/x.wav" }, { key: "demo-tenant/calls/y.wav" }), context("req-2"));
      await handler(sqsEvent({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: ENV.INPUT_BUCKET }), context("req-3"));
    });
    const rejected = lines.find((l) => l.message === "Upload rejected");
    expect(rejected).toMatchObject({ level: "WARN", function_request_id: "req-2", cold_start: false, tenant: "unassigned", call_id: "x" });
    expect(lines.find((l) => l.message === "Transcription job started")).toMatchObject({ function_request_id: "req-2", tenant: "demo-tenant", call_id: "y" });
    const test = lines.find((l) => l.message === "Acknowledging s3:TestEvent");
    expect(test).toMatchObject({ function_request_id: "req-3", cold_start: false });
    expect(test).not.toHaveProperty("tenant");
    expect(test).not.toHaveProperty("job_name");
  });
});
