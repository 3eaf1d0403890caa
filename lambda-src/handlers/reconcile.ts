/**
 * reconcile (schedule): missed completion events and stuck jobs; the work is in services/reconcile-jobs.ts.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { readConfig } from "../contracts/environment";
import { invocation } from "../aws/observability";
import { reconcile, type ReconcileReport } from "../services/reconcile-jobs";

export const handler = (_event: ScheduledEvent, context?: Context): Promise<ReconcileReport> =>
  invocation(context, () =>
    reconcile(readConfig("reconcile", process.env), new Date(), () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY),
  );
