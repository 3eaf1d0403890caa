/**
 * Where one call is (`cci status`, `cci wait`): its newest transcription job (Transcribe keeps the tenant, call id
 * and upload time as tags), its record at the result key the pipeline computes (lambda-src/contracts/storage-layout.ts),
 * and, before a job exists, its upload in the input bucket. Job names and keys are built with the pipeline's own
 * functions (lambda-src/core/job-name.ts, s3-key.ts), never re-derived here.
 */
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetTranscriptionJobCommand, ListTranscriptionJobsCommand, type TranscriptionJob, type TranscriptionJobSummary } from "@aws-sdk/client-transcribe";
import { resultKey, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { buildJobName, JOB_NAME_PATTERN } from "../../lambda-src/core/job-name";
import { callIdFromFileName, extensionOf, FILE_RECORD_PREFIX, fileRecordId, MEDIA_FORMATS, nonCallFile } from "../../lambda-src/core/s3-key";
import { TAG, tagsToRecord } from "../../lambda-src/core/transcribe-request";
import { call, isNotFound } from "./aws";
import { type Environment, resolveTenant } from "./environment";
import { CliError, EXIT } from "./exit-codes";

/** What a person asks about: a call id, a local file (its call id), a transcription job name, or an upload that is not a call. */
export interface CallRef {
  readonly tenant: string;
  /** The call id, or for an upload that is not a call its record id `file!<name>` (core/s3-key.ts fileRecordId). */
  readonly callId: string;
  /** Set when the reference was a job name. */
  readonly jobName?: string;
  /** The reference names a rejected non-audio or oversize file: no job, its own record. */
  readonly isFile?: boolean;
  /** Looked up when {@link callId} is not found: `x.json` is a call id first, then the file `x.json`. */
  readonly alternative?: CallRef;
}

/** Length of the hash at the end of every job name (lambda-src/core/job-name.ts). */
const JOB_HASH = /-[0-9a-f]{16}$/;

/**
 * Resolves `<call-id | file | job-name>`: a job name starts with this environment's job-name prefix and ends with
 * the 16-hex source hash, its tenant is the configured tenant it names; a file (or any name with a media extension)
 * stands for the call id the pipeline derives from its name, or, when it is not audio (a path to `x.json`, `README`),
 * for its own record `file!<name>`; `file!…` is such a record id; a name with another extension (`x.json`) is a call
 * id, and the file of that name when there is no such call; anything else is a call id.
 */
export function parseCallRef(env: Environment, ref: string, tenantOption: string | undefined): CallRef {
  const prefix = env.names.jobNamePrefix;
  if (ref.startsWith(prefix) && JOB_HASH.test(ref) && JOB_NAME_PATTERN.test(ref)) {
    const rest = ref.slice(prefix.length).replace(JOB_HASH, "");
    const tenant = env.cfg.tenants
      .map((t) => t.id)
      .sort((a, b) => b.length - a.length)
      .find((t) => rest.startsWith(`${t}-`) && (!tenantOption || t === tenantOption));
    if (tenant) return { tenant, callId: rest.slice(tenant.length + 1), jobName: ref };
  }
  const base = path.basename(ref);
  const ext = extensionOf(base);
  const tenant = resolveTenant(env.cfg, tenantOption);
  if (ref.startsWith(FILE_RECORD_PREFIX)) return { tenant, callId: ref, isFile: true };
  const file: CallRef = { tenant, callId: fileRecordId(base), isFile: true };
  if (ref.includes("/")) return nonCallFile(base, undefined) === undefined ? { tenant, callId: callIdFromFileName(base) } : file;
  if (Object.hasOwn(MEDIA_FORMATS, ext)) return { tenant, callId: callIdFromFileName(base) };
  return ext ? { tenant, callId: ref, alternative: file } : { tenant, callId: ref };
}

/** `queued`: uploaded, no job yet; `transcribing`: the job runs; `analysing`: transcribed, record not written yet. */
export type CallState = "queued" | "transcribing" | "analysing" | "analysed" | "failed" | "rejected";
/** States after which nothing more happens without a new upload or a reprocess. */
export const SETTLED: readonly CallState[] = ["analysed", "failed", "rejected"];

export interface CallStatus {
  readonly tenant: string;
  readonly callId: string;
  readonly state: CallState;
  /** Transcribe's job state when there is a job: QUEUED, IN_PROGRESS, COMPLETED, FAILED. */
  readonly transcribeState: string | null;
  readonly jobName: string | null;
  readonly uploadKey: string | null;
  readonly uploadedAt: string | null;
  readonly jobCreatedAt: string | null;
  readonly jobCompletedAt: string | null;
  /** Where the record is (or will be): `s3://<results bucket>/<tenant>/YYYY/MM/DD/<call_id>.json`. */
  readonly resultKey: string | null;
  readonly resultUri: string | null;
  readonly recordStatus: CallResult["status"] | null;
  readonly recordWrittenAt: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface LocateOptions {
  /** How many days back (from the environment's clock) to look for a record when neither a job nor the upload exists any more. @default 7 */
  readonly days?: number;
}

const iso = (d: Date | undefined): string | null => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

async function readRecord(env: Environment, key: string): Promise<CallResult | undefined> {
  try {
    const out = await env.clients.s3.send(new GetObjectCommand({ Bucket: env.names.resultsBucket, Key: key }));
    return JSON.parse((await out.Body?.transformToString("utf8")) ?? "") as CallResult;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (e instanceof SyntaxError) throw new CliError(`s3://${env.names.resultsBucket}/${key} is not a result record (invalid JSON)`, EXIT.FAILED);
    throw e;
  }
}

const getRecord = (env: Environment, key: string) => call("s3:GetObject", env.region, () => readRecord(env, key));

async function newestJob(env: Environment, ref: CallRef): Promise<TranscriptionJob | undefined> {
  let name = ref.jobName;
  if (!name) {
    // `<prefix><tenant>-<call id, as the pipeline truncates it>-`: every job of this call, any upload version.
    const stem = buildJobName(env.names.jobNamePrefix, ref.tenant, ref.callId, { bucket: "", key: "", etag: "" }).replace(/[0-9a-f]{16}$/, "");
    const found: TranscriptionJobSummary[] = [];
    let token: string | undefined;
    do {
      const page = await call("transcribe:ListTranscriptionJobs", env.region, () =>
        env.clients.transcribe.send(new ListTranscriptionJobsCommand({ JobNameContains: stem, NextToken: token, MaxResults: 100 })),
      );
      found.push(
        ...(page.TranscriptionJobSummaries ?? []).filter(
          (j) => j.TranscriptionJobName?.startsWith(stem) && /^[0-9a-f]{16}$/.test(j.TranscriptionJobName.slice(stem.length)),
        ),
      );
      token = page.NextToken;
    } while (token);
    found.sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0));
    name = found[0]?.TranscriptionJobName;
    if (!name) return undefined;
  }
  try {
    const out = await env.clients.transcribe.send(new GetTranscriptionJobCommand({ TranscriptionJobName: name }));
    return out.TranscriptionJob;
  } catch (e) {
    const msg = (e as Error).message ?? "";
    if (isNotFound(e) || /couldn't be found|not found|does not exist/i.test(msg)) {
      if (ref.jobName) throw new CliError(`no transcription job ${ref.jobName} (Transcribe keeps jobs 90 days)`, EXIT.NOT_FOUND);
      return undefined;
    }
    throw e;
  }
}

