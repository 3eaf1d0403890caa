/**
 * analyze: EventBridge "Transcribe Job State Change" (COMPLETED | FAILED) or a manual reprocessing request
 * -> processJob -> result record. The work is in services/analyze-event.ts and services/process-job.ts.
 */
import type { Context } from "aws-lambda";
import { ANALYZE_ENVIRONMENT, readConfig } from "../contracts/environment";
import { type Clock, systemClock } from "../core/clock";
import { invocation } from "../aws/observability";
import { analyzeEvent, type AnalyzeEvent, type AnalyzeResponse } from "../services/analyze-event";

/** The handler on a given clock (tests pass a manual one); Lambda runs {@link handler}, on the system clock. */
export const handlerWith =
  (clock: Clock) =>
  (event: AnalyzeEvent, context?: Context): Promise<AnalyzeResponse> =>
    invocation(context, () => analyzeEvent(readConfig(ANALYZE_ENVIRONMENT, process.env), event, clock, context?.awsRequestId));

export const handler = handlerWith(systemClock);
