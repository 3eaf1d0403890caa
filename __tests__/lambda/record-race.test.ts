/**
 * The write protocol of a call's record (`commitRecord`, lambda-src/aws/records.ts) through the real SDK against the
 * stateful fake S3 (bench/fake-s3.ts, checked against moto by fake-s3-parity.test.ts): two writers race on one
 * record key, the fake's gate orders their requests (both read, then one writes first), and S3's conditional write
 * rules decide. The loser gets a 412 (or a 404 to its `IfMatch`), reads again and decides again; an accepted
 * upload's COMPLETED record is never replaced by a late rejection. Also the fake's async-invoke queue.
 */
import { ENV } from "./fixtures";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type FakeAws, type S3GateRequest, startFakeAws } from "../../bench/fake-aws";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { systemClock } from "../../lambda-src/core/clock";
import { buildResult } from "../../lambda-src/core/result";
import { logger } from "../../lambda-src/aws/observability";
import { type CommitOutcome, commitRecord } from "../../lambda-src/aws/records";

const BUCKET = ENV.RESULTS_BUCKET;
const KMS = ENV.KMS_KEY_ARN;
const NOW = new Date("2026-03-14T10:00:00.000Z");
const T1 = "2026-03-14T09:00:00.000Z";
const T2 = "2026-03-14T09:30:00.000Z";

