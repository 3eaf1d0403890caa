/**
 * Transcription job naming rules. The infrastructure filters EventBridge events on {@link jobNamePrefix};
 * the handlers build names with it. Names are 1-200 characters of `[0-9a-zA-Z._-]`.
 */
import { createHash } from "node:crypto";

export const JOB_NAME_MAX = 200;
export const JOB_NAME_PATTERN = /^[0-9a-zA-Z._-]{1,200}$/;

/**
 * Every job of one deployment starts with `<namePrefix>-<environment>-`. Environment names are alphanumeric
 * (no `-`), so the prefixes of two environments never overlap.
 */
export function jobNamePrefix(namePrefix: string, environment: string): string {
  return `${namePrefix}-${environment}-`;
}

/** Identity of one uploaded object version. */
export interface SourceObjectId {
  readonly bucket: string;
  readonly key: string;
  /** The S3 version id when the bucket is versioned. */
  readonly versionId?: string | null;
  /** The ETag (used when there is no version id). */
  readonly etag?: string | null;
}

/** Hex sha256 over bucket, key and the version id (or, without one, the ETag). */
export function sourceObjectHash(src: SourceObjectId): string {
  const version = src.versionId ? `v:${src.versionId}` : `e:${(src.etag ?? "").replace(/"/g, "")}`;
  return createHash("sha256").update(`${src.bucket}\u0000${src.key}\u0000${version}`, "utf8").digest("hex");
}

const HASH_LEN = 16;

/**
 * Deterministic, valid job name for one object version:
 * `${prefix}${tenant}-${callId (truncated)}-${first 16 hex of sha256(bucket, key, versionId || etag)}`.
 * The same event delivered twice gives the same name (Transcribe answers `ConflictException`: a no-op); a new
 * version of the same key gives a new name. Characters outside `[0-9a-zA-Z._-]` in tenant/call id become `_`.
 */
export function buildJobName(prefix: string, tenant: string, callId: string, src: SourceObjectId): string {
  if (!/^[0-9a-zA-Z._-]+$/.test(prefix)) throw new Error(`Invalid job name prefix "${prefix}"`);
  const clean = (s: string) => s.replace(/[^0-9a-zA-Z._-]/g, "_");
  const hash = sourceObjectHash(src).slice(0, HASH_LEN);
  const fixed = prefix.length + 2 + HASH_LEN; // two '-' separators
  if (fixed + 2 > JOB_NAME_MAX) throw new Error(`Job name prefix "${prefix}" is too long`);
  let t = clean(tenant);
  let budget = JOB_NAME_MAX - fixed;
  if (t.length > budget - 1) t = t.slice(0, budget - 1);
  budget -= t.length;
  const c = clean(callId).slice(0, budget) || "_";
  return `${prefix}${t}-${c}-${hash}`;
}
