/**
 * Discrete-event simulation of the pipeline: S3 events -> intake queue (visibility timeout, maxReceiveCount, DLQ,
 * retention) -> start (batches, maximum concurrency, one record after the other) -> Transcribe (start TPS,
 * concurrent jobs, job queue, LimitExceededException) -> EventBridge (loss) -> analyze (concurrency, Comprehend and
 * Bedrock quotas, SDK retries, asynchronous retries) -> reconcile (period, grace, look-back).
 * Virtual clock in seconds, seeded random numbers, no timers: a run takes milliseconds to seconds.
 */
import { type Behaviour, type CallLengths, callDemand, type DeployedSettings, MAX_CALL_SECONDS, type Quotas, type Workload } from "./model";
import { EventHeap, Rng, TokenBucket } from "./rng";

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

/** The setting or quota that relieves each resource. */
export const RAISE: Record<Resource, string> = {
  "start concurrency": "processing.intakeMaxConcurrency (and processing.reservedConcurrency.start)",
  "Transcribe StartTranscriptionJob TPS": "Transcribe quota 'StartTranscriptionJob TPS' (Service Quotas)",
  "Transcribe concurrent jobs": "Transcribe quota 'Concurrent batch transcription jobs' (Service Quotas)",
  "Transcribe job queue": "Transcribe quota 'Concurrent batch transcription jobs'; meanwhile processing.maxReceiveCount (retries before the DLQ)",
  "analyze concurrency": "processing.reservedConcurrency.analyze / the account's Lambda concurrency",
  "Comprehend TPS": "Comprehend quotas 'DetectSentiment' / 'BatchDetectSentiment' requests per second",
  "Bedrock requests/tokens per minute": "Bedrock quotas 'Cross-Region InvokeModel tokens/requests per minute' for the model",
};

export interface SimulationResult {
  readonly uploads: number;
  readonly completed: number;
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
  };
  /** Seconds each resource spent at its limit, plus one second per throttled request. */
  readonly saturation: Record<Resource, number>;
  readonly bottleneck: Resource | null;
  /** Last result minus first upload. */
  readonly drainSeconds: number;
  /** Calls uploaded but without an outcome, sampled at the middle and the end of the upload window (rate runs). */
  readonly openAtMiddle: number;
  readonly openAtEnd: number;
}

type CallState = "intake" | "transcribing" | "finished" | "analyzing" | "done" | "dlq" | "lost";

interface Call {
  readonly id: number;
  readonly uploadedAt: number;
  readonly length: number;
  state: CallState;
  receives: number;
  jobCompletedAt: number;
  /** analyze has this job queued or running (reconcile does not hand it out twice). */
  inAnalyze: boolean;
}

interface Message {
  readonly call: Call;
  readonly sentAt: number;
  visibleSince: number;
}

interface StartInvocation {
  readonly batch: Message[];
  readonly receivedAt: number;
  readonly failed: Message[];
  index: number;
  attempt: number;
}

interface AnalyzeInvocation {
  readonly call: Call;
  readonly steps: Array<"detect" | "batch" | "bedrock">;
  index: number;
  attempt: number;
  retry: number;
}

