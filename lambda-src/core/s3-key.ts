/**
 * Upload key rules: decoding the key of an S3 event notification, the accepted layout
 * `<tenant>/calls/<file>.<ext>` and the call id derived from the file name.
 */
import { createHash } from "node:crypto";

/** Transcribe batch media formats by (lower-case) file extension. */
export const MEDIA_FORMATS = {
  wav: "wav",
  mp3: "mp3",
  m4a: "m4a",
  flac: "flac",
  ogg: "ogg",
  webm: "webm",
  mp4: "mp4",
  amr: "amr",
} as const;
export type MediaFormatName = (typeof MEDIA_FORMATS)[keyof typeof MEDIA_FORMATS];

/** Transcribe's batch media size limit (2 GB). */
export const MAX_MEDIA_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * The size rules of an upload, the one home of both: start rejects an empty object and one larger than
 * {@link MAX_MEDIA_BYTES} (core/upload.ts); analyze asks them of a newer upload of its key (services/source-check.ts).
 */
export function sizeRule(size: number | undefined): "empty" | "too-large" | undefined {
  if (!size || size <= 0) return "empty";
  return size > MAX_MEDIA_BYTES ? "too-large" : undefined;
}
/** Maximum length of a call id (it is a file name in the results bucket and part of the job name). */
export const CALL_ID_MAX = 100;
/** The tenant id pattern of the configuration schema (lower-case letters, digits, inner hyphens, 1-32). */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * Decodes an S3 event key: `+` is a space, then percent-decoding (UTF-8).
 * Returns `undefined` for malformed percent-encoding (the caller rejects the object).
 */
export function decodeS3Key(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** A zero-byte object whose key ends in `/`: the console's "create folder". */
export function isFolderMarker(key: string, size: number | undefined): boolean {
  return key.endsWith("/") && (size ?? 0) === 0;
}

export interface ParsedUploadKey {
  readonly tenant: string;
  readonly fileName: string;
  /** Lower-case extension without the dot, `""` when the file has none. */
  readonly extension: string;
  readonly mediaFormat: MediaFormatName | undefined;
  readonly callId: string;
}

export type UploadKeyParse =
  | { readonly ok: true; readonly value: ParsedUploadKey }
  | { readonly ok: false; readonly tenantCandidate: string | undefined; readonly callId: string; readonly reason: string };

/** The first key segment if it could be a tenant id. */
export function tenantCandidate(key: string): string | undefined {
  const first = key.split("/")[0];
  return TENANT_ID_PATTERN.test(first) ? first : undefined;
}

/**
 * Accepts exactly `<tenant>/calls/<file>` (no nested folders under `calls/`: the call id comes from the file
 * name alone, so nested paths could silently collide on one result key).
 */
export function parseUploadKey(key: string): UploadKeyParse {
  const parts = key.split("/");
  const fileName = parts[parts.length - 1] ?? "";
  const callId = callIdFromFileName(fileName || key);
  const tenant = tenantCandidate(key);
  if (parts.length !== 3 || parts[1] !== "calls" || fileName === "" || !tenant) {
    return { ok: false, tenantCandidate: tenant, callId, reason: "key is not <tenant>/calls/<file>" };
  }
  const extension = extensionOf(fileName);
  const mediaFormat = Object.hasOwn(MEDIA_FORMATS, extension) ? MEDIA_FORMATS[extension as keyof typeof MEDIA_FORMATS] : undefined;
  return { ok: true, value: { tenant, fileName, extension, mediaFormat, callId } };
}

/** A file name's extension, lower-case, without the dot; `""` when there is none (`.wav` alone is a name, not an extension). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
}

export function sha256Hex(...parts: readonly string[]): string {
  const h = createHash("sha256");
  parts.forEach((p, i) => {
    if (i > 0) h.update("\u0000");
    h.update(p, "utf8");
  });
  return h.digest("hex");
}

/**
 * The call id: the file name without its extension, characters outside `[A-Za-z0-9._-]` replaced by `_`.
 * When sanitizing or truncating changed the name, `-<8 hex of sha256(original)>` is appended so that
 * `a b.wav` and `a_b.wav` get different ids. At most {@link CALL_ID_MAX} characters; never empty.
 */
export function callIdFromFileName(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return safeId(dot > 0 ? fileName.slice(0, dot) : fileName);
}

/** {@link callIdFromFileName}'s rule for a name: the call-id alphabet, at most {@link CALL_ID_MAX} characters, a hash when changed. */
function safeId(stem: string): string {
  let id = stem.replace(/[^A-Za-z0-9._-]/g, "_");
  // Leading dots would make hidden-looking files; keep ids starting with an alphanumeric or underscore.
  id = id.replace(/^\.+/, (m) => "_".repeat(m.length));
  if (id === stem && id.length > 0 && id.length <= CALL_ID_MAX) return id;
  const suffix = `-${sha256Hex(stem).slice(0, 8)}`;
  const base = (id || "call").slice(0, CALL_ID_MAX - suffix.length);
  return `${base}${suffix}`;
}

/** Start of every {@link fileRecordId}; `!` is not in a call id's alphabet. */
export const FILE_RECORD_PREFIX = "file!";

/**
 * The record id of an upload that is not a call: `file!<call id of the file name>.<extension>`, both parts by the
 * call-id rule, case kept: `file!x.json` for a sidecar `x.json`, `file!x.WAV` for an oversize `x.WAV`, `file!README`.
 * Its record is at `resultKey(tenant, day, id)` = `<tenant>/YYYY/MM/DD/file!x.json.json`. No call id contains `!`,
 * so this never names a call's record; the `file` prefix keeps the object name from starting with `_` or `.`, which
 * Athena skips. The extension has no dot, so the last dot splits the id back into its parts: two file names get two
 * ids. docs/pipeline.md "Result identity".
 */
export function fileRecordId(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return `${FILE_RECORD_PREFIX}${callIdFromFileName(fileName)}${dot > 0 ? `.${safeId(fileName.slice(dot + 1))}` : ""}`;
}

/**
 * The file name of an upload that is not a call, or `undefined` for a call: a rejected upload gets a file record
 * ({@link fileRecordId}) when its extension is not an audio format or it is larger than {@link MAX_MEDIA_BYTES}.
 */
export function nonCallFile(key: string, size: number | undefined): string | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return Object.hasOwn(MEDIA_FORMATS, extensionOf(name)) && !((size ?? 0) > MAX_MEDIA_BYTES) ? undefined : name;
}
