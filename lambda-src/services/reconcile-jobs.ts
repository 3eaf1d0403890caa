/**
 * reconcile (scheduled, handlers/reconcile.ts): finds finished jobs whose completion event was missed and jobs
 * that are stuck.
 * - COMPLETED / FAILED jobs of this deployment created within RECONCILE_LOOKBACK_HOURS (and finished more than
 *   {@link EVENT_GRACE_MINUTES} ago, so the normal event path gets its chance) without any record -> processJob.
 * - IN_PROGRESS / QUEUED jobs created more than STUCK_JOB_HOURS ago without a record -> FAILED record JOB_STUCK.
 * Bounded per run: at most {@link MAX_PROCESSED_PER_RUN} jobs processed and {@link MAX_CHECKED_PER_RUN} checked;
 * the rest is found again by the next run.
 */
import { ListTranscriptionJobsCommand, type TranscriptionJobStatus, type TranscriptionJobSummary } from "@aws-sdk/client-transcribe";
import type { ReconcileConfig } from "../contracts/environment";
import { ERROR_CODES } from "../core/errors";
import { buildJobResult } from "../core/result";
import { transcribeClient } from "../aws/clients";
import { clearRecordKeys, count, logger, setRecordKeys } from "../aws/observability";
import { METRIC } from "../contracts/metrics";
import { headRecord, writeRecord } from "../aws/records";
import { loadJob, processLoadedJob } from "./process-job";

export const MAX_PROCESSED_PER_RUN = 50;
export const MAX_CHECKED_PER_RUN = 1000;
export const EVENT_GRACE_MINUTES = 15;
/** Stop starting new work when less than this is left of the invocation. */
const TIME_RESERVE_MS = 60_000;

export interface ReconcileReport {
  readonly checked: number;
  readonly reconciled: number;
  readonly stuck: number;
  readonly skipped: number;
  readonly errors: number;
  readonly truncated: boolean;
}

const HOUR = 3_600_000;

/** Lists this deployment's jobs with one status, newest first, stopping at jobs created before `notBefore`. */
export async function listJobs(prefix: string, status: TranscriptionJobStatus, notBefore?: Date): Promise<TranscriptionJobSummary[]> {
  const out: TranscriptionJobSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await transcribeClient().send(new ListTranscriptionJobsCommand({ Status: status, JobNameContains: prefix, MaxResults: 100, NextToken }));
    let older = false;
    for (const j of page.TranscriptionJobSummaries ?? []) {
      if (!j.TranscriptionJobName?.startsWith(prefix)) continue;
      if (notBefore && j.CreationTime && j.CreationTime < notBefore) {
        older = true;
        continue;
      }
      out.push(j);
    }
    NextToken = older ? undefined : page.NextToken; // the list is newest first
  } while (NextToken);
  return out;
}

export async function reconcile(cfg: ReconcileConfig, now = new Date(), remainingMs: () => number = () => Number.POSITIVE_INFINITY): Promise<ReconcileReport> {
  const lookback = new Date(now.getTime() - cfg.reconcileLookbackHours * HOUR);
  const grace = new Date(now.getTime() - EVENT_GRACE_MINUTES * 60_000);
  const stuckBefore = new Date(now.getTime() - cfg.stuckJobHours * HOUR);

  const finished = [...(await listJobs(cfg.jobNamePrefix, "COMPLETED", lookback)), ...(await listJobs(cfg.jobNamePrefix, "FAILED", lookback))]
    .filter((j) => !j.CompletionTime || j.CompletionTime < grace)
    .sort((a, b) => (a.CreationTime?.getTime() ?? 0) - (b.CreationTime?.getTime() ?? 0)); // oldest first
  const running = [...(await listJobs(cfg.jobNamePrefix, "IN_PROGRESS")), ...(await listJobs(cfg.jobNamePrefix, "QUEUED"))].filter(
    (j) => j.CreationTime && j.CreationTime < stuckBefore,
  );

  let checked = 0,
    reconciled = 0,
    stuck = 0,
    skipped = 0,
    errors = 0,
    processed = 0;
  let truncated = false;
  const budgetLeft = () => checked < MAX_CHECKED_PER_RUN && processed < MAX_PROCESSED_PER_RUN && remainingMs() > TIME_RESERVE_MS;

  for (const j of [...running.map((s) => ({ s, stuck: true })), ...finished.map((s) => ({ s, stuck: false }))]) {
    if (!budgetLeft()) {
      truncated = true;
      break;
    }
    const name = j.s.TranscriptionJobName!;
    checked++;
    try {
      setRecordKeys({ job_name: name });
      const loaded = await loadJob(name);
      if (loaded.kind !== "ok") {
        logger.error("Cannot reconcile job", { reason: loaded.kind });
        errors++;
        continue;
      }
      const ctx = loaded.ctx;
      setRecordKeys({ tenant: ctx.tenant, call_id: ctx.callId });
      if (j.stuck) {
        const existing = await headRecord(cfg.resultsBucket, ctx.resultKey);
        if (existing && existing.jobName === name) {
          skipped++;
          continue;
        }
        const hours = ((now.getTime() - (j.s.CreationTime?.getTime() ?? now.getTime())) / HOUR).toFixed(1);
        const record = buildJobResult(
          "FAILED",
          ctx,
          cfg.bedrockModelId,
          now,
          { languageCode: ctx.job.LanguageCode ?? null },
          {
            code: ERROR_CODES.JOB_STUCK,
            message: `Job ${j.s.TranscriptionJobStatus} for ${hours} h (limit ${cfg.stuckJobHours} h)`,
          },
        );
        await writeRecord(cfg.resultsBucket, cfg.kmsKeyArn, ctx.resultKey, record);
        count(METRIC.JobsStuck);
        logger.warn("Stuck job recorded", { result_key: ctx.resultKey, job_status: j.s.TranscriptionJobStatus });
        stuck++;
        processed++;
        continue;
      }
      const r = await processLoadedJob(cfg, ctx, { skipIfAnyRecord: true, now });
      if (r.outcome === "COMPLETED" || r.outcome === "FAILED") {
        count(METRIC.CallsReconciled);
        logger.info("Missed job reconciled", { outcome: r.outcome, result_key: r.resultKey });
        reconciled++;
        processed++;
      } else skipped++;
    } catch (e) {
      errors++;
      logger.error("Reconciling a job failed; the next run retries it", { error: e as Error });
    } finally {
      clearRecordKeys();
    }
  }
  const report = { checked, reconciled, stuck, skipped, errors, truncated };
  logger.info("Reconcile run finished", { ...report, finished_candidates: finished.length, running_candidates: running.length });
  return report;
}
