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
import { RESULT_RECORDS_GLOB, resultKey } from "../../lambda-src/contracts/storage-layout";
import { callIdFromFileName, extensionOf, FILE_RECORD_PREFIX, fileRecordId, MAX_MEDIA_BYTES, MEDIA_FORMATS, nonCallFile } from "../../lambda-src/core/s3-key";
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

/** An in-memory results bucket with S3's conditional-write semantics, per key; every request waits for the scheduler. */
function conditionalBucket(schedule: <T>(p: Promise<T>) => Promise<T>) {
  const stored = new Map<string, { body: string; etag: string }>();
  let version = 0;
  const histories = new Map<string, CallResult[]>();
  s3.on(GetObjectCommand).callsFake((input) =>
    schedule(Promise.resolve()).then(() => {
      const o = stored.get(input.Key);
      if (!o) throw awsError("NoSuchKey", 404);
      return { ETag: o.etag, Body: body(o.body) };
    }),
  );
  s3.on(PutObjectCommand).callsFake((input) =>
    schedule(Promise.resolve()).then(() => {
      const o = stored.get(input.Key);
      if (input.IfNoneMatch === "*" && o) throw awsError("PreconditionFailed", 412);
      if (input.IfMatch !== undefined && input.IfMatch !== o?.etag) throw awsError("PreconditionFailed", 412);
      if (input.IfMatch === undefined && input.IfNoneMatch === undefined) throw new Error("an unconditional write of a call's record");
      stored.set(input.Key, { body: String(input.Body), etag: `"${++version}"` });
      histories.set(input.Key, [...(histories.get(input.Key) ?? []), JSON.parse(String(input.Body)) as CallResult]);
      return { ETag: `"${version}"` };
    }),
  );
  const current = (key = KEY) => {
    const o = stored.get(key);
    return o ? (JSON.parse(o.body) as CallResult) : undefined;
  };
  return { current, history: (key = KEY) => histories.get(key) ?? [], keys: () => [...stored.keys()].sort() };
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
        const h = bucket.history();
        for (let i = 1; i < h.length; i++) {
          if (h[i - 1]!.status !== "REJECTED") expect(h[i]!.status).not.toBe("REJECTED");
          if (h[i - 1]!.status === "COMPLETED" && h[i]!.transcription_job_name === h[i - 1]!.transcription_job_name) expect(h[i]!.status).toBe("COMPLETED");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("sidecars and oversize files of the call, written concurrently by the key rule start uses, never touch the call's record", async () => {
    /** What a recorder leaves next to `call-1.wav`: sidecars in any case, a file without extension, an oversize copy. */
    const files = [
      { name: "call-1.json", size: 300 },
      { name: "call-1.JSON", size: 300 },
      { name: "call-1.xml", size: 300 },
      { name: "call-1", size: 300 },
      { name: "call-1.wav", size: MAX_MEDIA_BYTES + 1 },
    ];
    const sidecarsArb = fc.array(fc.record({ file: fc.constantFrom(...files), minute: fc.integer({ min: 0, max: 50 }) }), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), writersArb, sidecarsArb, async (scheduler, writers, sidecars) => {
        s3.reset();
        const bucket = conditionalBucket((p) => scheduler.schedule(p));
        const day = new Date(Date.UTC(2026, 2, 14));
        const routed = sidecars.map((c) => {
          // start's rule (services/start-upload.ts reject): a non-call file gets its own id and key.
          const file = nonCallFile(`demo-tenant/calls/${c.file.name}`, c.file.size);
          if (file === undefined) throw new Error(`${c.file.name} should not be a call`);
          const id = fileRecordId(file);
          const record = {
            ...recordOf({ minute: c.minute, job: null, status: "REJECTED", force: false }),
            call_id: id,
            rejected_file: { name: file, extension: extensionOf(file) },
          };
          return { key: resultKey("demo-tenant", day, id), record };
        });
        const deliver = async (key: string, record: CallResult, force = false): Promise<void> => {
          for (let delivery = 1; ; delivery++) {
            try {
              await commitRecord(BUCKET, "kms", key, record, { force });
              return;
            } catch (e) {
              if ((e as Error).name !== "PreconditionFailed" || delivery >= 20) throw e;
            }
          }
        };
        await scheduler.waitFor(Promise.all([...writers.map((w) => deliver(KEY, recordOf(w), w.force)), ...routed.map((r) => deliver(r.key, r.record))]));
        // The call's key: exactly what the call's own writers leave, and never a file's record on the way.
        const want = expectedWinner(writers);
        expect(bucket.current()?.transcription_job_name ?? null).toBe(recordOf({ ...writers[0]!, job: want.job }).transcription_job_name);
        expect(bucket.current()?.uploaded_at).toBe(recordOf({ ...writers[0]!, minute: want.minute }).uploaded_at);
        for (const r of bucket.history()) expect(r.call_id).toBe("call-1");
        // Each file: its own key, holding its newest upload's rejection.
        for (const r of routed) {
          expect(r.key).not.toBe(KEY);
          const newest = Math.max(...routed.filter((x) => x.key === r.key).map((x) => Date.parse(x.record.uploaded_at!)));
          expect(bucket.current(r.key)).toMatchObject({ status: "REJECTED", call_id: r.record.call_id, uploaded_at: new Date(newest).toISOString() });
        }
        expect(bucket.keys()).toEqual([...new Set([KEY, ...routed.map((r) => r.key)])].sort());
      }),
      { numRuns: 150 },
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

// ---- the record key of an upload that is not a call (core/s3-key.ts fileRecordId, nonCallFile) ----

describe("file records: a non-audio or oversize upload's key never equals a call's", () => {
  const DAY = new Date(Date.UTC(2026, 2, 14));
  /** File names as recorders and people write them: dots, spaces, `!`, upper case, non-ASCII, no extension. */
  const stemArb = fc.string({ unit: fc.constantFrom("x", "Y", "1", ".", " ", "!", "_", "-", "ü", "通"), minLength: 0, maxLength: 12 });
  const extArb = fc.constantFrom("wav", "WAV", "Mp3", "flac", "json", "JSON", "xml", "txt", "tar.gz", "", "w!v");
  const nameArb = fc.tuple(stemArb, extArb).map(([stem, ext]) => (ext ? `${stem}.${ext}` : stem));
  const sizeArb = fc.constantFrom(1, 300, MAX_MEDIA_BYTES, MAX_MEDIA_BYTES + 1);
  /** Athena's partition layout `<tenant>/YYYY/MM/DD/<file>`. */
  const LAYOUT = /^demo-tenant\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.json$/;
  /** The IAM resource glob the roles are granted on call records (`*` any characters, `?` one). */
  const GLOB = new RegExp(`^${RESULT_RECORDS_GLOB.replace(/[.]/g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);

  it("examples: a sidecar next to its call, an oversize call, upper case, dots, no extension", () => {
    expect(fileRecordId("x.json")).toBe("file!x.json");
    expect(resultKey("demo-tenant", DAY, fileRecordId("x.json"))).toBe("demo-tenant/2026/03/14/file!x.json.json");
    expect(resultKey("demo-tenant", DAY, callIdFromFileName("x.wav"))).toBe("demo-tenant/2026/03/14/x.json");
    expect(resultKey("demo-tenant", DAY, callIdFromFileName("x.json.wav"))).toBe("demo-tenant/2026/03/14/x.json.json");
    expect(fileRecordId("x.JSON")).toBe("file!x.JSON");
    expect(fileRecordId("call.2026-03.tar.gz")).toBe("file!call.2026-03.tar.gz");
    expect(fileRecordId("README")).toBe("file!README");
    expect(fileRecordId("a b.json")).toMatch(/^file!a_b-[0-9a-f]{8}\.json$/);
    expect(fileRecordId(".DS_Store")).toMatch(/^file!_DS_Store-[0-9a-f]{8}$/);
    // A long name keeps its extension.
    expect(fileRecordId(`${"x".repeat(300)}.json`)).toMatch(/^file!x+-[0-9a-f]{8}\.json$/);
    expect(nonCallFile("demo-tenant/calls/x.json", 300)).toBe("x.json");
    expect(nonCallFile("demo-tenant/calls/x.WAV", 300)).toBeUndefined();
    expect(nonCallFile("demo-tenant/calls/x.wav", MAX_MEDIA_BYTES)).toBeUndefined();
    expect(nonCallFile("demo-tenant/calls/x.wav", MAX_MEDIA_BYTES + 1)).toBe("x.wav");
    expect(nonCallFile("demo-tenant/calls/x.wav", undefined)).toBeUndefined();
    expect(nonCallFile("x.aac", 1)).toBe("x.aac");
  });

  it("for any call and any non-call file of a tenant and day, the two record keys differ; distinct files get distinct keys", () => {
    fc.assert(
      fc.property(nameArb, sizeArb, nameArb, (a, sizeA, b) => {
        const callId = callIdFromFileName(a);
        expect(callId).not.toContain("!");
        expect(callId.startsWith(FILE_RECORD_PREFIX)).toBe(false);
        const fileA = nonCallFile(`demo-tenant/calls/${a}`, sizeA);
        const isCall = Object.hasOwn(MEDIA_FORMATS, a.lastIndexOf(".") > 0 ? a.slice(a.lastIndexOf(".") + 1).toLowerCase() : "") && sizeA <= MAX_MEDIA_BYTES;
        expect(fileA).toBe(isCall ? undefined : a);
        const fileKey = resultKey("demo-tenant", DAY, fileRecordId(b));
        expect(fileKey).toMatch(LAYOUT);
        expect(fileKey).toMatch(GLOB);
        expect(fileKey.split("/").pop()!).toMatch(/^file!/); // never `_…` or `.…`, which Athena skips
        expect(fileKey).not.toBe(resultKey("demo-tenant", DAY, callId));
        if (a !== b) expect(fileRecordId(a)).not.toBe(fileRecordId(b));
      }),
      { numRuns: 2000 },
    );
  });
});
