/**
 * The result-identity rule (core/result-identity.ts) and the one write protocol of a call's record
 * (aws/records.ts `commitRecord`): the rule case by case, then generated interleavings of concurrent writers
 * (fast-check's scheduler) against an in-memory S3 with real conditional-write semantics, checked against the
 * invariants: the record that stays does not depend on the order, an accepted upload's result is never replaced by
 * a rejection, and a job's COMPLETED record never gives way to its own failure.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import * as fc from "fast-check";
import { logger } from "../../lambda-src/aws/observability";
import { commitRecord, MAX_WRITE_ATTEMPTS } from "../../lambda-src/aws/records";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { compareUploads, decideWrite, recordRank } from "../../lambda-src/core/result-identity";
import { awsError, body } from "./fixtures";

const A = { uploadedAt: "2026-03-14T09:00:00.000Z", jobName: "p-t-x-bbbbbbbbbbbbbbbb" };
const B = { uploadedAt: "2026-03-14T09:05:00.000Z", jobName: "p-t-x-aaaaaaaaaaaaaaaa" };
const done = (u: typeof A) => ({ ...u, status: "COMPLETED" });
const failedOf = (u: typeof A) => ({ ...u, status: "FAILED" });
const rejectedAt = (uploadedAt: string) => ({ uploadedAt, jobName: null, status: "REJECTED" });

describe("result identity: accepted outranks rejected, then the newest upload wins", () => {
  it("orders uploads by S3 event time, then by job name (the hash of bucket, key and version or ETag)", () => {
    expect(compareUploads(A, B)).toBeLessThan(0);
    expect(compareUploads(B, A)).toBeGreaterThan(0);
    const sameMs = { ...A, jobName: "p-t-x-cccccccccccccccc" };
    expect(compareUploads(A, sameMs)).toBeLessThan(0);
    expect(compareUploads(sameMs, A)).toBeGreaterThan(0);
    expect(compareUploads(A, { ...A })).toBe(0);
  });

  it("treats a record without a parsable uploaded_at as older than any upload", () => {
    expect(compareUploads({ uploadedAt: null, jobName: "z" }, A)).toBeLessThan(0);
    expect(compareUploads({ uploadedAt: "garbage", jobName: "z" }, A)).toBeLessThan(0);
  });

  it("ranks accepted uploads' records (COMPLETED, FAILED) above rejections and unreadable records", () => {
    expect(recordRank("COMPLETED")).toBe(1);
    expect(recordRank("FAILED")).toBe(1);
    expect(recordRank("REJECTED")).toBe(0);
    expect(recordRank(undefined)).toBe(0);
  });

  it("decides per existing record: none or older -> write; newer -> superseded; own COMPLETED -> own unless forced", () => {
    expect(decideWrite(undefined, done(A))).toBe("write");
    expect(decideWrite(done(A), done(B))).toBe("write");
    expect(decideWrite(done(B), done(A))).toBe("superseded");
    expect(decideWrite(failedOf(B), done(A), { force: true })).toBe("superseded");
    expect(decideWrite(done(A), done(A))).toBe("own");
    expect(decideWrite(done(A), done(A), { force: true })).toBe("write");
  });

  it("a job's COMPLETED record never gives way to its own failure, forced or not", () => {
    expect(decideWrite(done(A), failedOf(A))).toBe("own");
    expect(decideWrite(done(A), failedOf(A), { force: true })).toBe("own");
  });

  it("a job replaces its own FAILED or JOB_STUCK record; a JOB_STUCK record never goes over any record of the job or a newer upload", () => {
    expect(decideWrite(failedOf(A), done(A))).toBe("write");
    expect(decideWrite(failedOf(A), failedOf(A), { stuck: true })).toBe("own");
    expect(decideWrite(done(B), failedOf(A), { stuck: true })).toBe("superseded");
    expect(decideWrite(done(A), failedOf(B), { stuck: true })).toBe("write");
  });

  it("a rejection never replaces an accepted upload's record, older or newer; an accepted upload replaces any rejection", () => {
    expect(decideWrite(done(A), rejectedAt(B.uploadedAt))).toBe("superseded");
    expect(decideWrite(failedOf(A), rejectedAt(B.uploadedAt))).toBe("superseded");
    expect(decideWrite(rejectedAt(B.uploadedAt), done(A))).toBe("write");
    expect(decideWrite(rejectedAt(A.uploadedAt), failedOf(B))).toBe("write");
  });

  it("between rejections the newer upload wins; an unreadable record gives way to anything", () => {
    expect(decideWrite(rejectedAt(B.uploadedAt), rejectedAt(A.uploadedAt))).toBe("superseded");
    expect(decideWrite(rejectedAt(A.uploadedAt), rejectedAt(B.uploadedAt))).toBe("write");
    expect(decideWrite({ uploadedAt: null, jobName: undefined, status: undefined }, rejectedAt(A.uploadedAt))).toBe("write");
  });
});

// ---- the write protocol under generated interleavings ----

const s3 = mockClient(S3Client);
const BUCKET = "results";
const KEY = "demo-tenant/2026/03/14/call-1.json";

/** One writer's record: an upload (time, job or none) and a status. */
interface Writer {
  readonly minute: number;
  readonly job: number | null;
  readonly status: "COMPLETED" | "FAILED" | "REJECTED";
  readonly force: boolean;
}

