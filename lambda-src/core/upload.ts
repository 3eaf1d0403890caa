/**
 * The start handler's decisions for one S3 object, as pure functions: ignore, reject (with an error code) or
 * accept. I/O (tenant lookup, header read, StartTranscriptionJob) is in services/start-upload.ts.
 */
import { type ErrorCode, REJECT_CODES } from "./errors";
import type { TenantSettings } from "../contracts/tenant-settings";
import { UNASSIGNED_TENANT } from "../contracts/storage-layout";
import {
  callIdFromFileName,
  decodeS3Key,
  isFolderMarker,
  MAX_MEDIA_BYTES,
  MEDIA_FORMATS,
  parseUploadKey,
  sizeRule,
  type MediaFormatName,
  type UploadKeyParse,
} from "./s3-key";

export interface Rejection {
  readonly kind: "reject";
  readonly tenant: string;
  readonly callId: string;
  readonly code: ErrorCode;
  readonly message: string;
}
export interface Ignore {
  readonly kind: "ignore";
  readonly reason: string;
}
export interface Candidate {
  readonly kind: "candidate";
  readonly key: string;
  readonly parsed: UploadKeyParse;
  /** The tenant id to look up, when the first key segment could be one. */
  readonly tenantToLookUp: string | undefined;
}
export interface Accept {
  readonly kind: "accept";
  readonly key: string;
  readonly tenant: string;
  readonly callId: string;
  readonly mediaFormat: MediaFormatName;
  readonly settings: TenantSettings;
}

/** What the tenant lookup found: no such tenant, a document that breaks a settings rule, or usable settings. */
export type TenantLookup =
  | { readonly kind: "unknown" }
  | { readonly kind: "invalid"; readonly problem: string }
  | { readonly kind: "known"; readonly settings: TenantSettings };

/** Step 1 (before any I/O): decode the key, ignore folder markers. */
export function preCheckUpload(rawKey: string, size: number | undefined): Rejection | Ignore | Candidate {
  const key = decodeS3Key(rawKey);
  if (key === undefined) {
    const lastSegment = rawKey.split("/").pop() || rawKey;
    return {
      kind: "reject",
      tenant: UNASSIGNED_TENANT,
      callId: callIdFromFileName(lastSegment),
      code: REJECT_CODES.INVALID_KEY,
      message: `The object key is not valid URL encoding: ${rawKey.slice(0, 300)}`,
    };
  }
  if (isFolderMarker(key, size)) return { kind: "ignore", reason: "folder marker (zero-byte key ending in /)" };
  const parsed = parseUploadKey(key);
  return { kind: "candidate", key, parsed, tenantToLookUp: parsed.ok ? parsed.value.tenant : parsed.tenantCandidate };
}

const SUPPORTED = Object.keys(MEDIA_FORMATS).join(", ");

/**
 * Step 2 (after the tenant lookup): layout, extension and size rules, then the tenant's settings. An otherwise
 * acceptable upload of a tenant whose settings are unusable is rejected (`INVALID_TENANT_SETTINGS`): it is never
 * transcribed with other settings than configured, and retrying would not help.
 */
export function checkUpload(c: Candidate, found: TenantLookup, size: number | undefined): Rejection | Accept {
  const p = c.parsed;
  const callId = p.ok ? p.value.callId : p.callId;
  if (found.kind === "unknown" || !c.tenantToLookUp) {
    return {
      kind: "reject",
      tenant: UNASSIGNED_TENANT,
      callId,
      code: REJECT_CODES.UNKNOWN_TENANT,
      message: c.tenantToLookUp ? `No configured tenant "${c.tenantToLookUp}" for key ${c.key}` : `The key ${c.key} does not start with a tenant id`,
    };
  }
  const tenant = c.tenantToLookUp;
  if (!p.ok) {
    return { kind: "reject", tenant, callId, code: REJECT_CODES.KEY_OUTSIDE_CALLS, message: `Uploads must be ${tenant}/calls/<file>; got ${c.key}` };
  }
  if (!p.value.mediaFormat) {
    return {
      kind: "reject",
      tenant,
      callId,
      code: REJECT_CODES.UNSUPPORTED_FORMAT,
      message: `Unsupported file extension "${p.value.extension}" (supported: ${SUPPORTED})`,
    };
  }
  const badSize = sizeRule(size);
  if (badSize === "empty") return { kind: "reject", tenant, callId, code: REJECT_CODES.EMPTY_OBJECT, message: "The uploaded object is empty (0 bytes)" };
  if (badSize === "too-large") {
    return {
      kind: "reject",
      tenant,
      callId,
      code: REJECT_CODES.TOO_LARGE,
      message: `The object has ${size} bytes; Transcribe accepts at most ${MAX_MEDIA_BYTES}`,
    };
  }
  if (found.kind === "invalid") return { kind: "reject", tenant, callId, code: REJECT_CODES.INVALID_TENANT_SETTINGS, message: found.problem };
  return { kind: "accept", key: c.key, tenant, callId, mediaFormat: p.value.mediaFormat, settings: found.settings };
}

/** UTC date of the S3 event (falls back to `now` when missing / unparsable). */
export function eventDate(eventTime: string | undefined, now: Date): Date {
  const t = eventTime ? Date.parse(eventTime) : NaN;
  return Number.isFinite(t) ? new Date(t) : now;
}
