/**
 * Discrete-event simulation of the pipeline: S3 events -> intake queue (visibility timeout, maxReceiveCount, DLQ,
 * retention) -> start (batches, maximum concurrency, one record after the other) -> Transcribe (start TPS,
 * concurrent jobs, job queue, LimitExceededException) -> EventBridge (loss) -> analyze (concurrency, Comprehend and
 * Bedrock quotas, SDK retries, asynchronous retries) -> reconcile (period, grace, look-back).
 * Virtual clock in seconds, seeded random numbers, no timers: a run takes milliseconds to seconds. The stages:
 * ./intake.ts (queue, start, Transcribe) and ./analysis.ts (analyze, reconcile), on the shared ./run-state.ts.
 */
import { Analysis } from "./analysis";
import { Reconcile } from "./reconcile";
import { Intake } from "./intake";
import { type Behaviour, type CallLengths, type DeployedSettings, MAX_CALL_SECONDS, type Quotas, type Workload } from "./model";
import { Rng } from "./rng";
import { type Call, isFinal, RESOURCES, type Resource, RunState } from "./run-state";

export { RESOURCES, type Resource } from "./run-state";

export interface SimulationInput {
  readonly settings: DeployedSettings;
  readonly quotas: Quotas;
  readonly behaviour: Behaviour;
  readonly calls: CallLengths;
  readonly workload: Workload;
  readonly seed?: number;
  /** Stop this long after the last upload (calls still open then are lost: "still waiting"). @default 16 days */
  readonly horizonSeconds?: number;
}

/** The setting or quota that relieves each resource. */
export const RAISE: Record<Resource, string> = {
  "start concurrency": "processing.intakeMaxConcurrency (and processing.reservedConcurrency.start)",
  "Transcribe StartTranscriptionJob TPS": "Transcribe quota 'StartTranscriptionJob TPS' (Service Quotas)",
  "Transcribe concurrent jobs": "Transcribe quota 'Concurrent batch transcription jobs' (Service Quotas)",
  "Transcribe job queue": "Transcribe quota 'Concurrent batch transcription jobs'; meanwhile processing.maxReceiveCount (retries before the DLQ)",
  "analyze concurrency": "processing.reservedConcurrency.analyze / the account's Lambda concurrency",
  "Transcribe GetTranscriptionJob TPS": "Transcribe quota 'GetTranscriptionJob' transactions per second",
  "Transcribe ListTranscriptionJobs TPS": "Transcribe quota 'ListTranscriptionJobs' transactions per second (or a shorter reconcile window)",
  "Comprehend TPS": "Comprehend quotas 'DetectSentiment' / 'BatchDetectSentiment' requests per second",
  "Bedrock requests per minute": "Bedrock quota 'Cross-Region InvokeModel requests per minute' for the model (and processing.quotas.modelRequestsPerMinute)",
  "Bedrock tokens per minute":
    "Bedrock quota 'Cross-Region InvokeModel tokens per minute' for the model (output tokens count 5x); or a smaller bedrock.maxTokens",
  "Bedrock tokens per day": "Bedrock quota 'Model invocation max tokens per day' for the model",
};