function recordOf(w: Writer): CallResult {
  return {
    status: w.status,
    transcription_job_name: w.job === null ? null : `p-demo-tenant-call-1-${String(w.job).padStart(16, "0")}`,
    uploaded_at: new Date(Date.UTC(2026, 2, 14, 9, w.minute)).toISOString(),
    tenant: "demo-tenant",
    call_id: "call-1",
  } as unknown as CallResult;
}

/**
 * The uploads of one call: distinct (minute, job) pairs. An accepted upload has a job and COMPLETED or FAILED
 * records (a job can write more than one: a failure, a retry, a forced run); a rejection has no job.
 */
const writersArb = fc
  .uniqueArray(fc.record({ minute: fc.integer({ min: 0, max: 50 }), accepted: fc.boolean() }), { minLength: 1, maxLength: 5, selector: (u) => u.minute })
  .chain((uploads) =>
    fc.array(
      fc.constantFrom(...uploads.map((u, i) => ({ ...u, job: u.accepted ? i : null }))).chain((u) =>
        fc.record({
          minute: fc.constant(u.minute),
          job: fc.constant(u.job),
          status: u.job === null ? fc.constant("REJECTED" as const) : fc.constantFrom("COMPLETED" as const, "FAILED" as const),
          force: fc.boolean(),
        }),
      ),
      { minLength: 1, maxLength: 7 },
    ),
  );

/** The record that must stay after every writer has written: the highest by rank, then by upload, then COMPLETED over FAILED. */
function expectedWinner(writers: readonly Writer[]): { job: number | null; minute: number; completed: boolean } {
  const key = (w: Writer) => [w.status === "REJECTED" ? 0 : 1, w.minute, w.job ?? -1];
  const best = [...writers].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  })[writers.length - 1]!;
  const same = writers.filter((w) => w.job === best.job && w.minute === best.minute);
  return { job: best.job, minute: best.minute, completed: same.some((w) => w.status === "COMPLETED") };
}

