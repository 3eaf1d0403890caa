/**
 * The state one capacity simulation run shares between its stages (./simulate.ts): the virtual clock and its event
 * heap, the seeded random numbers, the counters and peaks the result reports, and how a call ends. The stages act
 * on it: ./intake.ts (intake queue, start, Transcribe) and ./analysis.ts (analyze, reconcile).
 */
import type { Behaviour, DeployedSettings, Quotas } from "./model";
import { EventHeap, type Rng } from "./rng";

/** Resources whose saturation the run measures (seconds at the limit, or throttled requests). */
export const RESOURCES = [
  "start concurrency",
  "Transcribe StartTranscriptionJob TPS",
  "Transcribe concurrent jobs",
  "Transcribe job queue",
  "analyze concurrency",
  "Comprehend TPS",
  "Bedrock requests/tokens per minute",
] as const;
export type Resource = (typeof RESOURCES)[number];

export type CallState = "intake" | "transcribing" | "finished" | "analyzing" | "done" | "dlq" | "lost";

export interface Call {
  readonly id: number;
  readonly uploadedAt: number;
  readonly length: number;
  state: CallState;
  receives: number;
  jobCompletedAt: number;
  /** analyze has this job queued or running (reconcile does not hand it out twice). */
  inAnalyze: boolean;
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
  readonly steps: Array<"detect" | "batch" | "bedrock">;
  index: number;
  attempt: number;
  retry: number;
}

export type Ev =
  | { k: "upload"; call: Call }
  | { k: "enqueue"; call: Call }
  | { k: "visible"; msg: Message }
  | { k: "dispatch" }
  | { k: "record"; inv: StartInvocation }
  | { k: "jobDone"; call: Call }
  | { k: "event"; call: Call; retry: number }
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
  };
  readonly peaks = { intakeQueue: 0, transcribeRunning: 0, transcribeQueued: 0, analyzeWaiting: 0 };
  readonly saturation = Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Record<Resource, number>;
  /** Jobs finished without a result, for reconcile. */
  readonly finished: Call[] = [];

  constructor(
    readonly s: DeployedSettings,
    readonly q: Quotas,
    readonly b: Behaviour,
    readonly rng: Rng,
  ) {}

  /** The call's outcome (the first one counts). */
  finish(call: Call, state: "done" | "dlq" | "lost", reason?: string): void {
    if (call.state === "done" || call.state === "dlq" || call.state === "lost") return;
    call.state = state;
    this.open--;
    if (state === "done") {
      this.completed++;
      this.latencies.push(this.now - call.uploadedAt);
      this.lastResult = Math.max(this.lastResult, this.now);
    } else if (state === "dlq") this.inDlq++;
    else this.lostReasons[reason ?? "unknown"] = (this.lostReasons[reason ?? "unknown"] ?? 0) + 1;
  }

  /** The SDK's delay before retry `attempt` of a throttled call (full jitter). */
  backoff(attempt: number): number {
    return this.rng.next() * Math.min(this.b.sdkMaxDelaySeconds, this.b.sdkThrottleBaseSeconds * 2 ** attempt);
  }
}