/** The leading characters of a call id that the file name must start with (sanitizing only writes `_`, hashing `-`). */
const verbatimStart = (callId: string): string => /^[A-Za-z0-9.]*/.exec(callId)?.[0] ?? "";

/** The newest upload of the call still in the input bucket (`<tenant>/calls/<file>` whose call id, or file record id, matches). */
async function pendingUpload(env: Environment, ref: CallRef): Promise<{ key: string; lastModified: Date } | undefined> {
  const start = verbatimStart(ref.isFile ? ref.callId.slice(FILE_RECORD_PREFIX.length) : ref.callId);
  const out = await call("s3:ListBucket", env.region, () =>
    env.clients.s3.send(new ListObjectsV2Command({ Bucket: env.names.inputBucket, Prefix: `${uploadPrefix(ref.tenant)}${start}` })),
  );
  // A call's upload is audio (a sidecar x.json is not call x's upload); a file's is not (start's rule, nonCallFile).
  const matches = (out.Contents ?? [])
    .filter((o) => {
      const name = o.Key?.slice(uploadPrefix(ref.tenant).length) ?? "";
      const isFile = nonCallFile(name, o.Size) !== undefined;
      return o.Key && isFile === Boolean(ref.isFile) && (isFile ? fileRecordId(name) : callIdFromFileName(name)) === ref.callId;
    })
    .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0));
  const m = matches[0];
  return m?.Key && m.LastModified ? { key: m.Key, lastModified: m.LastModified } : undefined;
}

const DAY = 86_400_000;

/**
 * Finds the call: its newest job, its record, or its pending upload; then the reference's {@link CallRef.alternative}
 * (the file of that name). Throws exit 4 when there is none of them.
 */
export async function locateCall(env: Environment, ref: CallRef, opts: LocateOptions = {}): Promise<CallStatus> {
  try {
    return await locateOne(env, ref, opts);
  } catch (e) {
    if (!ref.alternative || !(e instanceof CliError) || e.exitCode !== EXIT.NOT_FOUND) throw e;
    try {
      return await locateOne(env, ref.alternative, opts);
    } catch (again) {
      // Neither: the call's message, which names the file record it also looked for.
      throw again instanceof CliError && again.exitCode === EXIT.NOT_FOUND ? e : again;
    }
  }
}

