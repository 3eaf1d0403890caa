/**
 * Result identity: which upload's record a call's result key holds. Pure; docs/pipeline.md "Result identity".
 *
 * Rule: the newest upload of a call wins. Uploads are ordered by their S3 event time (`uploaded_at`, millisecond
 * precision, carried in the job tags and the record); equal times are ordered by the transcription job name,
 * whose last 16 hex digits hash the bucket, key and version id (or ETag): arbitrary but the same everywhere, so
 * the outcome never depends on which event or invocation came last. A record without a parsable `uploaded_at`
 * is older than any upload that has one.
 */

/** The identity of one upload as a record or a job carries it. */
export interface UploadIdentity {
  readonly uploadedAt: string | null | undefined;
  readonly jobName: string | null | undefined;
}

/** What is already at the result key (read before writing). */
export interface ExistingRecordIdentity extends UploadIdentity {
  readonly status: string | null | undefined;
}

const time = (iso: string | null | undefined): number => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
};

/** Negative when `a` is the older upload, positive when it is the newer one, 0 for the same upload. */
export function compareUploads(a: UploadIdentity, b: UploadIdentity): number {
  const ta = time(a.uploadedAt);
  const tb = time(b.uploadedAt);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.jobName ?? "";
  const nb = b.jobName ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * - `write`: no record yet, a record of an older upload, or this job's own record that may be replaced (a FAILED or
 *   JOB_STUCK record; a COMPLETED one only when forced).
 * - `own`: this job's record is already there and stays (the job is settled).
 * - `superseded`: a newer upload's record is there; this job never overwrites it (the job is settled).
 */
export type WriteDecision = "write" | "own" | "superseded";

export interface DecideOptions {
  /** Manual reprocessing: replace this job's own COMPLETED record (never a newer upload's). */
  readonly force?: boolean;
  /** reconcile's JOB_STUCK record: written only where no record of this job or a newer upload exists. */
  readonly stuck?: boolean;
}

export function decideWrite(existing: ExistingRecordIdentity | undefined, mine: UploadIdentity, opts: DecideOptions = {}): WriteDecision {
  if (!existing) return "write";
  if (existing.jobName && existing.jobName === mine.jobName) {
    if (opts.stuck) return "own";
    return existing.status === "COMPLETED" && !opts.force ? "own" : "write";
  }
  return compareUploads(existing, mine) > 0 ? "superseded" : "write";
}
