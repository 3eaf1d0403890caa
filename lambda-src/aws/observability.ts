/**
 * Powertools Logger and Metrics, one instance each per container. Service name, namespace and log level come
 * from POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL. The only metric
 * dimension is the default `service`. {@link invocation} frames every handler call: the Lambda context on every
 * log line, per-record keys cleared and metrics flushed at the end.
 */
import type { Context } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRIC, type MetricName } from "../contracts/metrics";

export const logger = new Logger();
export const metrics = new Metrics();

export function count(name: Exclude<MetricName, METRIC.ProcessingLatency | METRIC.ReconcileWatermarkAge>, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** reconcile's watermark age, in seconds. */
export function watermarkAge(seconds: number): void {
  metrics.addMetric(METRIC.ReconcileWatermarkAge, MetricUnit.Seconds, seconds);
}

export function latency(ms: number): void {
  metrics.addMetric(METRIC.ProcessingLatency, MetricUnit.Milliseconds, ms);
}

const RECORD_KEYS = ["tenant", "call_id", "job_name"] as const;

/** Per-record log keys (tenant, call_id, job_name); undefined values are not added. */
export function setRecordKeys(keys: Partial<Record<(typeof RECORD_KEYS)[number], string | undefined>>): void {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as Record<string, string>;
  logger.appendKeys(defined);
}

export function clearRecordKeys(): void {
  logger.removeKeys([...RECORD_KEYS]);
}

/** Flushes stored metrics (EMF to stdout); never throws into the handler. */
export function publishMetrics(): void {
  try {
    metrics.publishStoredMetrics();
  } catch (e) {
    logger.warn("Publishing metrics failed", { error: e as Error });
  }
}

/**
 * Runs one invocation: `function_request_id`, `cold_start`, `function_name`, ... on every log line (Lambda always
 * passes a context; direct calls in tests may not), then clears the per-record keys and flushes the metrics.
 */
export async function invocation<T>(context: Context | undefined, work: () => Promise<T>): Promise<T> {
  if (context) logger.addContext(context);
  try {
    return await work();
  } finally {
    clearRecordKeys();
    publishMetrics();
  }
}
