/**
 * The state of the fake S3 (bench/fake-s3.ts serves the requests): buckets, each key's versions, and the S3 rules
 * for the current object, version ids, conditional writes (`If-Match`, `If-None-Match: *`) and listing.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type { Clock } from "../lambda-src/core/clock";

export class HttpError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** One version of an object (or a delete marker). */
export interface S3Object {
  readonly body: Buffer;
  /** Served from this file instead of `body` (which is then empty). */
  readonly file?: string;
  readonly contentType: string;
  readonly lastModified: Date;
  readonly metadata?: Readonly<Record<string, string>>;
  /** `"null"` in a bucket that was never versioned (and for writes while versioning is suspended). */
  readonly versionId?: string;
  readonly etag?: string;
  readonly deleteMarker?: boolean;
  readonly sse?: string;
  readonly kmsKeyId?: string;
}

export interface S3Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string;
  readonly file?: string;
}

/** A stored version: its id and ETag are known. */
export type Stored = S3Object & { readonly versionId: string; readonly etag: string };
export interface Bucket {
  versioning: "Enabled" | "Suspended" | undefined;
  /** Versions per key, oldest first. */
  readonly keys: Map<string, Stored[]>;
}

export const md5 = (b: Buffer | string): string => createHash("md5").update(b).digest("hex");
export const bare = (etag: string): string => etag.replace(/"/g, "");
export const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
export const XML = '<?xml version="1.0" encoding="UTF-8"?>';
export const NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
export const sizeOf = (o: S3Object): number => (o.file ? fs.statSync(o.file).size : o.body.length);
export class S3Store {
  protected readonly buckets = new Map<string, Bucket>();
  private versionSeq = 0;
  private etagSeq = 0;
  constructor(
    protected readonly clock: Clock,
    /** An object served for a key that has none (the benchmark's canned Transcribe output). */
    protected readonly fallback: (bucket: string, key: string) => S3Object | undefined = () => undefined,
  ) {}

  /** Forgets every bucket and object. */
  clear(): void {
    this.buckets.clear();
  }

  bucket(name: string): Bucket {
    const found = this.buckets.get(name);
    if (found) return found;
    const b: Bucket = { versioning: undefined, keys: new Map() };
    this.buckets.set(name, b);
    return b;
  }

  setVersioning(bucket: string, status: "Enabled" | "Suspended"): void {
    this.bucket(bucket).versioning = status;
  }

  /** Stores `obj` as the key's newest version (a new version id when versioning is enabled); returns it. */
  store(bucket: string, key: string, obj: S3Object): Stored {
    const b = this.bucket(bucket);
    const enabled = b.versioning === "Enabled";
    const versionId = obj.versionId ?? (enabled ? this.newVersionId() : "null");
    const content = obj.file ? `${obj.file}:${sizeOf(obj)}` : obj.body;
    // SSE-KMS: S3's ETag is not the MD5 of the data. Unique per write here, so no test passes by relying on either.
    const kms = obj.sse?.startsWith("aws:kms") ? `kms:${++this.etagSeq}:` : "";
    const etag = obj.etag ?? (obj.deleteMarker ? "" : `"${md5(kms ? `${kms}${md5(content)}` : content)}"`);
    const stored: Stored = { ...obj, versionId, etag };
    const versions = (b.keys.get(key) ?? []).filter((v) => v.versionId !== versionId);
    versions.push(stored);
    b.keys.set(key, versions);
    return stored;
  }

  /** The key's current object: its newest version unless that is a delete marker. */
  current(bucket: string, key: string): Stored | undefined {
    const v = this.buckets.get(bucket)?.keys.get(key)?.at(-1);
    return v && !v.deleteMarker ? v : undefined;
  }

  private newVersionId(): string {
    // Opaque, URL-safe, 32 characters, like S3's; deterministic so runs repeat.
    return createHash("sha256")
      .update(`v${++this.versionSeq}`)
      .digest("base64url")
      .slice(0, 32);
  }

  protected versionHeaders(bucket: string, o: { versionId?: string }): Record<string, string> {
    return this.bucket(bucket).versioning && o.versionId ? { "x-amz-version-id": o.versionId } : {};
  }

  protected objectHeaders(bucket: string, o: S3Object): Record<string, string> {
    return {
      "content-type": o.contentType,
      etag: String(o.etag),
      "last-modified": o.lastModified.toUTCString(),
      "accept-ranges": "bytes",
      "x-amz-server-side-encryption": o.sse ?? "AES256",
      ...(o.kmsKeyId ? { "x-amz-server-side-encryption-aws-kms-key-id": o.kmsKeyId } : {}),
      ...this.versionHeaders(bucket, o),
      ...Object.fromEntries(Object.entries(o.metadata ?? {}).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    };
  }

  /** The object a GET/HEAD names: a version, the current object or the fallback; else the S3 error. */
  protected find(bucket: string, key: string, versionId: string | null): S3Object {
    const versions = this.buckets.get(bucket)?.keys.get(key) ?? [];
    if (versionId !== null) {
      const v = versions.find((x) => x.versionId === versionId);
      if (!v) throw new HttpError(404, "NoSuchVersion", "The specified version does not exist.");
      if (v.deleteMarker)
        throw new HttpError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", {
          "x-amz-delete-marker": "true",
          "x-amz-version-id": v.versionId,
          "last-modified": v.lastModified.toUTCString(),
        });
      return v;
    }
    const latest = versions.at(-1);
    if (latest?.deleteMarker)
      throw new HttpError(404, "NoSuchKey", "The specified key does not exist.", { "x-amz-delete-marker": "true", "x-amz-version-id": latest.versionId });
    const found = latest ?? this.fallback(bucket, key);
    if (!found) throw new HttpError(404, "NoSuchKey", "The specified key does not exist.");
    return found.etag ? found : { ...found, etag: `"${md5(found.file ? `${found.file}:${sizeOf(found)}` : found.body)}"` };
  }

  /** `If-Match` of a write or delete: the key's current object must have that ETag (`*`: any). */
  protected checkIfMatch(bucket: string, key: string, ifMatch: string): void {
    const cur = this.current(bucket, key);
    if (!cur) throw new HttpError(404, "NoSuchKey", "The specified key does not exist.");
    if (ifMatch.trim() !== "*" && bare(ifMatch) !== bare(cur.etag))
      throw new HttpError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
  }

  protected checkIfNoneMatch(bucket: string, key: string, ifNoneMatch: string): void {
    if (ifNoneMatch.trim() !== "*") throw new HttpError(501, "NotImplemented", "A header you provided implies functionality that is not implemented");
    if (this.current(bucket, key)) throw new HttpError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
  }

  /** The ListObjectsV2 result for query `q`: current objects in key order, a page at a time. */
  list(bucket: string, q: URLSearchParams): string {
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const maxKeys = Math.min(1000, Number(q.get("max-keys") ?? 1000));
    const token = q.get("continuation-token");
    const after = token ? Buffer.from(token, "base64url").toString("utf8") : (q.get("start-after") ?? "");
    const keys = [...(this.buckets.get(bucket)?.keys.keys() ?? [])].filter((k) => k.startsWith(prefix) && k > after && this.current(bucket, k)).sort();
    const entries: string[] = [];
    const prefixes: string[] = [];
    let last = "";
    let truncated = false;
    for (const k of keys) {
      if (k <= last) continue; // inside a common prefix already returned
      if (entries.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const p = k.slice(0, cut + delimiter.length);
        prefixes.push(`<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`);
        last = `${p}\uffff`;
        continue;
      }
      const o = this.current(bucket, k) as Stored;
      entries.push(
        `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${sizeOf(o)}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = k;
    }
    const next = truncated ? `<NextContinuationToken>${Buffer.from(last).toString("base64url")}</NextContinuationToken>` : "";
    return `<ListBucketResult${NS}><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix>${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ""}${token ? `<ContinuationToken>${token}</ContinuationToken>` : ""}<KeyCount>${entries.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${entries.join("")}${prefixes.join("")}${next}</ListBucketResult>`;
  }
}
