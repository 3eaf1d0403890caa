/**
 * `cci upload <file…> --tenant T`: checks every file with the start function's own rules before sending anything
 * (lambda-src/core/upload.ts: layout, format by extension, empty, Transcribe's 2 GB limit), then uploads each to
 * `<tenant>/calls/<file>` (and, from the file's headers, Transcribe's duration and channel limits: ../media.ts) with SSE-KMS under the environment's key: one PutObject for small files, a multipart
 * upload through @aws-sdk/lib-storage for large ones (each part retried by the SDK). A multipart upload that still
 * fails keeps its parts and is resumed by running the same command again (see ./resume.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Upload } from "@aws-sdk/lib-storage";
import { MultiBar, Presets } from "cli-progress";
import { resultKey, uploadPrefix } from "../../../lambda-src/contracts/storage-layout";
import { parseTenantSettings, type TenantSettings, tenantDocument } from "../../../lambda-src/contracts/tenant-settings";
import { checkUpload, preCheckUpload } from "../../../lambda-src/core/upload";
import { explain, isAccessDenied } from "../aws";
import { checkAccount, type Environment, keyArn, resolveTenant } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { mediaRefusal, readMediaInfo } from "../media";
import { type Io, json, table } from "../output";
import { clearState, readState, resumeUpload, saveState, type UploadState } from "../resume";

export interface UploadOptions {
  readonly tenant?: string;
  /** Part size in MiB (S3: at least 5). @default 8 */
  readonly partSize: number;
  /** Parts in flight per file. @default 4 */
  readonly concurrency: number;
}

export interface FileCheck {
  readonly file: string;
  readonly key: string;
  readonly callId: string;
  readonly size: number;
  readonly refusal?: { readonly code: string; readonly message: string };
}

/**
 * The tenant's settings as the start function will read them: the SSM document the stack writes from this
 * configuration (`tenantDocument`, the construct's builder), through the start function's parser. Undefined for a
 * tenant the configuration does not have.
 */
export function configuredTenantSettings(env: Pick<Environment, "cfg">, tenant: string): TenantSettings | undefined {
  const t = env.cfg.tenants.find((x) => x.id === tenant);
  return t ? parseTenantSettings(tenant, JSON.stringify(tenantDocument(t, env.cfg))) : undefined;
}

/**
 * The start function's decision for this file under `<tenant>/calls/<name>`, before uploading: the same
 * preCheckUpload/checkUpload the Lambda runs on the S3 event (tenant settings from the configuration).
 */
export function checkFile(env: Environment, tenant: string, file: string): FileCheck {
  const name = path.basename(file);
  const key = `${uploadPrefix(tenant)}${name}`;
  let size = 0;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { file, key, callId: "", size: 0, refusal: { code: "NOT_A_FILE", message: `${file} is not a regular file` } };
    size = st.size;
  } catch {
    return { file, key, callId: "", size: 0, refusal: { code: "NOT_FOUND", message: `${file} does not exist` } };
  }
  const pre = preCheckUpload(encodeURIComponent(key).replace(/%2F/g, "/"), size);
  if (pre.kind === "ignore") return { file, key, callId: "", size, refusal: { code: "IGNORED", message: pre.reason } };
  if (pre.kind === "reject") return { file, key, callId: pre.callId, size, refusal: { code: pre.code, message: pre.message } };
  const settings = configuredTenantSettings(env, tenant);
  const decision = checkUpload(pre, settings ? { kind: "known", settings } : { kind: "unknown" }, size);
  if (decision.kind === "reject") return { file, key, callId: decision.callId, size, refusal: { code: decision.code, message: decision.message } };
  return { file, key, callId: decision.callId, size };
}

interface Uploaded {
  readonly file: string;
  readonly callId: string;
  readonly key: string;
  readonly size: number;
  readonly encryption: string;
  readonly kmsKey: string | null;
  readonly multipart: boolean;
  readonly resumed: boolean;
  readonly resultUri: string;
}

