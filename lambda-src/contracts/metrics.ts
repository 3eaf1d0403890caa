/**
 * The pipeline's custom metrics (EMF, written by the handlers through Powertools Metrics) and the namespace the
 * infrastructure's alarms read them from. The only dimension is `service` (= POWERTOOLS_SERVICE_NAME).
 */
export const METRICS_NAMESPACE = "CCI-Lite";

/**
 * The metric names. A string enum, not an object: esbuild inlines each name where it is used and drops the rest, so
 * a bundle carries only the names its handler writes.
 */
export enum METRIC {
  CallsStarted = "CallsStarted",
  CallsCompleted = "CallsCompleted",
  CallsFailed = "CallsFailed",
  CallsRejected = "CallsRejected",
  JobsStuck = "JobsStuck",
  CallsReconciled = "CallsReconciled",
  ProcessingLatency = "ProcessingLatency",
  /** A COMPLETED record without a summary (`summary_error`; SUMMARY_INCOMPLETE is not counted). */
  SummariesFailed = "SummariesFailed",
  /** reconcile, every run: how far back its next window starts (now - watermark), in seconds. */
  ReconcileWatermarkAge = "ReconcileWatermarkAge",
}
export type MetricName = METRIC;
