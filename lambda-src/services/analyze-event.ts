/**
 * What the analyze handler receives: an EventBridge "Transcribe Job State Change" (COMPLETED | FAILED) for one job,
 * a hand-out from reconcile, `{ "reconcile": { "jobName": "...", "attempt": 1 } }` (asynchronous invocation), or a
 * direct invocation for manual reprocessing, `{ "jobNames": ["cci-lite-prod-..."], "force": true }`.
 * All end in processJob (services/process-job.ts). On the EventBridge and hand-out paths errors are thrown
 * (Lambda's async retries, then the events dead-letter queue; reconcile hands the job out again, a bounded number
 * of times); reprocessing reports each job's outcome or error instead.
 */
import type { EventBridgeEvent } from "aws-lambda";
import type { AnalyzeConfig } from "../contracts/environment";
import type { Clock } from "../core/clock";
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

/** reconcile -> analyze (asynchronous `lambda:Invoke`): one job no invocation has settled yet. */
export interface HandOutRequest {
  readonly reconcile: { readonly jobName: string; readonly attempt: number };
}

export type AnalyzeEvent = TranscribeJobStateEvent | ReprocessRequest | HandOutRequest;
export type AnalyzeResponse = ProcessResult | ReprocessResponse | { readonly ignored: string };

function isReprocess(e: unknown): e is ReprocessRequest {
  return Array.isArray((e as ReprocessRequest | null)?.jobNames);
}

function isHandOut(e: unknown): e is HandOutRequest {
  return typeof (e as HandOutRequest | null)?.reconcile?.jobName === "string";
}

/** Manual reprocessing: every job is tried; a failure is reported in the answer, not thrown. */
export async function reprocessJobs(cfg: AnalyzeConfig, request: ReprocessRequest, clock: Clock, owner?: string): Promise<ReprocessResponse> {
  const results: ReprocessResponse["results"][number][] = [];
  for (const name of request.jobNames) {
    try {
      results.push(await processJob(cfg, String(name), { force: request.force === true, clock, owner }));
    } catch (e) {
      logger.error("Reprocessing failed", { error: e as Error });
      results.push({ jobName: String(name), outcome: "ERROR", error: `${errorName(e)}: ${errorMessage(e)}` });
    } finally {
      clearRecordKeys();
    }
  }
  return { results };
}

/**
 * Dispatches one analyze invocation; `clock` dates its records, `owner` (the Lambda request id, kept by Lambda's
 * retries of the invocation) names the delivery in a job's claim (services/job-claim.ts).
 */
export async function analyzeEvent(cfg: AnalyzeConfig, event: AnalyzeEvent, clock: Clock, owner?: string): Promise<AnalyzeResponse> {
  if (isReprocess(event)) return reprocessJobs(cfg, event, clock, owner);
  if (isHandOut(event)) {
    logger.info("Job handed out", { job_name: event.reconcile.jobName, attempt: event.reconcile.attempt });
    return processJob(cfg, event.reconcile.jobName, { clock, owner });
  }
  const detail = (event as TranscribeJobStateEvent)?.detail;
  const jobName = detail?.TranscriptionJobName;
  if (typeof jobName !== "string" || jobName === "") {
    const ignored = "no job name";
    logger.warn("Event ignored", { reason: ignored, detail_type: (event as TranscribeJobStateEvent)?.["detail-type"] });
    return { ignored };
  }
  if (!jobName.startsWith(cfg.jobNamePrefix)) {
    const ignored = "other environment";
    logger.info("Event ignored", { reason: ignored, job_name: jobName, prefix: cfg.jobNamePrefix });
    return { ignored };
  }
  logger.info("Job state change", { job_name: jobName, job_status: detail.TranscriptionJobStatus, failure_reason: detail.FailureReason });
  return processJob(cfg, jobName, { clock, owner });
}
