/**
 * The exact-upload check of analyze (docs/pipeline.md "Result identity"): does the input key still hold the upload
 * this job was started for, and if not, will the newer upload of the key get a record that outranks this job's?
 *
 * Transcribe's media URI carries no version, so a newer upload of the key before Transcribe read it would make the
 * transcript the newer audio's. A newer upload that start accepts gets its own job and record, which outranks this
 * one (the newer upload of one rank wins): this job then pays for nothing and writes nothing. A newer upload that
 * start rejects (empty, or larger than Transcribe accepts: `sizeRule` of core/s3-key.ts, the only rules that
 * can differ between two uploads of one key) gets a REJECTED record, which never replaces an accepted upload's
 * result, so this job's result is the call's whichever of the two was handled first. Had Transcribe read the newer
 * (empty or oversize) object, the job would have failed, not reached this check.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { errorName, httpStatus, isNotFound } from "../core/errors";
import { unquoteEtag } from "../core/result";
import { sizeRule } from "../core/s3-key";
import { s3Client } from "../aws/clients";
import type { JobContext } from "./job-record";

/**
 * - `same`: the key holds this job's upload, or there is no evidence of a change (the key is gone: expired or
 *   deleted; an upload without a known ETag).
 * - `newer-accepted`: a newer upload that start accepts is there; its own job makes the record.
 * - `newer-rejected`: a newer upload that start rejects is there; this job's record stays the call's.
 */
export type SourceState = "same" | "newer-accepted" | "newer-rejected";

const isInvalidRange = (e: unknown): boolean => errorName(e) === "InvalidRange" || httpStatus(e) === 416;

/**
 * One 1-byte read of the key: its ETag says whether it still holds this job's upload; if not, its size
 * (`Content-Range: bytes 0-0/<size>`, or 416 `InvalidRange` for an empty object, RFC 9110 §15.5.17) decides the
 * newer upload's fate by start's size rules.
 */
export async function sourceState(ctx: JobContext): Promise<SourceState> {
  const { bucket, key, etag } = ctx.source;
  if (!bucket || !key || !etag) return "same";
  let size: number;
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=0-0" }));
    await out.Body?.transformToByteArray();
    if (!out.ETag || unquoteEtag(out.ETag) === unquoteEtag(etag)) return "same";
    size = Number(/\/(\d+)$/.exec(out.ContentRange ?? "")?.[1] ?? out.ContentLength);
  } catch (e) {
    if (isNotFound(e)) return "same";
    if (!isInvalidRange(e)) throw e;
    size = 0; // only an empty object has no byte 0; this job's upload was not empty (start accepted it)
  }
  return sizeRule(size) ? "newer-rejected" : "newer-accepted";
}