/** An in-memory results bucket with S3's conditional-write semantics; every request waits for the scheduler. */
function conditionalBucket(schedule: <T>(p: Promise<T>) => Promise<T>) {
  let stored: { body: string; etag: string } | undefined;
  let version = 0;
  const history: CallResult[] = [];
  s3.on(GetObjectCommand).callsFake(() =>
    schedule(Promise.resolve()).then(() => {
      if (!stored) throw awsError("NoSuchKey", 404);
      return { ETag: stored.etag, Body: body(stored.body) };
    }),
  );
  s3.on(PutObjectCommand).callsFake((input) =>
    schedule(Promise.resolve()).then(() => {
      if (input.IfNoneMatch === "*" && stored) throw awsError("PreconditionFailed", 412);
      if (input.IfMatch !== undefined && input.IfMatch !== stored?.etag) throw awsError("PreconditionFailed", 412);
      if (input.IfMatch === undefined && input.IfNoneMatch === undefined) throw new Error("an unconditional write of a call's record");
      stored = { body: String(input.Body), etag: `"${++version}"` };
      history.push(JSON.parse(stored.body) as CallResult);
      return { ETag: stored.etag };
    }),
  );
  return { current: () => (stored ? (JSON.parse(stored.body) as CallResult) : undefined), history };
}

describe("commitRecord: every interleaving of concurrent writers", () => {
  beforeEach(() => {
    s3.reset();
    jest.spyOn(logger, "info").mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it("the record that stays is the highest-ranked, newest upload's; no accepted result is replaced by a rejection; no job's COMPLETED record by its own failure", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), writersArb, async (scheduler, writers) => {
        s3.reset();
        const bucket = conditionalBucket((p) => scheduler.schedule(p));
        // Losing more conditional writes than the attempt budget is the one allowed failure: the event is retried
        // (SQS, Lambda async), which is what this loop does.
        const deliver = async (w: Writer): Promise<void> => {
          for (let delivery = 1; ; delivery++) {
            try {
              await commitRecord(BUCKET, "kms", KEY, recordOf(w), { force: w.force });
              return;
            } catch (e) {
              if ((e as Error).name !== "PreconditionFailed" || delivery >= 20) throw e;
            }
          }
        };
        const runs = writers.map(deliver);
        await scheduler.waitFor(Promise.all(runs));

        const final = bucket.current();
        const want = expectedWinner(writers);
        expect(final?.transcription_job_name ?? null).toBe(recordOf({ ...writers[0]!, job: want.job }).transcription_job_name);
        expect(final?.uploaded_at).toBe(recordOf({ ...writers[0]!, minute: want.minute }).uploaded_at);
        if (want.completed) expect(final?.status).toBe("COMPLETED");

        // Along the way: once an accepted result is there, no rejection follows; once a job's COMPLETED record is
        // there, that job's failure never follows.
        const h = bucket.history;
        for (let i = 1; i < h.length; i++) {
          if (h[i - 1]!.status !== "REJECTED") expect(h[i]!.status).not.toBe("REJECTED");
          if (h[i - 1]!.status === "COMPLETED" && h[i]!.transcription_job_name === h[i - 1]!.transcription_job_name) expect(h[i]!.status).toBe("COMPLETED");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a 404 to an IfMatch write (the record was deleted meanwhile) is a lost race: read again, decide again", async () => {
    const older = JSON.stringify({ status: "REJECTED", transcription_job_name: null, uploaded_at: "2026-03-14T08:00:00.000Z" });
    s3.on(GetObjectCommand)
      .resolvesOnce({ ETag: '"e1"', Body: body(older) })
      .rejects(awsError("NoSuchKey", 404));
    s3.on(PutObjectCommand, { IfMatch: '"e1"' }).rejects(awsError("NoSuchKey", 404));
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).resolves({ ETag: '"e2"' });
    expect(await commitRecord(BUCKET, "kms", KEY, recordOf({ minute: 1, job: 1, status: "COMPLETED", force: false }))).toBe("written");
    expect(s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.IfMatch, c.args[0].input.IfNoneMatch])).toEqual([
      ['"e1"', undefined],
      [undefined, "*"],
    ]);
  });

  it("a lost conditional write is decided again, up to MAX_WRITE_ATTEMPTS, then thrown (the event is retried)", async () => {
    s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
    s3.on(PutObjectCommand).rejects(awsError("PreconditionFailed", 412));
    await expect(commitRecord(BUCKET, "kms", KEY, recordOf({ minute: 1, job: 1, status: "COMPLETED", force: false }))).rejects.toThrow();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
  });
});
