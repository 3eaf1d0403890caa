/**
 * analyze: EventBridge "Transcribe Job State Change" (COMPLETED | FAILED) -> processJob -> result record.
 * Also invoked directly for manual reprocessing: `{ "jobNames": ["cci-lite-prod-..."], "force": true }`.
 * Transient errors are thrown from the EventBridge path (Lambda async retries, then reconcile picks it up).
 */
import type { EventBridgeEvent } from "aws-lambda";
import { readConfig } from "../contracts/environment";
import { errorMessage, errorName } from "../core/errors";
import { clearRecordKeys, logger, publishMetrics } from "../aws/observability";
import { processJob, type ProcessResult } from "../services/process-job";

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

function isReprocess(e: unknown): e is ReprocessRequest {
  return typeof e === "object" && e !== null && Array.isArray((e as ReprocessRequest).jobNames);
}

export const handler = async (event: TranscribeJobStateEvent | ReprocessRequest): Promise<ProcessResult | ReprocessResponse | { readonly ignored: string }> => {
  const cfg = readConfig("analyze", process.env);
  try {
    if (isReprocess(event)) {
      const results: ReprocessResponse["results"][number][] = [];
      for (const name of event.jobNames) {
        try {
          results.push(await processJob(cfg, String(name), { force: event.force === true }));
        } catch (e) {
          logger.error("Reprocessing failed", { error: e as Error });
          results.push({ jobName: String(name), outcome: "ERROR", error: `${errorName(e)}: ${errorMessage(e)}` });
        } finally {
          clearRecordKeys();
        }
      }
      return { results };
    }
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
    return await processJob(cfg, jobName);
  } finally {
    clearRecordKeys();
    publishMetrics();
  }
};
