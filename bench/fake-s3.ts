/**
 * The S3 of the fake AWS endpoint (bench/fake-aws.ts): stateful, and faithful to real S3 for what the write protocol
 * (lambda-src/aws/records.ts) relies on. Path-style `/<bucket>/<key>`; buckets exist as soon as they are named.
 *
 *  - ETag: the quoted MD5 of the body (multipart: MD5 of the parts' MD5s, `-<parts>`), except for SSE-KMS objects,
 *    whose ETag in S3 is not the MD5 of the data: here a value unique to each write (moto gives the MD5).
 *  - PutObject (and a completed multipart upload) with `If-None-Match: *`: 412 PreconditionFailed while the key has a
 *    current object (a delete marker is none); with `If-Match: <etag>`: 412 on another ETag, 404 NoSuchKey when the
 *    key has no current object. Quotes around the ETag are optional, as in S3.
 *  - DeleteObject, with `If-Match` (S3 conditional deletes: 412 on another ETag, 404 NoSuchKey when absent) and
 *    with `versionId` (removes that version only).
 *  - Versioning (PutBucketVersioning Enabled/Suspended): `x-amz-version-id` on put, GetObject/HeadObject by
 *    `versionId` (404 NoSuchVersion; 405 MethodNotAllowed for a delete marker), a delete without a version adds a
 *    delete marker (`x-amz-delete-marker: true`), and GetObject of a key behind one is 404 NoSuchKey.
 *  - ListObjectsV2 with prefix, delimiter, start-after, max-keys and continuation tokens, in key order.
 *  - CopyObject, multipart uploads (create, upload part, list parts, complete, abort).
 * Errors have S3's XML body (`<Error><Code>…`), so the AWS SDK sets `name` and `$metadata.httpStatusCode` as against
 * S3. Not emulated: bucket policies and ACLs, NoSuchBucket, GET with If-None-Match or dates, ListObjectVersions, 409
 * ConditionalRequestConflict (requests are served one at a time, so no two conditional writes overlap).
 */
import { bare, HttpError, md5, NS, type S3Object, type S3Reply, S3Store, sizeOf, XML, xmlEscape } from "./fake-s3-store";

export { HttpError, type S3Object, type S3Reply } from "./fake-s3-store";

interface Multipart {
  readonly bucket: string;
  readonly key: string;
  readonly parts: Map<number, { etag: string; size: number; body: Buffer }>;
  state: "open" | "completed" | "aborted";
  readonly contentType: string;
}

export class FakeS3 extends S3Store {
  private readonly multipart = new Map<string, Multipart>();
  private uploadSeq = 0;
  /** The next `n` UploadPart requests fail with 500 InternalError. */
  failUploadParts = 0;

  /** Forgets every bucket, object and upload. */
  override clear(): void {
    super.clear();
    this.multipart?.clear();
  }

  /** Multipart uploads by UploadId: the part numbers received and the state. */
  uploads(): Map<string, { key: string; parts: number[]; state: Multipart["state"] }> {
    return new Map([...this.multipart].map(([id, m]) => [id, { key: m.key, parts: [...m.parts.keys()].sort((a, b) => a - b), state: m.state }]));
  }

