/**
 * The runbook sections of docs/runbooks.md that alarms link to: one table, keyed by {@link RunbookKey}. Every alarm
 * names its section by key (`AlarmTopic.addAlarm({ runbook: "queueAge", ... })`), so a link to a section that is
 * not in the table does not compile; __tests__/modules/runbook-anchors.test.ts checks without synthesizing that
 * every anchor here is a section heading of the document (`## Queue age` is `#queue-age`), and
 * __tests__/cli/runbooks.test.ts that every synthesized alarm carries its link.
 */
export const RUNBOOKS_DOC = "docs/runbooks.md";

export const RUNBOOK = {
  /** guide §15.A: Transcribe jobs unfinished past `stuckJobHours`. */
  jobsStuck: "jobs-stuck",
  /** Uploads that failed start repeatedly sit in the intake dead-letter queue. */
  intakeDlqNotEmpty: "intake-dlq-not-empty",
  /** Transcribe events analyze/reconcile could not process. */
  eventsDlqNotEmpty: "events-dlq-not-empty",
  /** The oldest upload waits too long in the intake queue. */
  queueAge: "queue-age",
  /** A waiting upload is about to outlive its audio (paused processing, backlog). */
  audioExpiring: "audio-expiring",
  /** Calls ended in a FAILED record (guide §15.C among the causes). */
  callsFailed: "calls-failed",
  /** Uploads rejected with an error record. */
  callsRejected: "calls-rejected",
  /** guide §15.D: COMPLETED calls without a summary, e.g. Bedrock model access denied. */
  modelAccessDenied: "model-access-denied",
  /** Function errors and ERROR log lines (guide §15.B access denied among the causes). */
  functionErrors: "function-errors",
  /** Function throttled. */
  functionThrottles: "function-throttles",
  /** Function duration near its timeout. */
  functionDuration: "function-duration",
  /** reconcile's window reaches far back: a deep Transcribe queue, or jobs it cannot settle. */
  reconcileWatermarkAge: "reconcile-watermark-age",
} as const satisfies Record<string, string>;
/** A runbook section an alarm links to: a key of {@link RUNBOOK}. */
export type RunbookKey = keyof typeof RUNBOOK;

/** ` Runbook: docs/runbooks.md#<anchor>`, appended to an alarm's description (AlarmTopic.addAlarm). */
export function runbookRef(key: RunbookKey): string {
  return ` Runbook: ${RUNBOOKS_DOC}#${RUNBOOK[key]}`;
}
