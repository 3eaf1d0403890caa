/**
 * What the analyze handler receives: an EventBridge "Transcribe Job State Change" (COMPLETED | FAILED) for one job,
 * or a direct invocation for manual reprocessing, `{ "jobNames": ["cci-lite-prod-..."], "force": true }`.
 * Both end in processJob (services/process-job.ts). On the EventBridge path transient errors are thrown (Lambda's
 * async retries, then reconcile picks the job up); reprocessing reports each job's outcome or error instead.
 */
import type { EventBridgeEvent } from "aws-lambda";
import type { AnalyzeConfig } from "../contracts/environment";
import { errorMessage, errorName } from "../core/errors";
import { clearRecordKeys, logger } from "../aws/observability";
import { processJob, type ProcessResult } from "./process-job";

export interface TranscribeJobStateDetail {
  readonly TranscriptionJobName: string;
  readonly TranscriptionJobStatus: "COMPLETED" | "FAILED" | string;
  readonly FailureReason?: string;
}
export type TranscribeJobStateEvent = EventBridgeEvent<"Transcribe Job State Change", TranscribeJobStateDetail>;

export interface ReprocessRequest {
  readonly jobNames: readonly string[];
  readonly force?: boolean;
}

export interface ReprocessResponse {
  readonly results: ReadonlyArray<ProcessResult | { readonly jobName: string; readonly outcome: "ERROR"; readonly error: string }>;
}

export type AnalyzeEvent = TranscribeJobStateEvent | ReprocessRequest;
export type AnalyzeResponse = ProcessResult | ReprocessResponse | { readonly ignored: string };

function isReprocess(e: unknown): e is ReprocessRequest {
  return typeof e === "object" && e !== null && Array.isArray((e as ReprocessRequest).jobNames);
}

/** Manual reprocessing: every job is tried; a failure is reported in the answer, not thrown. */
export async function reprocessJobs(cfg: AnalyzeConfig, request: ReprocessRequest): Promise<ReprocessResponse> {
  const results: ReprocessResponse["results"][number][] = [];
  for (const name of request.jobNames) {
    try {
      results.push(await processJob(cfg, String(name), { force: request.force === true }));
    } catch (e) {
      logger.error("Reprocessing failed", { error: e as Error });
      results.push({ jobName: String(name), outcome: "ERROR", error: `${errorName(e)}: ${errorMessage(e)}` });
    } finally {
      clearRecordKeys();
    }
  }
  return { results };
}

/** Dispatches one analyze invocation. */
export async function analyzeEvent(cfg: AnalyzeConfig, event: AnalyzeEvent): Promise<AnalyzeResponse> {
  if (isReprocess(event)) return reprocessJobs(cfg, event);
  const detail = event?.detail;
  const jobName = detail?.TranscriptionJobName;
  if (typeof jobName !== "string" || jobName === "") {
    logger.warn("Event without TranscriptionJobName; ignoring", { detail_type: event?.["detail-type"] });
    return { ignored: "no job name" };
  }
  if (!jobName.startsWith(cfg.jobNamePrefix)) {
    logger.info("Event for another environment's job; ignoring", { job_name: jobName, prefix: cfg.jobNamePrefix });
    return { ignored: "other environment" };
  }
  logger.info("Transcription job state change", { job_name: jobName, job_status: detail.TranscriptionJobStatus, failure_reason: detail.FailureReason });
  return processJob(cfg, jobName);
}
