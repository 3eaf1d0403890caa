/**
 * The state one capacity simulation run shares between its stages (./simulate.ts): the virtual clock and its event
 * heap, the seeded random numbers, the counters and peaks the result reports, and how a call ends. The stages act
 * on it: ./intake.ts (intake queue, start, Transcribe) and ./analysis.ts (analyze, reconcile).
 */
import type { Behaviour, DeployedSettings, Quotas } from "./model";
import { EventHeap, type Rng } from "./rng";

/**
 * Resources whose use the run measures: admitted requests (or busy slots) over what the quota allows, so the one
 * that binds is the one closest to its limit, not the one with the most throttles.
 */
export const RESOURCES = [
  "start concurrency",
  "Transcribe StartTranscriptionJob TPS",
  "Transcribe concurrent jobs",
  "Transcribe job queue",
  "Transcribe GetTranscriptionJob TPS",
  "Transcribe ListTranscriptionJobs TPS",
  "analyze concurrency",
  "Comprehend TPS",
  "Bedrock requests per minute",
  "Bedrock tokens per minute",
  "Bedrock tokens per day",
] as const;
export type Resource = (typeof RESOURCES)[number];

/**
 * Outcomes: `done` (COMPLETED with a summary), `noSummary` (COMPLETED without one, MODEL_UNAVAILABLE: analyze past
 * the model's retry window, or reconcile's give-up with the saved sentiment), `processingError` (reconcile's
 * give-up without sentiment; a later analyze success may still replace it), `dlq`, `lost`.
 */
export type CallState = "intake" | "transcribing" | "finished" | "analyzing" | "done" | "noSummary" | "processingError" | "dlq" | "lost";
export type Outcome = "done" | "noSummary" | "processingError" | "dlq" | "lost";
const FINAL: ReadonlySet<CallState> = new Set(["done", "noSummary", "dlq", "lost"]);
/** The call has a record that stays (a PROCESSING_ERROR may still be replaced by the job's own COMPLETED record). */
export const isFinal = (c: { readonly state: CallState }): boolean => FINAL.has(c.state);

export interface Call {
  readonly id: number;
  readonly uploadedAt: number;
  readonly length: number;
  state: CallState;
  receives: number;
  jobCompletedAt: number;
  /** reconcile's hand-outs of the job and the last one's time (its state.json). */
  handouts: number;
  lastHandoutAt: number;
  /** The job's claim (services/job-claim.ts): the delivery chain holding it, until when; the saved sentiment. */
  claimOwner: number;
  claimUntil: number;
  sentimentSaved: boolean;
}

export interface Message {
  readonly call: Call;
  readonly sentAt: number;
  visibleSince: number;
}

export interface StartInvocation {
  readonly batch: Message[];
  readonly receivedAt: number;
  readonly failed: Message[];
  index: number;
  attempt: number;
}

export interface AnalyzeInvocation {
  readonly call: Call;
  readonly steps: Array<"get" | "claim" | "detect" | "batch" | "bedrock" | "bedrockCut" | "bedrockRetry">;
  index: number;
  attempt: number;
  retry: number;
  /** The delivery (Lambda request id: kept by Lambda's own retries of the invocation). */
  readonly chain: number;
}

export type Ev =
  | { k: "upload"; call: Call }
  | { k: "enqueue"; call: Call }
  | { k: "visible"; msg: Message }
  | { k: "dispatch" }
  | { k: "record"; inv: StartInvocation }
  | { k: "jobDone"; call: Call }
  | { k: "event"; call: Call; retry: number; chain: number }
  | { k: "step"; inv: AnalyzeInvocation }
  | { k: "reconcile" }
  | { k: "sample"; which: "middle" | "end" };

export class RunState {
  /** The virtual clock, in seconds. */
  now = 0;
  readonly heap = new EventHeap<Ev>();
  /** Calls without an outcome yet (set once the uploads are known). */
  open = 0;
  completed = 0;
  noSummary = 0;
  processingErrors = 0;
  private chains = 0;
  inDlq = 0;
  lastResult = 0;
  readonly latencies: number[] = [];
  readonly lostReasons: Record<string, number> = {};
  readonly counts = {
    sqsRetries: 0,
    transcribeThrottled: 0,
    transcribeLimitExceeded: 0,
    comprehendThrottled: 0,
    bedrockThrottled: 0,
    analyzeAsyncRetries: 0,
    eventsLost: 0,
    reconciled: 0,
    duplicatesAbsorbed: 0,
    transcribeGetThrottled: 0,
    bedrockCutRetries: 0,
    reconcileRunsFailed: 0,
    listingsCut: 0,
    gaveUp: 0,
  };
  readonly peaks = { intakeQueue: 0, transcribeRunning: 0, transcribeQueued: 0, analyzeWaiting: 0 };
  /**
   * Quota-seconds used: each admitted request adds 1 / its rate; busy slots add their seconds / the limit (for
   * ListTranscriptionJobs: the most pages a run needed over those its listing budget allows).
   */
  readonly used = Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Record<Resource, number>;
  /** Jobs finished without a result, for reconcile; and every job's completion time, in order (its listing). */
  readonly finished: Call[] = [];
  readonly completions: number[] = [];
  /** Settled Bedrock tokens per simulated day, over the tokens-per-day quota. */
  readonly tokensByDay: number[] = [];

  constructor(
    readonly s: DeployedSettings,
    readonly q: Quotas,
    readonly b: Behaviour,
    readonly rng: Rng,
  ) {}

  /** A new delivery (request id). */
  chain(): number {
    return ++this.chains;
  }

  /** The call's outcome: the first one stays, except that the job's own COMPLETED record replaces a PROCESSING_ERROR. */
  finish(call: Call, state: Outcome, reason?: string): void {
    if (isFinal(call)) return;
    if (call.state === "processingError") {
      if (state !== "done" && state !== "noSummary") return;
      this.processingErrors--;
    } else this.open--;
    call.state = state;
    if (state === "done" || state === "noSummary") {
      if (state === "done") this.completed++;
      else this.noSummary++;
      this.latencies.push(this.now - call.uploadedAt);
      this.lastResult = Math.max(this.lastResult, this.now);
    } else if (state === "processingError") {
      this.processingErrors++;
      this.lastResult = Math.max(this.lastResult, this.now);
    } else if (state === "dlq") this.inDlq++;
    else this.lostReasons[reason ?? "unknown"] = (this.lostReasons[reason ?? "unknown"] ?? 0) + 1;
  }

  /** The SDK's delay before retry `attempt` of a throttled call (full jitter). */
  backoff(attempt: number): number {
    return this.rng.next() * Math.min(this.b.sdkMaxDelaySeconds, this.b.sdkThrottleBaseSeconds * 2 ** attempt);
  }
}