async function locateOne(env: Environment, ref: CallRef, opts: LocateOptions): Promise<CallStatus> {
  const bucket = env.names.resultsBucket;
  const base = { tenant: ref.tenant, callId: ref.callId };
  let job: TranscriptionJob | undefined;
  try {
    // A file that is not a call never has a transcription job.
    job = ref.isFile ? undefined : await call("transcribe:GetTranscriptionJob", env.region, () => newestJob(env, ref));
  } catch (e) {
    // Without Transcribe read access (optional in modules/access/cli-permissions.ts) the record alone still tells where the call is.
    if (!(e instanceof CliError) || e.exitCode !== EXIT.AWS_ACCESS || ref.jobName) throw e;
    job = undefined;
  }
  if (job) {
    const tags = tagsToRecord(job.Tags);
    const uploadedAt = tags[TAG.uploadedAt] ?? null;
    const t = uploadedAt ? Date.parse(uploadedAt) : Number.NaN;
    // The key's date is the upload event's (services/job-record.ts), else the job's creation.
    const key = resultKey(ref.tenant, Number.isFinite(t) ? new Date(t) : (job.CreationTime ?? env.clock.now()), tags[TAG.callId] ?? ref.callId);
    const record = await getRecord(env, key);
    const own = record?.transcription_job_name === job.TranscriptionJobName ? record : undefined;
    const js = job.TranscriptionJobStatus ?? null;
    const state: CallState = own
      ? own.status === "COMPLETED"
        ? "analysed"
        : own.status === "REJECTED"
          ? "rejected"
          : "failed"
      : js === "COMPLETED" || js === "FAILED"
        ? "analysing"
        : "transcribing";
    return {
      ...base,
      state,
      transcribeState: js,
      jobName: job.TranscriptionJobName ?? null,
      uploadKey: tags[TAG.callId] ? (job.Media?.MediaFileUri?.replace(/^s3:\/\/[^/]+\//, "") ?? null) : null,
      uploadedAt,
      jobCreatedAt: iso(job.CreationTime),
      jobCompletedAt: iso(job.CompletionTime),
      resultKey: key,
      resultUri: `s3://${bucket}/${key}`,
      recordStatus: own ? own.status : null,
      recordWrittenAt: own ? own.timestamp : null,
      error: own ? (own.error ?? null) : js === "FAILED" ? { code: "TRANSCRIBE_FAILED", message: job.FailureReason ?? "Transcribe failed the job" } : null,
    };
  }

  let upload: Awaited<ReturnType<typeof pendingUpload>>;
  try {
    upload = await pendingUpload(env, ref);
  } catch (e) {
    // Without the input listing (optional in modules/access/cli-permissions.ts) only the record tells (a pending upload is "not found yet").
    if (!(e instanceof CliError) || e.exitCode !== EXIT.AWS_ACCESS) throw e;
    upload = undefined;
  }
  // No job: the upload waits in the intake queue, or start rejected it (a REJECTED record, no job).
  const now = env.clock.now();
  const days = opts.days ?? 7;
  const candidates = upload
    ? [upload.lastModified, new Date(upload.lastModified.getTime() + DAY)]
    : Array.from({ length: days + 1 }, (_, i) => new Date(now.getTime() - i * DAY));
  for (const day of candidates) {
    const key = resultKey(ref.tenant, day, ref.callId);
    const record = await getRecord(env, key);
    if (record && (!upload || Date.parse(record.timestamp) >= upload.lastModified.getTime())) {
      const state: CallState = record.status === "COMPLETED" ? "analysed" : record.status === "REJECTED" ? "rejected" : "failed";
      return {
        ...base,
        state,
        transcribeState: null,
        jobName: record.transcription_job_name,
        uploadKey: record.source_key || upload?.key || null,
        uploadedAt: record.uploaded_at,
        jobCreatedAt: record.job_started_at,
        jobCompletedAt: record.job_completed_at,
        resultKey: key,
        resultUri: `s3://${bucket}/${key}`,
        recordStatus: record.status,
        recordWrittenAt: record.timestamp,
        error: record.error,
      };
    }
  }
  if (upload) {
    const key = resultKey(ref.tenant, upload.lastModified, ref.callId);
    return {
      ...base,
      state: "queued",
      transcribeState: null,
      jobName: null,
      uploadKey: upload.key,
      uploadedAt: upload.lastModified.toISOString(),
      jobCreatedAt: null,
      jobCompletedAt: null,
      resultKey: key,
      resultUri: `s3://${bucket}/${key}`,
      recordStatus: null,
      recordWrittenAt: null,
      error: null,
    };
  }
  const also = ref.alternative ? ` (nor a file record ${ref.alternative.callId})` : "";
  throw new CliError(
    ref.isFile
      ? `no file record "${ref.callId}" of tenant ${ref.tenant} in ${env.cfg.environment}: no upload of that file under ${uploadPrefix(ref.tenant)}, no record in the last ${days} days (--days to look further back)`
      : `no call "${ref.callId}" of tenant ${ref.tenant} in ${env.cfg.environment}: no transcription job, no upload under ${uploadPrefix(ref.tenant)}, no record in the last ${days} days (--days to look further back)${also}`,
    EXIT.NOT_FOUND,
  );
}
