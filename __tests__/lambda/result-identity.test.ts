import { compareUploads, decideWrite } from "../../lambda-src/core/result-identity";

const A = { uploadedAt: "2026-03-14T09:00:00.000Z", jobName: "p-t-x-bbbbbbbbbbbbbbbb" };
const B = { uploadedAt: "2026-03-14T09:05:00.000Z", jobName: "p-t-x-aaaaaaaaaaaaaaaa" };

describe("result identity: the newest upload wins", () => {
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

  it("decides per existing record: none or older -> write; newer -> superseded; own COMPLETED -> own unless forced", () => {
    expect(decideWrite(undefined, A)).toBe("write");
    expect(decideWrite({ ...A, status: "COMPLETED" }, B)).toBe("write");
    expect(decideWrite({ ...B, status: "COMPLETED" }, A)).toBe("superseded");
    expect(decideWrite({ ...B, status: "FAILED" }, A, { force: true })).toBe("superseded");
    expect(decideWrite({ ...A, status: "COMPLETED" }, A)).toBe("own");
    expect(decideWrite({ ...A, status: "COMPLETED" }, A, { force: true })).toBe("write");
  });

  it("a job replaces its own FAILED or JOB_STUCK record; a JOB_STUCK record never goes over any record of the job or a newer upload", () => {
    expect(decideWrite({ ...A, status: "FAILED" }, A)).toBe("write");
    expect(decideWrite({ ...A, status: "FAILED" }, A, { stuck: true })).toBe("own");
    expect(decideWrite({ ...B, status: "COMPLETED" }, A, { stuck: true })).toBe("superseded");
    expect(decideWrite({ ...A, status: "COMPLETED" }, B, { stuck: true })).toBe("write");
  });

  it("a REJECTED record of a newer upload (no job) stays; one of an older upload is replaced", () => {
    expect(decideWrite({ uploadedAt: B.uploadedAt, jobName: null, status: "REJECTED" }, A)).toBe("superseded");
    expect(decideWrite({ uploadedAt: A.uploadedAt, jobName: null, status: "REJECTED" }, B)).toBe("write");
  });
});
