/**
 * How many jobs one reconcile run may hand to analyze: a per-run budget from the account's quotas in the
 * configuration (`processing.quotas`), computed once by the infrastructure and given to reconcile as
 * `RECONCILE_MAX_HANDOUTS`. docs/pipeline.md "Reconcile", step 5.
 *
 * Why a per-run budget and not a queue with maximum concurrency in front of analyze: the schedule already spaces the
 * runs, the budget costs reconcile a number, and a queue would cost an SQS client in the reconcile bundle (≈ 10 KB of
 * its room), a queue, its dead-letter queue and, with private networking, one more interface endpoint per zone.
 */

/** Hand-outs per run at most, whatever the quotas allow. */
export const MAX_HANDOUTS_PER_RUN = 1000;
/** The share of the quotas a run's hand-outs may take per period; the rest is the completion events' path. */
export const HANDOUT_QUOTA_SHARE = 0.5;
/** Model requests an analysis makes: the summary and, on a cut answer, one retry with a larger budget. */
export const MODEL_REQUESTS_PER_JOB = 2;
/** Comprehend requests an analysis makes: the whole call and the speakers' batch, and one throttled retry. */
export const COMPREHEND_REQUESTS_PER_JOB = 3;

export interface PacingQuotas {
  /** The summary model's requests per minute (Bedrock Service Quotas for the model or profile). */
  readonly modelRequestsPerMinute: number;
  /** Comprehend DetectSentiment requests per second (Service Quotas). */
  readonly comprehendRequestsPerSecond: number;
}

/** The most jobs one reconcile run may hand out, given the quotas and the minutes between runs (at least 1). */
export function handoutBudget(quotas: PacingQuotas, everyMinutes: number): number {
  const byModel = (quotas.modelRequestsPerMinute * everyMinutes) / MODEL_REQUESTS_PER_JOB;
  const byComprehend = (quotas.comprehendRequestsPerSecond * 60 * everyMinutes) / COMPREHEND_REQUESTS_PER_JOB;
  return Math.max(1, Math.min(MAX_HANDOUTS_PER_RUN, Math.floor(HANDOUT_QUOTA_SHARE * Math.min(byModel, byComprehend))));
}
