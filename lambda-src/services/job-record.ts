/**
 * One transcription job's record at its result key, under the result-identity rule (core/result-identity.ts):
 * loading the job and its upload identity from the tags, the conditional write that never replaces a newer
 * upload's record, and the "settled" marker reconcile looks for. Shared by analyze (services/process-job.ts) and
 * reconcile (JOB_STUCK and PROCESSING_ERROR records); no Comprehend or Bedrock here, so reconcile's bundle stays small.
 */
import { GetTranscriptionJobCommand, type TranscriptionJob } from "@aws-sdk/client-transcribe";
import type { CommonConfig } from "../contracts/environment";
import type { CallResult } from "../contracts/result-schema";
import { doneMarkerKey, resultKey } from "../contracts/storage-layout";
import { errorMessage, errorName } from "../core/errors";
import type { JobFacts, SourceInfo } from "../core/result";
import { type DecideOptions, decideWrite, type WriteDecision } from "../core/result-identity";
import { TAG, tagsToRecord } from "../core/transcribe-request";
import { parseS3Uri } from "../core/transcript";
import { transcribeClient } from "../aws/clients";
import { type CommitOutcome, commitRecord, putSmallObject, readRecord } from "../aws/records";

export interface JobContext extends JobFacts {
  readonly jobName: string;
  readonly job: TranscriptionJob;
  readonly tenant: string;
  readonly callId: string;
  readonly resultKey: string;
  readonly source: SourceInfo;
  readonly uploadedAt: string | null;
}

export type LoadedJob =
  | { readonly kind: "missing" }
  | { readonly kind: "untagged"; readonly job: TranscriptionJob }
  | { readonly kind: "ok"; readonly ctx: JobContext };

/**
 * The result key's date: the upload's S3 event time (as for start's REJECTED records), so every upload of a call on
 * one day shares one key whenever its job was created; the job's creation time only for jobs without the tag, and
 * `now` only when Transcribe gave no creation time either.
 */
function keyDate(uploadedAt: string | undefined, job: TranscriptionJob, now: Date): Date {
  const t = uploadedAt ? Date.parse(uploadedAt) : Number.NaN;
  if (Number.isFinite(t)) return new Date(t);
  return job.CreationTime instanceof Date ? job.CreationTime : now;
}

/** GetTranscriptionJob and the record context from its tags, at `now` (the caller's clock). */
export async function loadJob(jobName: string, now: Date): Promise<LoadedJob> {
  let job: TranscriptionJob | undefined;
  try {
    job = (await transcribeClient().send(new GetTranscriptionJobCommand({ TranscriptionJobName: jobName }))).TranscriptionJob;
  } catch (e) {
    const n = errorName(e);
    if (n === "NotFoundException" || (n === "BadRequestException" && /not (be )?found|couldn't be found|does not exist/i.test(errorMessage(e)))) {
      return { kind: "missing" };
    }
    throw e;
  }
  if (!job) return { kind: "missing" };
  const tags = tagsToRecord(job.Tags);
  const tenant = tags[TAG.tenant];
  const callId = tags[TAG.callId];
  if (!tenant || !callId) return { kind: "untagged", job };
  const media = job.Media?.MediaFileUri ? parseS3Uri(job.Media.MediaFileUri) : undefined;
  const size = tags[TAG.size] !== undefined ? Number(tags[TAG.size]) : Number.NaN;
  return {
    kind: "ok",
    ctx: {
      jobName,
      job,
      tenant,
      callId,
      resultKey: resultKey(tenant, keyDate(tags[TAG.uploadedAt], job, now), callId),
      source: {
        bucket: media?.bucket ?? "",
        key: media?.key ?? job.Media?.MediaFileUri ?? "",
        versionId: tags[TAG.versionId] ?? null,
        etag: tags[TAG.etag] ?? null,
        size: Number.isFinite(size) ? size : null,
      },
      uploadedAt: tags[TAG.uploadedAt] ?? null,
    },
  };
}

/**
 * What a COMPLETED record of this job would meet at the result key right now (no write): analyze asks before any
 * model call, so a settled job costs nothing.
 */
export async function currentDecision(cfg: CommonConfig, ctx: JobContext, opts: DecideOptions = {}): Promise<WriteDecision> {
  return decideWrite(await readRecord(cfg.resultsBucket, ctx.resultKey), { status: "COMPLETED", jobName: ctx.jobName, uploadedAt: ctx.uploadedAt }, opts);
}

/** Writes the job's record at its result key through the one write protocol ({@link commitRecord}). */
export function commitJobRecord(cfg: CommonConfig, ctx: JobContext, record: CallResult, opts: DecideOptions = {}): Promise<CommitOutcome> {
  return commitRecord(cfg.resultsBucket, cfg.kmsKeyArn, ctx.resultKey, record, opts);
}

/** Marks the job settled for reconcile (its record, or a newer upload's, is at the result key). */
export async function markSettled(cfg: CommonConfig, jobName: string, created: Date | undefined): Promise<void> {
  if (!(created instanceof Date)) return;
  await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, doneMarkerKey(created, jobName));
}
