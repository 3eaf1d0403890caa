/**
 * A batch of the intake queue: each SQS message is one S3 event notification with one or more records. Powertools
 * batch processing reports the messages that failed as `batchItemFailures`, so only those are retried (after
 * maxReceiveCount they land in the dead-letter queue). Messages run one after another: the per-record log keys
 * live on the one logger, and the tenant cache and Transcribe's quota prefer it too.
 */
import type { Context, S3Event, S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { StartConfig } from "../contracts/environment";
import type { Clock } from "../core/clock";
import { clearRecordKeys, logger } from "../aws/observability";
import { processS3Record, type RecordOutcome } from "./start-upload";

interface S3TestEvent {
  readonly Event?: string;
  readonly Bucket?: string;
  readonly Records?: S3EventRecord[];
}

const processor = new BatchProcessor(EventType.SQS, { logger });

/**
 * The time a message may need (tenant lookup, header read, StartTranscriptionJob, a record write, with the SDK's
 * retries). A message that would start with less left is not started: it is reported for retry, so a batch never
 * runs into the function's timeout (60 s), which would retry every message of it, the finished ones included.
 */
export const MIN_REMAINING_MS = 10_000;

/** Handles one SQS message (one S3 notification, possibly with several records) at `now`. Throws to retry it. */
export async function processMessage(cfg: StartConfig, msg: SQSRecord, now: Date): Promise<RecordOutcome[]> {
  let body: Partial<S3Event> & S3TestEvent;
  try {
    body = JSON.parse(msg.body) as Partial<S3Event> & S3TestEvent;
  } catch {
    throw new Error("Message body is not JSON (left for the dead-letter queue)");
  }
  if (body.Event === "s3:TestEvent") {
    logger.info("Acknowledging s3:TestEvent", { bucket: body.Bucket });
    return ["ignored"];
  }
  if (!Array.isArray(body.Records)) throw new Error("Message body is not an S3 event notification (left for the dead-letter queue)");
  const outcomes: RecordOutcome[] = [];
  let firstError: unknown;
  for (const rec of body.Records) {
    try {
      outcomes.push(await processS3Record(cfg, rec, now));
    } catch (e) {
      logger.error("S3 record failed; the message will be retried", { error: e as Error, key: rec?.s3?.object?.key });
      firstError ??= e;
    } finally {
      clearRecordKeys();
    }
  }
  if (firstError !== undefined) throw firstError;
  return outcomes;
}

/** Processes the batch (each message at the clock's time); the messages that threw are returned for retry, the others are acknowledged. */
export function processUploadBatch(cfg: StartConfig, event: SQSEvent, clock: Clock, context?: Context): Promise<SQSBatchResponse> {
  const handleMessage = async (msg: SQSRecord): Promise<RecordOutcome[]> => {
    const left = context?.getRemainingTimeInMillis();
    if (left !== undefined && left < MIN_REMAINING_MS) {
      logger.warn("Too little time left to start this message; reported for retry", { message_id: msg.messageId, remaining_ms: left });
      throw new Error(`${left} ms left in the invocation, less than the ${MIN_REMAINING_MS} ms a message may need`);
    }
    try {
      return await processMessage(cfg, msg, clock.now());
    } catch (e) {
      const receiveCount = msg.attributes?.ApproximateReceiveCount;
      logger.error("Message failed; reported for retry", { error: e as Error, message_id: msg.messageId, receive_count: receiveCount });
      throw e;
    } finally {
      clearRecordKeys();
    }
  };
  // A batch that failed whole is reported like any other (every message retried), not thrown.
  return processPartialResponse(event, handleMessage, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
}