export interface SimulationResult {
  readonly uploads: number;
  /** COMPLETED with a summary. */
  readonly completed: number;
  /** COMPLETED without a summary (MODEL_UNAVAILABLE): analyze past the model's retry window, or reconcile's give-up with the saved sentiment. */
  readonly completedWithoutSummary: number;
  /** FAILED PROCESSING_ERROR: reconcile's give-up with no sentiment saved. */
  readonly processingErrors: number;
  readonly inDlq: number;
  readonly lost: number;
  readonly lostReasons: Record<string, number>;
  readonly latencySeconds: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly peaks: {
    readonly intakeQueue: number;
    readonly transcribeRunning: number;
    readonly transcribeQueued: number;
    readonly analyzeWaiting: number;
  };
  readonly counts: {
    readonly sqsRetries: number;
    readonly transcribeThrottled: number;
    readonly transcribeLimitExceeded: number;
    readonly comprehendThrottled: number;
    readonly bedrockThrottled: number;
    readonly analyzeAsyncRetries: number;
    readonly eventsLost: number;
    readonly reconciled: number;
    readonly duplicatesAbsorbed: number;
    readonly transcribeGetThrottled: number;
    readonly bedrockCutRetries: number;
    readonly reconcileRunsFailed: number;
    readonly listingsCut: number;
    readonly gaveUp: number;
  };
  /**
   * Each resource's admitted use over what its quota allows in the simulated time (busy slots over the limit for
   * concurrency; for ListTranscriptionJobs the most pages one run needed over those its time budget allows).
   */
  readonly utilisation: Record<Resource, number>;
  readonly bottleneck: Resource | null;
  /** Last result minus first upload. */
  readonly drainSeconds: number;
  /** Calls uploaded but without an outcome, sampled at the middle and the end of the upload window (rate runs). */
  readonly openAtMiddle: number;
  readonly openAtEnd: number;
}