export async function uploadCommand(env: Environment, files: readonly string[], opts: UploadOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const tenant = resolveTenant(env.cfg, opts.tenant);
  if (!Number.isFinite(opts.partSize) || opts.partSize < 5 || opts.partSize > 5120)
    throw new CliError("--part-size must be 5-5120 (MiB; S3's part limits)", EXIT.USAGE);
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 16)
    throw new CliError("--concurrency must be a whole number 1-16", EXIT.USAGE);
  const checks = await Promise.all(
    files.map(async (f) => {
      const c = checkFile(env, tenant, f);
      if (c.refusal) return c;
      const refusal = mediaRefusal(await readMediaInfo(f));
      return refusal ? { ...c, refusal } : c;
    }),
  );
  const refused = checks.filter((c) => c.refusal);
  if (refused.length) {
    if (asJson) io.stdout(json({ uploaded: [], refused: refused.map((c) => ({ file: c.file, key: c.key, ...c.refusal })) }));
    else for (const c of refused) io.stderr(`cci upload: refused ${c.file}: ${c.refusal?.code} ${c.refusal?.message}`);
    io.stderr(`cci upload: nothing uploaded (${refused.length} of ${checks.length} file${checks.length === 1 ? "" : "s"} refused)`);
    return EXIT.FAILED;
  }

  await checkAccount(env);
  // Name this environment's key explicitly (the bucket policy allows exactly it). Without kms:DescribeKey the
  // upload sends no encryption header and the bucket's default, the same key, applies.
  let kmsKey: string | undefined;
  try {
    kmsKey = await keyArn(env);
  } catch (e) {
    if (!(e instanceof CliError) || e.exitCode !== EXIT.AWS_ACCESS || !/kms:DescribeKey/.test(e.message)) throw e;
    io.stderr(`cci upload: note: kms:DescribeKey denied; relying on the bucket's default encryption (${env.names.keyAlias})`);
  }

  const partSize = Math.round(opts.partSize * 1024 * 1024);
  const bars =
    io.isTty && !asJson
      ? new MultiBar(
          { stream: io.progressStream, format: " {bar} {percentage}% | {value}/{total} MiB | {file}", hideCursor: true, clearOnComplete: false },
          Presets.shades_classic,
        )
      : undefined;
  const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;
  const done: Uploaded[] = [];
  let failure: CliError | undefined;
  for (const c of checks) {
    const bar = bars?.create(mib(c.size), 0, { file: path.basename(c.file) });
    const progress = (loaded: number) => bar?.update(mib(loaded), { file: path.basename(c.file) });
    const st = fs.statSync(c.file);
    const identity = { bucket: env.names.inputBucket, key: c.key, size: c.size, mtimeMs: Math.trunc(st.mtimeMs), partSize };
    try {
      let out: { ServerSideEncryption?: string; SSEKMSKeyId?: string };
      let resumed = false;
      const saved = readState(identity);
      if (saved) {
        const r = await resumeUpload(env, c.file, saved, progress, opts.concurrency);
        if (r) {
          out = r;
          resumed = true;
        } else out = await freshUpload(env, c, identity, kmsKey, partSize, opts.concurrency, progress);
      } else out = await freshUpload(env, c, identity, kmsKey, partSize, opts.concurrency, progress);
      clearState(identity);
      progress(c.size);
      done.push({
        file: c.file,
        callId: c.callId,
        key: c.key,
        size: c.size,
        encryption: out.ServerSideEncryption ?? "aws:kms",
        kmsKey: out.SSEKMSKeyId || kmsKey || null,
        multipart: c.size > partSize,
        resumed,
        resultUri: `s3://${env.names.resultsBucket}/${resultKey(tenant, env.clock.now(), c.callId)}`,
      });
    } catch (e) {
      failure = e instanceof CliError ? e : explain(e, "s3:PutObject", env.region);
      failure = new CliError(`${c.file}: ${failure.message}`, failure.exitCode);
      break;
    }
  }
  bars?.stop();

  if (asJson) io.stdout(json({ uploaded: done, refused: [], ...(failure ? { error: failure.message } : {}) }));
  else if (done.length) {
    io.stdout(
      table(
        ["file", "call id", "uploaded to", "result (when analysed)"],
        done.map((u) => [path.basename(u.file) + (u.resumed ? " (resumed)" : ""), u.callId, `s3://${env.names.inputBucket}/${u.key}`, u.resultUri]),
        100,
      ),
    );
    io.stdout(
      `Encrypted with SSE-KMS (${done[0].kmsKey ?? env.names.keyAlias}). Follow a call: cci status ${done[0].callId} --tenant ${tenant}   (or cci wait)`,
    );
  }
  if (failure) throw failure;
  return EXIT.OK;
}

async function freshUpload(
  env: Environment,
  c: FileCheck,
  identity: Omit<UploadState, "uploadId">,
  kmsKey: string | undefined,
  partSize: number,
  queueSize: number,
  progress: (loaded: number) => void,
): Promise<{ ServerSideEncryption?: string; SSEKMSKeyId?: string }> {
  const upload = new Upload({
    client: env.clients.s3,
    params: {
      Bucket: env.names.inputBucket,
      Key: c.key,
      Body: fs.createReadStream(c.file),
      ...(kmsKey ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: kmsKey } : {}),
    },
    partSize,
    queueSize,
    // A failed multipart upload keeps its parts so the next run resumes it (the bucket's lifecycle rule aborts
    // incomplete uploads after a day).
    leavePartsOnError: true,
  });
  upload.on("httpUploadProgress", (p) => progress(p.loaded ?? 0));
  // Ctrl-C during a multipart upload keeps what S3 has, for the next run to resume.
  const onInterrupt = () => {
    if (upload.uploadId) saveState({ ...identity, uploadId: upload.uploadId });
    process.stderr.write(
      `\ncci upload: interrupted${upload.uploadId ? "; the uploaded parts are kept: run the same command again within a day to resume" : ""}\n`,
    );
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    return await upload.done();
  } catch (e) {
    const uploadId = upload.uploadId;
    if (uploadId && !isAccessDenied(e)) {
      saveState({ ...identity, uploadId });
      const err = explain(e, "s3:UploadPart", env.region);
      throw new CliError(`${err.message}; the uploaded parts are kept: run the same command again within a day to resume`, err.exitCode);
    }
    throw explain(e, uploadId ? "s3:UploadPart" : "s3:PutObject", env.region);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}