let fake: FakeAws;
const saved = { ...process.env };
beforeAll(async () => {
  // The fake's `Date` header must agree with the SDK's clock, or the SDK takes each error for clock skew and retries
  // it (the runtime's client keeps its default 3 attempts). The records' own times are data (NOW, T1, T2).
  fake = await startFakeAws({ clock: systemClock });
  // The runtime's S3 client (lambda-src/aws/clients.ts) reads these when it is created, on the first call.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "fake-session-token",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

let key = "";
let n = 0;
beforeEach(() => {
  fake.reset();
  fake.s3.setVersioning(BUCKET, "Enabled"); // as deployed (modules/storage/index.ts)
  fake.setS3Gate(undefined);
  fake.takeCalls();
  key = `demo-tenant/2026/03/14/call-${++n}.json`;
});

function completed(jobName: string, uploadedAt: string): CallResult {
  return buildResult(
    "COMPLETED",
    { tenant: "demo-tenant", callId: `call-${n}`, source: { bucket: ENV.INPUT_BUCKET, key: "demo-tenant/calls/x.wav" }, jobName, uploadedAt, now: NOW },
    { summary: `job ${jobName}` },
  );
}
function rejected(uploadedAt: string): CallResult {
  return buildResult(
    "REJECTED",
    { tenant: "demo-tenant", callId: `call-${n}`, source: { bucket: ENV.INPUT_BUCKET, key: "demo-tenant/calls/x.json" }, uploadedAt, now: NOW },
    {},
    { code: "UNSUPPORTED_FORMAT", message: "not audio" },
  );
}

/** The record at the key now, read from the fake's state (not through the code under test). */
function stored(): { status: string; job: string | null; versions: number } {
  const cur = fake.s3.current(BUCKET, key);
  const doc = JSON.parse(cur?.body.toString("utf8") ?? "{}") as Partial<CallResult>;
  return { status: String(doc.status), job: doc.transcription_job_name ?? null, versions: fake.s3.bucket(BUCKET).keys.get(key)?.length ?? 0 };
}

/**
 * Orders the two writers: their first reads are both served before either write, then the write whose body
 * contains `firstWriter` is served before the other. Later requests pass at once.
 */
function raceGate(firstWriter: string): { log: string[] } {
  const log: string[] = [];
  let reads = 0;
  let releaseReads!: () => void;
  const bothRead = new Promise<void>((r) => {
    releaseReads = r;
  });
  let releaseSecond!: () => void;
  const firstWritten = new Promise<void>((r) => {
    releaseSecond = r;
  });
  let writes = 0;
  fake.setS3Gate(async (req: S3GateRequest) => {
    if (req.key !== key) return;
    const cond = req.headers["if-match"] ? "IfMatch" : req.headers["if-none-match"] ? "IfNoneMatch" : "";
    if (req.method === "GET" && reads < 2) {
      reads++;
      if (reads === 2) releaseReads();
      await bothRead;
    }
    if (req.method === "PUT") {
      writes++;
      if (writes <= 2 && !req.body.includes(firstWriter)) await firstWritten;
      log.push(`PUT ${cond} ${req.body.includes(firstWriter) ? "first" : "second"}`);
      // Served right after this gate returns; let the other writer's PUT through on the next turn.
      if (req.body.includes(firstWriter)) setImmediate(releaseSecond);
      return;
    }
    log.push(req.method);
  });
  return { log };
}

/** commitRecord's "deciding again" log lines (a lost conditional write that is re-read and decided again). */
function retries(spy: jest.SpyInstance): number {
  return spy.mock.calls.filter(([msg]) => msg === "Write conflict").length;
}

describe("two writers race on one record key", () => {
  let info: jest.SpyInstance;
  beforeEach(() => {
    info = jest.spyOn(logger, "info");
  });
  afterEach(() => info.mockRestore());

  it("the newer upload writes first: the older one loses If-None-Match *, re-reads and leaves the newer record", async () => {
    const { log } = raceGate('"job-b"');
    const [older, newer] = await Promise.all([commitRecord(BUCKET, KMS, key, completed("job-a", T1)), commitRecord(BUCKET, KMS, key, completed("job-b", T2))]);
    expect([older, newer]).toEqual<CommitOutcome[]>(["superseded", "written"]);
    expect(log).toEqual(["GET", "GET", "PUT IfNoneMatch first", "PUT IfNoneMatch second", "GET"]);
    expect(retries(info)).toBe(1);
    expect(stored()).toEqual({ status: "COMPLETED", job: "job-b", versions: 1 });
  });

  it("the older upload writes first: the newer one loses, re-reads and replaces it If-Match its ETag", async () => {
    const { log } = raceGate('"job-a"');
    const [older, newer] = await Promise.all([commitRecord(BUCKET, KMS, key, completed("job-a", T1)), commitRecord(BUCKET, KMS, key, completed("job-b", T2))]);
    expect([older, newer]).toEqual<CommitOutcome[]>(["written", "written"]);
    expect(log).toEqual(["GET", "GET", "PUT IfNoneMatch first", "PUT IfNoneMatch second", "GET", "PUT IfMatch second"]);
    expect(retries(info)).toBe(1);
    // The bucket is versioned: the older record stays as a noncurrent version.
    expect(stored()).toEqual({ status: "COMPLETED", job: "job-b", versions: 2 });
  });

  it("a late rejection that writes first is replaced by the accepted upload's COMPLETED record", async () => {
    const { log } = raceGate('"REJECTED"');
    const [late, accepted] = await Promise.all([commitRecord(BUCKET, KMS, key, rejected(T2)), commitRecord(BUCKET, KMS, key, completed("job-a", T1))]);
    expect([late, accepted]).toEqual<CommitOutcome[]>(["written", "written"]);
    expect(log).toEqual(["GET", "GET", "PUT IfNoneMatch first", "PUT IfNoneMatch second", "GET", "PUT IfMatch second"]);
    expect(stored()).toMatchObject({ status: "COMPLETED", job: "job-a" });
  });

  it("a late rejection that loses the race re-reads and never replaces the COMPLETED record; a redelivery does not either", async () => {
    const { log } = raceGate('"COMPLETED"');
    const [late, accepted] = await Promise.all([commitRecord(BUCKET, KMS, key, rejected(T2)), commitRecord(BUCKET, KMS, key, completed("job-a", T1))]);
    expect([late, accepted]).toEqual<CommitOutcome[]>(["superseded", "written"]);
    expect(log).toEqual(["GET", "GET", "PUT IfNoneMatch first", "PUT IfNoneMatch second", "GET"]);
    fake.setS3Gate(undefined);
    fake.takeCalls();
    expect(await commitRecord(BUCKET, KMS, key, rejected(T2))).toBe("superseded");
    expect(fake.takeCalls()).toEqual(["S3.GetObject"]);
    expect(stored()).toEqual({ status: "COMPLETED", job: "job-a", versions: 1 });
  });

  it("the record read is deleted before the write: the 404 to If-Match is a lost race, re-read and written If-None-Match *", async () => {
    await commitRecord(BUCKET, KMS, key, rejected(T1));
    const log: string[] = [];
    fake.setS3Gate((req) => {
      if (req.key !== key) return;
      log.push(`${req.method}${req.headers["if-match"] ? " IfMatch" : req.headers["if-none-match"] ? " IfNoneMatch" : ""}`);
      // A concurrent DeleteObject lands between this writer's read and its write (a delete marker: versioned bucket).
      if (req.headers["if-match"]) fake.s3.store(BUCKET, key, { body: Buffer.alloc(0), contentType: "", lastModified: systemClock.now(), deleteMarker: true });
    });
    expect(await commitRecord(BUCKET, KMS, key, completed("job-a", T1))).toBe("written");
    expect(log).toEqual(["GET", "PUT IfMatch", "GET", "PUT IfNoneMatch"]);
    expect(retries(info)).toBe(1);
    expect(stored()).toMatchObject({ status: "COMPLETED", job: "job-a" });
  });
});

describe("the fake's async-invoke queue", () => {
  const lambda = () => new LambdaClient({ endpoint: fake.url, maxAttempts: 1 });

  it("queues each accepted Event invocation (202) until the test drains it", async () => {
    const payload = JSON.stringify({ reconcile: { jobName: "job-a", attempt: 1 } });
    const out = await lambda().send(
      new InvokeCommand({ FunctionName: "cci-lite-test-analyze", InvocationType: "Event", Payload: new TextEncoder().encode(payload) }),
    );
    expect(out.StatusCode).toBe(202);
    await lambda().send(new InvokeCommand({ FunctionName: "cci-lite-test-analyze", InvocationType: "Event", Payload: new TextEncoder().encode("{}") }));
    expect(fake.takeAsyncInvocations()).toEqual([
      { functionName: "cci-lite-test-analyze", qualifier: undefined, payload },
      { functionName: "cci-lite-test-analyze", qualifier: undefined, payload: "{}" },
    ]);
    expect(fake.takeAsyncInvocations()).toEqual([]);
  });

  it("runs no function: a synchronous invoke is refused, and nothing is queued", async () => {
    await expect(
      lambda().send(new InvokeCommand({ FunctionName: "cci-lite-test-analyze", InvocationType: "RequestResponse", Payload: new TextEncoder().encode("{}") })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    expect(fake.takeAsyncInvocations()).toEqual([]);
  });
});