/** The window over which each resource's use is measured (its busiest one counts). */
export const USE_WINDOW_SECONDS = 900;

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export function simulate(input: SimulationInput): SimulationResult {
  const { settings: s, quotas: q, behaviour: b, workload } = input;
  const rng = new Rng(input.seed ?? 1);
  const r = new RunState(s, q, b, rng);
  const heap = r.heap;
  const calls: Call[] = [];

  const callLength = (): number => {
    if (input.calls.fixedSeconds !== undefined) return input.calls.fixedSeconds;
    const v = input.calls.medianSeconds * Math.exp(input.calls.sigma * rng.normal());
    return Math.min(MAX_CALL_SECONDS, Math.max(5, v));
  };

  // Uploads.
  let lastUpload = 0;
  if (workload.kind === "burst") {
    for (let i = 0; i < workload.count; i++) calls.push(newCall(i, 0));
  } else {
    const n = Math.round(workload.perHour * workload.hours);
    const gap = 3600 / workload.perHour;
    let t = 0;
    for (let i = 0; i < n; i++) {
      t = workload.poisson ? t + rng.exponential(gap) : i * gap;
      calls.push(newCall(i, t));
    }
    heap.push((workload.hours * 3600) / 2, { k: "sample", which: "middle" });
    heap.push(workload.hours * 3600, { k: "sample", which: "end" });
  }
  function newCall(id: number, t: number): Call {
    lastUpload = Math.max(lastUpload, t);
    const call: Call = {
      id,
      uploadedAt: t,
      length: callLength(),
      state: "intake",
      receives: 0,
      jobCompletedAt: -1,
      handouts: 0,
      lastHandoutAt: 0,
      claimOwner: 0,
      claimUntil: 0,
      sentimentSaved: false,
    };
    heap.push(t, { k: "upload", call });
    return call;
  }
  const horizon = lastUpload + (input.horizonSeconds ?? 16 * 86_400);
  r.open = calls.length;
  const intake = new Intake(r);
  const analysis = new Analysis(r);
  const reconcile = new Reconcile(r, analysis, () => intake.jobsRunning() + intake.jobQueued());
  let openAtMiddle = 0;
  let openAtEnd = 0;
  let reconcileScheduled = false;

  // Busy slots (and queued jobs) over the limit, between events.
  let lastT = 0;
  const accrue = (t: number) => {
    const dt = t - lastT;
    if (dt <= 0) return;
    r.used["start concurrency"] += (dt * intake.startRunning()) / s.startMaxConcurrency;
    r.used["Transcribe concurrent jobs"] += (dt * intake.jobsRunning()) / q.transcribeConcurrentJobs;
    r.used["Transcribe job queue"] += (dt * intake.jobQueued()) / q.transcribeQueuedJobs;
    r.used["analyze concurrency"] += (dt * analysis.running()) / s.analyzeConcurrency;
    lastT = t;
  };
  // Use per window of USE_WINDOW_SECONDS; each resource's busiest window is its utilisation.
  const peak = Object.fromEntries(RESOURCES.map((res) => [res, 0])) as Record<Resource, number>;
  let windowStart = 0;
  let before = { ...r.used };
  const closeWindow = (t: number, force = false) => {
    if (!force && t < windowStart + USE_WINDOW_SECONDS) return;
    for (const res of RESOURCES) peak[res] = Math.max(peak[res], (r.used[res] - before[res]) / USE_WINDOW_SECONDS);
    before = { ...r.used };
    windowStart = Math.floor(t / USE_WINDOW_SECONDS) * USE_WINDOW_SECONDS;
  };

  for (let e = heap.pop(); e && e.t <= horizon && r.open > 0; e = heap.pop()) {
    accrue(e.t);
    closeWindow(e.t);
    r.now = e.t;
    const now = r.now;
    const ev = e.v;
    switch (ev.k) {
      case "upload":
        heap.push(now + b.s3EventDelaySeconds, { k: "enqueue", call: ev.call });
        if (!reconcileScheduled) {
          reconcileScheduled = true;
          heap.push(now + s.reconcilePeriodSeconds, { k: "reconcile" });
        }
        break;
      case "enqueue":
        intake.enqueue(ev.call);
        break;
      case "visible":
        intake.visibleAgain(ev.msg);
        break;
      case "dispatch":
        intake.wake();
        break;
      case "record":
        intake.onRecord(ev.inv);
        break;
      case "jobDone":
        intake.onJobDone(ev.call);
        break;
      case "event":
        analysis.invoke(ev.call, ev.retry, ev.chain);
        break;
      case "step":
        analysis.onStep(ev.inv);
        break;
      case "reconcile":
        reconcile.run();
        break;
      case "sample":
        // Uploaded so far minus those with an outcome (every call with an outcome was uploaded).
        if (ev.which === "middle") openAtMiddle = calls.filter((c) => c.uploadedAt <= now).length - (calls.length - r.open);
        else openAtEnd = calls.filter((c) => c.uploadedAt <= now).length - (calls.length - r.open);
        break;
    }
  }
  for (const c of calls) if (!isFinal(c) && c.state !== "processingError") r.finish(c, "lost", "still waiting at the end of the simulated time");

  const { latencies, lostReasons } = r;
  latencies.sort((x, y) => x - y);
  // The quota that binds: the highest admitted use over capacity in its busiest window (reported from half of it).
  closeWindow(lastT, true);
  const special: Partial<Record<Resource, number>> = {
    "Transcribe ListTranscriptionJobs TPS": r.used["Transcribe ListTranscriptionJobs TPS"],
    "Bedrock tokens per day": r.tokensByDay.reduce((m, v) => Math.max(m, v), 0),
  };
  const utilisation = Object.fromEntries(RESOURCES.map((res) => [res, special[res] ?? peak[res]])) as Record<Resource, number>;
  let bottleneck: Resource | null = null;
  // Near a tie (2 points) the later resource wins: an upstream stage waiting on a downstream one (start retrying
  // LimitExceededException) is busy because of it.
  for (const res of RESOURCES) if (utilisation[res] >= 0.5 && (bottleneck === null || utilisation[res] >= utilisation[bottleneck] - 0.02)) bottleneck = res;
  return {
    uploads: calls.length,
    completed: r.completed,
    completedWithoutSummary: r.noSummary,
    processingErrors: r.processingErrors,
    inDlq: r.inDlq,
    lost: Object.values(lostReasons).reduce((a, n) => a + n, 0),
    lostReasons,
    latencySeconds: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies.at(-1) ?? 0 },
    peaks: r.peaks,
    counts: r.counts,
    utilisation,
    bottleneck,
    drainSeconds: r.lastResult,
    openAtMiddle,
    openAtEnd,
  };
}
