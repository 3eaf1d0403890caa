/**
 * Resuming a multipart upload that failed in an earlier run. @aws-sdk/lib-storage uploads the parts (and the SDK
 * retries each one) but cannot continue an upload it did not start, so when a run fails after its parts' retries,
 * the command keeps the upload (lib-storage `leavePartsOnError`) and records its UploadId here, keyed by the
 * target and the file's size and modification time. The next run of the same upload lists the parts S3 already
 * has (s3:ListMultipartUploadParts, which the uploader policy grants), sends only the missing ones and completes
 * it. A changed file, or an upload S3 no longer knows (the bucket aborts incomplete uploads after a day), starts
 * over. State lives in `$CCI_STATE_DIR`, else `$XDG_STATE_HOME/cci`, else `~/.local/state/cci`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CompleteMultipartUploadCommand, ListPartsCommand, type Part, UploadPartCommand } from "@aws-sdk/client-s3";
import { call, errorName } from "./aws";
import type { Environment } from "./environment";

export interface UploadState {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly partSize: number;
  readonly uploadId: string;
}

export function stateDir(): string {
  return process.env.CCI_STATE_DIR || path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state"), "cci");
}

function stateFile(id: Omit<UploadState, "uploadId">): string {
  const h = createHash("sha256")
    .update(JSON.stringify([id.bucket, id.key, id.size, id.mtimeMs, id.partSize]))
    .digest("hex")
    .slice(0, 32);
  return path.join(stateDir(), "uploads", `${h}.json`);
}

export function readState(id: Omit<UploadState, "uploadId">): UploadState | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(stateFile(id), "utf8")) as UploadState;
    return s.bucket === id.bucket && s.key === id.key && s.size === id.size && s.mtimeMs === id.mtimeMs && s.partSize === id.partSize && s.uploadId
      ? s
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveState(s: UploadState): void {
  const f = stateFile(s);
  fs.mkdirSync(path.dirname(f), { recursive: true, mode: 0o700 });
  fs.writeFileSync(f, JSON.stringify(s), { mode: 0o600 });
}

export function clearState(id: Omit<UploadState, "uploadId">): void {
  fs.rmSync(stateFile(id), { force: true });
}

/**
 * Sends the parts S3 lacks and completes the upload. Returns `undefined` when S3 no longer knows the upload
 * (the caller starts over); throws (keeping the state) when a part fails again.
 */
export async function resumeUpload(
  env: Environment,
  file: string,
  s: UploadState,
  progress: (loaded: number) => void,
  concurrency: number,
): Promise<{ ServerSideEncryption?: string; SSEKMSKeyId?: string } | undefined> {
  const have = new Map<number, Part>();
  try {
    let marker: string | undefined;
    do {
      const page = await env.clients.s3.send(new ListPartsCommand({ Bucket: s.bucket, Key: s.key, UploadId: s.uploadId, PartNumberMarker: marker }));
      for (const p of page.Parts ?? []) if (p.PartNumber && p.ETag) have.set(p.PartNumber, p);
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (e) {
    if (errorName(e) === "NoSuchUpload") {
      clearState(s);
      return undefined;
    }
    return call("s3:ListMultipartUploadParts", env.region, () => Promise.reject(e));
  }
  const count = Math.max(1, Math.ceil(s.size / s.partSize));
  const partLength = (n: number) => Math.min(s.partSize, s.size - (n - 1) * s.partSize);
  // A kept part of the wrong length (the file changed under the same size and time) is sent again.
  for (const [n, p] of have) if (p.Size !== undefined && p.Size !== partLength(n)) have.delete(n);
  let loaded = [...have.keys()].reduce((sum, n) => sum + partLength(n), 0);
  progress(loaded);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !have.has(n));
  const workers = Array.from({ length: Math.min(concurrency, missing.length) }, async () => {
    for (let n = missing.shift(); n !== undefined; n = missing.shift()) {
      const partNumber = n;
      const start = (partNumber - 1) * s.partSize;
      const length = partLength(partNumber);
      const out = await call("s3:PutObject", env.region, () =>
        env.clients.s3.send(
          new UploadPartCommand({
            Bucket: s.bucket,
            Key: s.key,
            UploadId: s.uploadId,
            PartNumber: partNumber,
            ContentLength: length,
            Body: fs.createReadStream(file, { start, end: start + length - 1 }),
          }),
        ),
      );
      have.set(partNumber, { PartNumber: partNumber, ETag: out.ETag });
      loaded += length;
      progress(loaded);
    }
  });
  await Promise.all(workers);
  const parts = [...have.values()].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)).map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }));
  return call("s3:PutObject", env.region, () =>
    env.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket: s.bucket, Key: s.key, UploadId: s.uploadId, MultipartUpload: { Parts: parts } })),
  );
}
