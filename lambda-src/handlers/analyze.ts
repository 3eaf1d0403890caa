/**
 * analyze: EventBridge "Transcribe Job State Change" (COMPLETED | FAILED) or a manual reprocessing request
 * -> processJob -> result record. The work is in services/analyze-event.ts and services/process-job.ts.
 */
import type { Context } from "aws-lambda";
import { readConfig } from "../contracts/environment";
import { invocation } from "../aws/observability";
import { analyzeEvent, type AnalyzeEvent, type AnalyzeResponse } from "../services/analyze-event";

export const handler = (event: AnalyzeEvent, context?: Context): Promise<AnalyzeResponse> =>
  invocation(context, () => analyzeEvent(readConfig("analyze", process.env), event));