  /** Serves one S3 request; `op` records the operation's name. Throws {@link HttpError}. */
  handle(
    method: string,
    bucket: string,
    key: string,
    q: URLSearchParams,
    h: Record<string, string | string[] | undefined>,
    body: Buffer,
    op: (name: string) => void,
  ): S3Reply {
    const header = (n: string): string | undefined => (h[n] === undefined ? undefined : String(h[n]));
    const xml = (inner: string): S3Reply => ({ status: 200, headers: { "content-type": "application/xml" }, body: `${XML}${inner}` });
    if (!key) return this.bucketOp(method, bucket, q, body, op);
    const uploadId = q.get("uploadId");
    if (method === "POST" && q.has("uploads")) {
      op("S3.CreateMultipartUpload");
      const id = `fake-upload-${++this.uploadSeq}`;
      this.multipart.set(id, { bucket, key, parts: new Map(), state: "open", contentType: header("content-type") ?? "binary/octet-stream" });
      const reply = xml(
        `<InitiateMultipartUploadResult${NS}><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
      return { ...reply, headers: { ...reply.headers, "x-amz-server-side-encryption": header("x-amz-server-side-encryption") ?? "aws:kms" } };
    }
    if (uploadId) return this.multipartOp(method, bucket, key, uploadId, q, h, body, op);
    const versionId = q.get("versionId");
    switch (method) {
      case "HEAD": {
        op("S3.HeadObject");
        const o = this.find(bucket, key, versionId);
        return { status: 200, headers: { ...this.objectHeaders(bucket, o), "content-length": String(sizeOf(o)) } };
      }
      case "GET": {
        op("S3.GetObject");
        const ifMatch = header("if-match");
        if (ifMatch !== undefined) this.checkIfMatch(bucket, key, ifMatch);
        const o = this.find(bucket, key, versionId);
        const headers = this.objectHeaders(bucket, o);
        if (o.file) return { status: 200, headers: { ...headers, "content-length": String(sizeOf(o)) }, file: o.file };
        const range = /^bytes=(\d+)-(\d*)$/.exec(header("range") ?? "");
        if (range) {
          const start = Number(range[1]);
          if (start >= o.body.length) throw new HttpError(416, "InvalidRange", "The requested range is not satisfiable");
          const end = Math.min(range[2] ? Number(range[2]) : o.body.length - 1, o.body.length - 1);
          const part = o.body.subarray(start, end + 1);
          return {
            status: 206,
            headers: { ...headers, "content-range": `bytes ${start}-${end}/${o.body.length}`, "content-length": String(part.length) },
            body: part,
          };
        }
        return { status: 200, headers: { ...headers, "content-length": String(o.body.length) }, body: o.body };
      }
      case "PUT": {
        const copy = header("x-amz-copy-source");
        op(copy ? "S3.CopyObject" : "S3.PutObject");
        const ifMatch = header("if-match");
        const ifNoneMatch = header("if-none-match");
        if (ifMatch !== undefined) this.checkIfMatch(bucket, key, ifMatch);
        if (ifNoneMatch !== undefined) this.checkIfNoneMatch(bucket, key, ifNoneMatch);
        const src = copy ? this.copySource(copy) : undefined;
        const metadata = Object.fromEntries(Object.entries(h).flatMap(([k, v]) => (k.startsWith("x-amz-meta-") ? [[k.slice(11), String(v)]] : [])));
        const stored = this.store(bucket, key, {
          body: src ? src.body : body,
          ...(src?.file ? { file: src.file } : {}),
          contentType: src && header("x-amz-metadata-directive") !== "REPLACE" ? src.contentType : (header("content-type") ?? "binary/octet-stream"),
          lastModified: this.clock.now(),
          metadata: src && header("x-amz-metadata-directive") !== "REPLACE" ? (src.metadata ?? {}) : metadata,
          sse: header("x-amz-server-side-encryption") ?? "AES256",
          ...(header("x-amz-server-side-encryption-aws-kms-key-id") ? { kmsKeyId: header("x-amz-server-side-encryption-aws-kms-key-id") } : {}),
        });
        const sseHeaders = {
          "x-amz-server-side-encryption": String(stored.sse),
          ...(stored.kmsKeyId ? { "x-amz-server-side-encryption-aws-kms-key-id": stored.kmsKeyId } : {}),
        };
        if (src) {
          const r = xml(
            `<CopyObjectResult><LastModified>${stored.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(stored.etag)}</ETag></CopyObjectResult>`,
          );
          return { ...r, headers: { ...r.headers, ...sseHeaders, ...this.versionHeaders(bucket, stored) } };
        }
        return { status: 200, headers: { etag: stored.etag, ...sseHeaders, ...this.versionHeaders(bucket, stored) } };
      }
      case "DELETE":
        op("S3.DeleteObject");
        return this.deleteObject(bucket, key, versionId, header("if-match"));
      default:
        throw new HttpError(400, "UnknownOperationException", `fake S3: ${method}`);
    }
  }

  private copySource(src: string): S3Object {
    const [path = "", query = ""] = decodeURIComponent(src).split("?");
    const [, b = "", ...rest] = `/${path.replace(/^\//, "")}`.split("/");
    return this.find(b, rest.join("/"), new URLSearchParams(query).get("versionId"));
  }

  private deleteObject(bucket: string, key: string, versionId: string | null, ifMatch: string | undefined): S3Reply {
    if (ifMatch !== undefined) this.checkIfMatch(bucket, key, ifMatch);
    const b = this.bucket(bucket);
    const versions = b.keys.get(key) ?? [];
    if (versionId !== null) {
      const gone = versions.find((v) => v.versionId === versionId);
      const left = versions.filter((v) => v.versionId !== versionId);
      if (left.length) b.keys.set(key, left);
      else b.keys.delete(key);
      return { status: 204, headers: { "x-amz-version-id": versionId, ...(gone?.deleteMarker ? { "x-amz-delete-marker": "true" } : {}) } };
    }
    if (!b.versioning) {
      b.keys.delete(key);
      return { status: 204, headers: {} };
    }
    const marker = this.store(bucket, key, { body: Buffer.alloc(0), contentType: "", lastModified: this.clock.now(), deleteMarker: true });
    return { status: 204, headers: { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId } };
  }

  private bucketOp(method: string, bucket: string, q: URLSearchParams, body: Buffer, op: (name: string) => void): S3Reply {
    const ok = (inner: string): S3Reply => ({ status: 200, headers: { "content-type": "application/xml" }, body: `${XML}${inner}` });
    if (method === "PUT" && q.has("versioning")) {
      op("S3.PutBucketVersioning");
      const status = /<Status>(Enabled|Suspended)<\/Status>/.exec(body.toString("utf8"))?.[1] as "Enabled" | "Suspended" | undefined;
      if (!status) throw new HttpError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
      this.setVersioning(bucket, status);
      return { status: 200, headers: {} };
    }
    if (method === "GET" && q.has("versioning")) {
      op("S3.GetBucketVersioning");
      const v = this.bucket(bucket).versioning;
      return ok(`<VersioningConfiguration${NS}>${v ? `<Status>${v}</Status>` : ""}</VersioningConfiguration>`);
    }
    if (method === "PUT" && [...q.keys()].length === 0) {
      op("S3.CreateBucket");
      this.bucket(bucket);
      return { status: 200, headers: { location: `/${bucket}` } };
    }
    if (method === "HEAD") {
      op("S3.HeadBucket");
      return { status: 200, headers: {} };
    }
    if (method === "GET" && q.get("list-type") === "2") {
      op("S3.ListObjectsV2");
      return ok(this.list(bucket, q));
    }
    throw new HttpError(400, "UnknownOperationException", `fake S3: ${method} /${bucket}?${q}`);
  }

  private multipartOp(
    method: string,
    bucket: string,
    key: string,
    uploadId: string,
    q: URLSearchParams,
    h: Record<string, string | string[] | undefined>,
    body: Buffer,
    op: (name: string) => void,
  ): S3Reply {
    const mp = this.multipart.get(uploadId);
    if (mp?.state !== "open") throw new HttpError(404, "NoSuchUpload", "The specified upload does not exist.");
    if (method === "PUT" && q.has("partNumber")) {
      op("S3.UploadPart");
      if (this.failUploadParts > 0) {
        this.failUploadParts--;
        throw new HttpError(500, "InternalError", "We encountered an internal error. Please try again.");
      }
      const etag = `"${md5(body)}"`;
      mp.parts.set(Number(q.get("partNumber")), { etag, size: body.length, body });
      return { status: 200, headers: { etag, "x-amz-server-side-encryption": "aws:kms" } };
    }
    if (method === "GET") {
      op("S3.ListParts");
      const parts = [...mp.parts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([n, p]) => `<Part><PartNumber>${n}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag><Size>${p.size}</Size></Part>`)
        .join("");
      return {
        status: 200,
        headers: { "content-type": "application/xml" },
        body: `${XML}<ListPartsResult><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts}</ListPartsResult>`,
      };
    }
    if (method === "POST") {
      op("S3.CompleteMultipartUpload");
      if (h["if-none-match"] !== undefined) this.checkIfNoneMatch(bucket, key, String(h["if-none-match"]));
      const parts = [...mp.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
      const etag = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(bare(p.etag), "hex"))))}-${parts.length}"`;
      const kmsKeyId = h["x-amz-server-side-encryption-aws-kms-key-id"] === undefined ? undefined : String(h["x-amz-server-side-encryption-aws-kms-key-id"]);
      const stored = this.store(bucket, key, {
        body: Buffer.concat(parts.map((p) => p.body)),
        etag,
        contentType: mp.contentType,
        lastModified: this.clock.now(),
        sse: "aws:kms",
        ...(kmsKeyId ? { kmsKeyId } : {}),
      });
      mp.state = "completed";
      return {
        status: 200,
        headers: {
          "content-type": "application/xml",
          "x-amz-server-side-encryption": "aws:kms",
          "x-amz-server-side-encryption-aws-kms-key-id": kmsKeyId ?? "",
          ...this.versionHeaders(bucket, stored),
        },
        body: `${XML}<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
      };
    }
    if (method === "DELETE") {
      op("S3.AbortMultipartUpload");
      mp.state = "aborted";
      return { status: 204, headers: {} };
    }
    throw new HttpError(400, "UnknownOperationException", `fake S3: ${method}`);
  }
}