type Ev =
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

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export function simulate(input: SimulationInput): SimulationResult {
  const { settings: s, quotas: q, behaviour: b, workload } = input;
  const rng = new Rng(input.seed ?? 1);
  const heap = new EventHeap<Ev>();
  const calls: Call[] = [];
  let now = 0;

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
    const call: Call = { id, uploadedAt: t, length: callLength(), state: "intake", receives: 0, jobCompletedAt: -1, inAnalyze: false };
    heap.push(t, { k: "upload", call });
    return call;
  }
  const horizon = lastUpload + (input.horizonSeconds ?? 16 * 86_400);

  // State.
  const visible: Message[] = []; // FIFO by visibleSince
  let visibleHead = 0;
  let inFlight = 0;
  let startBusy = 0;
  let dispatchAt = Number.POSITIVE_INFINITY;
  const startTps = new TokenBucket(q.transcribeStartTps, q.transcribeStartTps);
  let running = 0;
  const jobQueue: Call[] = [];
  let jobQueueHead = 0;
  const queuedSlots = Math.floor(q.transcribeConcurrentJobs * q.transcribeQueueSlotShare);
  const analyzeWaiting: AnalyzeInvocation[] = [];
  let analyzeHead = 0;
  let analyzeBusy = 0;
  const detectTps = new TokenBucket(q.comprehendDetectTps, q.comprehendDetectTps);
  const batchTps = new TokenBucket(q.comprehendBatchTps, q.comprehendBatchTps);
  const bedrockRpm = new TokenBucket(q.bedrockRequestsPerMinute / 60, q.bedrockRequestsPerMinute);
  const bedrockTpm = new TokenBucket(q.bedrockTokensPerMinute / 60, q.bedrockTokensPerMinute);
  const latencies: number[] = [];
  const lostReasons: Record<string, number> = {};
  let open = calls.length;
  let lastResult = 0;
  const counts = {
    sqsRetries: 0,
    transcribeThrottled: 0,
    transcribeLimitExceeded: 0,
    comprehendThrottled: 0,
    bedrockThrottled: 0,
    analyzeAsyncRetries: 0,
    eventsLost: 0,
    reconciled: 0,
  };
  const peaks = { intakeQueue: 0, transcribeRunning: 0, transcribeQueued: 0, analyzeWaiting: 0 };
  const saturation = Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Record<Resource, number>;
  let openAtMiddle = 0;
  let openAtEnd = 0;
  let inDlq = 0;
  let completed = 0;
  const finished: Call[] = []; // jobs finished without a result, for reconcile
  let reconcileScheduled = false;

  const finish = (call: Call, state: "done" | "dlq" | "lost", reason?: string) => {
    if (call.state === "done" || call.state === "dlq" || call.state === "lost") return;
    call.state = state;
    open--;
    if (state === "done") {
      completed++;
      latencies.push(now - call.uploadedAt);
      lastResult = Math.max(lastResult, now);
    } else if (state === "dlq") inDlq++;
    else lostReasons[reason ?? "unknown"] = (lostReasons[reason ?? "unknown"] ?? 0) + 1;
  };
  const backoff = (attempt: number) => rng.next() * Math.min(b.sdkMaxDelaySeconds, b.sdkThrottleBaseSeconds * 2 ** attempt);
  const jobQueued = () => jobQueue.length - jobQueueHead;
  const visibleCount = () => visible.length - visibleHead;

  // Event source mapping: batches of up to batchSize, waiting at most the batching window for a full batch.
  const dispatch = () => {
    while (startBusy < s.startMaxConcurrency && visibleCount() > 0) {
      const oldest = visible[visibleHead];
      const due = oldest.visibleSince + s.batchingWindowSeconds;
      if (visibleCount() < s.batchSize && now < due) {
        // One pending wake-up at a time (the earliest one needed).
        if (!(dispatchAt > now && dispatchAt <= due)) {
          dispatchAt = due;
          heap.push(due, { k: "dispatch" });
        }
        return;
      }
      const batch: Message[] = [];
      while (batch.length < s.batchSize && visibleCount() > 0) {
        const msg = visible[visibleHead++];
        if (now > msg.sentAt + s.intakeRetentionSeconds) {
          finish(msg.call, "lost", "expired in the intake queue (retention)");
          continue;
        }
        // SQS moves a message to the DLQ on the receive after maxReceiveCount receives.
        if (msg.call.receives >= s.maxReceiveCount) {
          finish(msg.call, "dlq");
          continue;
        }
        msg.call.receives++;
        if (msg.call.receives > 1) counts.sqsRetries++;
        batch.push(msg);
      }
      if (visibleHead > 4096 && visibleHead * 2 > visible.length) {
        visible.splice(0, visibleHead);
        visibleHead = 0;
      }
      if (batch.length === 0) continue;
      inFlight += batch.length;
      startBusy++;
      heap.push(now + b.startRecordSeconds, { k: "record", inv: { batch, receivedAt: now, failed: [], index: 0, attempt: 0 } });
    }
  };

  const startJob = (call: Call) => {
    running++;
    peaks.transcribeRunning = Math.max(peaks.transcribeRunning, running);
    const audioExpires = call.uploadedAt + s.inputDays * 86_400;
    if (now > audioExpires) {
      // The job reads the audio when it starts: gone -> FAILED job, a FAILED record, the call is lost.
      heap.push(now + 1, { k: "jobDone", call: Object.assign(call, { jobCompletedAt: -2 }) });
      return;
    }
    heap.push(now + callDemand(call.length, b, s.bedrockMaxTokens).jobSeconds, { k: "jobDone", call });
  };

  const endStartInvocation = (inv: StartInvocation) => {
    startBusy--;
    inFlight -= inv.batch.length;
    for (const msg of inv.failed) {
      inFlight++;
      heap.push(inv.receivedAt + s.visibilityTimeoutSeconds, { k: "visible", msg });
    }
    dispatch();
  };

  // One S3 record in start: StartTranscriptionJob with the SDK's retries.
  const onRecord = (inv: StartInvocation) => {
    const msg = inv.batch[inv.index];
    const call = msg.call;
    let accepted = false;
    let retryable = false;
    if (call.state !== "intake")
      accepted = true; // duplicate delivery: ConflictException = success
    else if (!startTps.take(now)) {
      counts.transcribeThrottled++;
      saturation["Transcribe StartTranscriptionJob TPS"] += 1;
      retryable = true;
    } else if (running < q.transcribeConcurrentJobs && jobQueued() === 0) {
      call.state = "transcribing";
      startJob(call);
      accepted = true;
    } else if (jobQueued() < q.transcribeQueuedJobs) {
      call.state = "transcribing";
      jobQueue.push(call);
      peaks.transcribeQueued = Math.max(peaks.transcribeQueued, jobQueued());
      accepted = true;
    } else {
      counts.transcribeLimitExceeded++;
      saturation["Transcribe job queue"] += 1;
      retryable = true;
    }
    if (retryable && inv.attempt + 1 < b.sdkMaxAttempts && now - inv.receivedAt < s.startTimeoutSeconds) {
      inv.attempt++;
      heap.push(now + backoff(inv.attempt), { k: "record", inv });
      return;
    }
    if (!accepted) inv.failed.push(msg); // reported in batchItemFailures: visible again after the visibility timeout
    inv.index++;
    inv.attempt = 0;
    if (inv.index < inv.batch.length && now - inv.receivedAt < s.startTimeoutSeconds) {
      heap.push(now + b.startRecordSeconds, { k: "record", inv });
      return;
    }
    // Timed out with records left: those return too.
    for (let i = inv.index; i < inv.batch.length; i++) inv.failed.push(inv.batch[i]);
    endStartInvocation(inv);
  };

  const onJobDone = (call: Call) => {
    running--;
    while (jobQueued() > 0 && running < queuedSlots) startJob(jobQueue[jobQueueHead++]);
    if (jobQueueHead > 4096 && jobQueueHead * 2 > jobQueue.length) {
      jobQueue.splice(0, jobQueueHead);
      jobQueueHead = 0;
    }
    if (call.jobCompletedAt === -2) {
      finish(call, "lost", `audio expired before its job ran (retention.inputDays ${s.inputDays})`);
      return;
    }
    call.state = "finished";
    call.jobCompletedAt = now;
    finished.push(call);
    if (rng.next() < b.eventLossRate) {
      counts.eventsLost++;
      return;
    }
    heap.push(now + b.eventDelaySeconds, { k: "event", call, retry: 0 });
  };

  // analyze: asynchronous invocations wait for a free concurrency slot (Lambda's internal queue).
  const invokeAnalyze = (call: Call, retry: number) => {
    if (call.state !== "finished") return;
    call.inAnalyze = true;
    const d = callDemand(call.length, b, s.bedrockMaxTokens);
    const steps: AnalyzeInvocation["steps"] = [...Array<"detect">(d.detect).fill("detect"), ...Array<"batch">(d.batch).fill("batch"), "bedrock"];
    analyzeWaiting.push({ call, steps, index: -1, attempt: 0, retry });
    peaks.analyzeWaiting = Math.max(peaks.analyzeWaiting, analyzeWaiting.length - analyzeHead);
    runAnalyze();
  };
  const runAnalyze = () => {
    while (analyzeBusy < s.analyzeConcurrency && analyzeHead < analyzeWaiting.length) {
      const inv = analyzeWaiting[analyzeHead++];
      analyzeBusy++;
      heap.push(now + b.analyzeBaseSeconds, { k: "step", inv });
    }
    if (analyzeHead > 4096 && analyzeHead * 2 > analyzeWaiting.length) {
      analyzeWaiting.splice(0, analyzeHead);
      analyzeHead = 0;
    }
  };
  const endAnalyze = (inv: AnalyzeInvocation, ok: boolean) => {
    analyzeBusy--;
    if (ok) {
      inv.call.inAnalyze = false;
      finish(inv.call, "done");
    } else if (inv.retry < b.asyncRetryDelaysSeconds.length) {
      counts.analyzeAsyncRetries++;
      heap.push(now + b.asyncRetryDelaysSeconds[inv.retry], { k: "event", call: inv.call, retry: inv.retry + 1 });
    } else {
      inv.call.inAnalyze = false; // async retries exhausted (event to the events DLQ): reconcile's turn
    }
    runAnalyze();
  };
  const onStep = (inv: AnalyzeInvocation) => {
    if (inv.index < 0) inv.index = 0;
    if (inv.index >= inv.steps.length) {
      endAnalyze(inv, true);
      return;
    }
    const step = inv.steps[inv.index];
    let ok: boolean;
    let seconds = b.comprehendCallSeconds;
    if (step === "bedrock") {
      const d = callDemand(inv.call.length, b, s.bedrockMaxTokens);
      ok = bedrockRpm.take(now) && bedrockTpm.take(now, d.tokens);
      seconds = b.bedrockBaseSeconds + b.bedrockSecondsPerOutputToken * b.outputTokens;
      if (!ok) counts.bedrockThrottled++;
      if (!ok) saturation["Bedrock requests/tokens per minute"] += 1;
    } else {
      ok = (step === "detect" ? detectTps : batchTps).take(now);
      if (!ok) counts.comprehendThrottled++;
      if (!ok) saturation["Comprehend TPS"] += 1;
    }
    if (ok) {
      inv.index++;
      inv.attempt = 0;
      heap.push(now + seconds, { k: "step", inv });
    } else if (inv.attempt + 1 < b.sdkMaxAttempts) {
      inv.attempt++;
      heap.push(now + backoff(inv.attempt), { k: "step", inv });
    } else {
      endAnalyze(inv, false); // throttling left after the SDK's retries: the invocation fails
    }
  };

  const onReconcile = () => {
    let handed = 0;
    let keep = 0;
    for (let i = 0; i < finished.length; i++) {
      const c = finished[i];
      if (c.state !== "finished") continue;
      if (now - c.jobCompletedAt > b.reconcileLookbackSeconds) {
        finish(c, "lost", "job outside reconcile's look-back without a result");
        continue;
      }
      finished[keep++] = c;
      if (!c.inAnalyze && now - c.jobCompletedAt >= b.reconcileGraceSeconds && handed < b.reconcileMaxPerRun) {
        handed++;
        counts.reconciled++;
        invokeAnalyze(c, 0);
      }
    }
    finished.length = keep;
    if (open > 0) heap.push(now + s.reconcilePeriodSeconds, { k: "reconcile" });
  };

  // Time at the limit, between events.
  let lastT = 0;
  const accrue = (t: number) => {
    const dt = t - lastT;
    if (dt <= 0) return;
    if (startBusy >= s.startMaxConcurrency && visibleCount() > 0) saturation["start concurrency"] += dt;
    if (jobQueued() > 0) saturation["Transcribe concurrent jobs"] += dt;
    if (analyzeWaiting.length - analyzeHead > 0) saturation["analyze concurrency"] += dt;
    lastT = t;
  };

  for (let e = heap.pop(); e && e.t <= horizon && open > 0; e = heap.pop()) {
    accrue(e.t);
    now = e.t;
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
        visible.push({ call: ev.call, sentAt: now, visibleSince: now });
        peaks.intakeQueue = Math.max(peaks.intakeQueue, visibleCount() + inFlight);
        dispatch();
        break;
      case "visible":
        inFlight--;
        if (ev.msg.call.state !== "intake") break; // deleted meanwhile
        ev.msg.visibleSince = now;
        visible.push(ev.msg);
        dispatch();
        break;
      case "dispatch":
        if (now >= dispatchAt) dispatchAt = Number.POSITIVE_INFINITY;
        dispatch();
        break;
      case "record":
        onRecord(ev.inv);
        break;
      case "jobDone":
        onJobDone(ev.call);
        break;
      case "event":
        invokeAnalyze(ev.call, ev.retry);
        break;
      case "step":
        onStep(ev.inv);
        break;
      case "reconcile":
        onReconcile();
        break;
      case "sample":
        // Uploaded so far minus those with an outcome (every call with an outcome was uploaded).
        if (ev.which === "middle") openAtMiddle = calls.filter((c) => c.uploadedAt <= now).length - (calls.length - open);
        else openAtEnd = calls.filter((c) => c.uploadedAt <= now).length - (calls.length - open);
        break;
    }
  }
  for (const c of calls) if (c.state !== "done" && c.state !== "dlq" && c.state !== "lost") finish(c, "lost", "still waiting at the end of the simulated time");

  latencies.sort((x, y) => x - y);
  let bottleneck: Resource | null = null;
  for (const r of RESOURCES) if (saturation[r] > 0 && (bottleneck === null || saturation[r] > saturation[bottleneck])) bottleneck = r;
  return {
    uploads: calls.length,
    completed,
    inDlq,
    lost: Object.values(lostReasons).reduce((a, n) => a + n, 0),
    lostReasons,
    latencySeconds: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies.at(-1) ?? 0 },
    peaks,
    counts,
    saturation,
    bottleneck,
    drainSeconds: lastResult,
    openAtMiddle,
    openAtEnd,
  };
}
