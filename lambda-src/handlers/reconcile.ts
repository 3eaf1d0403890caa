/**
 * reconcile (schedule): missed completion events and stuck jobs; the work is in services/reconcile-jobs.ts.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { readConfig, RECONCILE_ENVIRONMENT } from "../contracts/environment";
import { type Clock, systemClock } from "../core/clock";
import { invocation } from "../aws/observability";
import { reconcile, type ReconcileReport } from "../services/reconcile-jobs";

/** The handler on a given clock (tests pass a manual one); Lambda runs {@link handler}, on the system clock. */
export const handlerWith =
  (clock: Clock) =>
  (_event: ScheduledEvent, context?: Context): Promise<ReconcileReport> =>
    invocation(context, () =>
      reconcile(
        readConfig(RECONCILE_ENVIRONMENT, process.env),
        clock.now(),
        () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY,
        context?.awsRequestId,
      ),
    );

export const handler = handlerWith(systemClock);
