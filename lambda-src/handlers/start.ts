/**
 * start: SQS (S3 event notifications of the input bucket) -> StartTranscriptionJob.
 * Every S3 record ends in a started job, an error record (REJECTED), an explicit ignore log line or a retry
 * (the SQS message is reported in batchItemFailures; after maxReceiveCount it lands in the dead-letter queue).
 * The work is in services/upload-batch.ts (the batch) and services/start-upload.ts (one S3 record).
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { readConfig, START_ENVIRONMENT } from "../contracts/environment";
import { type Clock, systemClock } from "../core/clock";
import { invocation } from "../aws/observability";
import { processUploadBatch } from "../services/upload-batch";

/** The handler on a given clock (tests pass a manual one); Lambda runs {@link handler}, on the system clock. */
export const handlerWith =
  (clock: Clock) =>
  (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    invocation(context, () => processUploadBatch(readConfig(START_ENVIRONMENT, process.env), event, clock, context));

export const handler = handlerWith(systemClock);
