/**
 * Result identity: which upload's record a call's result key holds. Pure; docs/pipeline.md "Result identity".
 *
 * Rule: an accepted upload's record outranks a rejection; within one rank the newest upload of a call wins. Uploads are ordered by their S3 event time (`uploaded_at`, millisecond
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

/** A record about to be written: its upload and its status. */
export interface RecordIdentity extends UploadIdentity {
  readonly status: string;
}

/**
 * The rank of a record's kind: a result of an accepted upload (COMPLETED or FAILED: a transcription job ran or
 * was started) outranks a rejection (REJECTED) and a record that cannot be read (no status). Within one rank the
 * newer upload wins ({@link compareUploads}).
 */
export function recordRank(status: string | null | undefined): number {
  return status === "COMPLETED" || status === "FAILED" ? 1 : 0;
}

/**
 * - `write`: no record yet, a record this one outranks (a rejection, an unreadable record, an older upload's record
 *   of the same rank), or this job's own record that may be replaced (a FAILED or JOB_STUCK record; a COMPLETED one
 *   only by a forced COMPLETED record).
 * - `own`: this job's record is already there and stays (the job is settled).
 * - `superseded`: a record that outranks this one is there (an accepted upload's record against a rejection, or a
 *   newer upload's record of the same rank); it is never overwritten (the job is settled).
 */
export type WriteDecision = "write" | "own" | "superseded";

export interface DecideOptions {
  /** Manual reprocessing: a COMPLETED record replaces this job's own COMPLETED record (never a newer upload's). */
  readonly force?: boolean;
  /** reconcile's JOB_STUCK record: written only where no record of this job or a newer upload exists. */
  readonly stuck?: boolean;
}

/**
 * Whether `mine` may replace `existing` at a call's result key. The rules, and so the record that stays, do not
 * depend on the order writers arrive in:
 * - an accepted upload's result is never replaced by a rejection, whatever the upload times;
 * - within one rank the newer upload wins;
 * - a job's COMPLETED record is never replaced by a failure of the same job, forced or not.
 */
export function decideWrite(existing: ExistingRecordIdentity | undefined, mine: RecordIdentity, opts: DecideOptions = {}): WriteDecision {
  if (!existing) return "write";
  if (existing.jobName && existing.jobName === mine.jobName) {
    if (opts.stuck) return "own";
    if (existing.status !== "COMPLETED") return "write";
    return opts.force && mine.status === "COMPLETED" ? "write" : "own";
  }
  const rank = recordRank(existing.status) - recordRank(mine.status);
  if (rank !== 0) return rank > 0 ? "superseded" : "write";
  return compareUploads(existing, mine) > 0 ? "superseded" : "write";
}
