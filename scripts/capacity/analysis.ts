/**
 * The analysis stages of the capacity simulation (./simulate.ts): analyze (concurrency, Comprehend and Bedrock
 * quotas, SDK retries, asynchronous retries) and reconcile (period, grace, look-back, at most so many per run).
 */
import { callDemand } from "./model";
import { TokenBucket } from "./rng";
import type { AnalyzeInvocation, Call, RunState } from "./run-state";

export class Analysis {
  private readonly waiting: AnalyzeInvocation[] = [];
  private head = 0;
  private busy = 0;
  private readonly detectTps: TokenBucket;
  private readonly batchTps: TokenBucket;
  private readonly bedrockRpm: TokenBucket;
  private readonly bedrockTpm: TokenBucket;

  constructor(private readonly r: RunState) {
    const q = r.q;
    this.detectTps = new TokenBucket(q.comprehendDetectTps, q.comprehendDetectTps);
    this.batchTps = new TokenBucket(q.comprehendBatchTps, q.comprehendBatchTps);
    this.bedrockRpm = new TokenBucket(q.bedrockRequestsPerMinute / 60, q.bedrockRequestsPerMinute);
    this.bedrockTpm = new TokenBucket(q.bedrockTokensPerMinute / 60, q.bedrockTokensPerMinute);
  }

  /** Invocations waiting for a free concurrency slot. */
  waitingCount(): number {
    return this.waiting.length - this.head;
  }

  // analyze: asynchronous invocations wait for a free concurrency slot (Lambda's internal queue).
  invoke(call: Call, retry: number): void {
    const r = this.r;
    if (call.state !== "finished") return;
    call.inAnalyze = true;
    const d = callDemand(call.length, r.b, r.s.bedrockMaxTokens);
    const steps: AnalyzeInvocation["steps"] = [...Array<"detect">(d.detect).fill("detect"), ...Array<"batch">(d.batch).fill("batch"), "bedrock"];
    this.waiting.push({ call, steps, index: -1, attempt: 0, retry });
    r.peaks.analyzeWaiting = Math.max(r.peaks.analyzeWaiting, this.waiting.length - this.head);
    this.run();
  }

  private run(): void {
    const r = this.r;
    while (this.busy < r.s.analyzeConcurrency && this.head < this.waiting.length) {
      const inv = this.waiting[this.head++];
      this.busy++;
      r.heap.push(r.now + r.b.analyzeBaseSeconds, { k: "step", inv });
    }
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  private end(inv: AnalyzeInvocation, ok: boolean): void {
    const r = this.r;
    const b = r.b;
    this.busy--;
    if (ok) {
      inv.call.inAnalyze = false;
      r.finish(inv.call, "done");
    } else if (inv.retry < b.asyncRetryDelaysSeconds.length) {
      r.counts.analyzeAsyncRetries++;
      r.heap.push(r.now + b.asyncRetryDelaysSeconds[inv.retry], { k: "event", call: inv.call, retry: inv.retry + 1 });
    } else {
      inv.call.inAnalyze = false; // async retries exhausted (event to the events DLQ): reconcile's turn
    }
    this.run();
  }

  /** One Comprehend or Bedrock call of an invocation, with the SDK's retries. */
  onStep(inv: AnalyzeInvocation): void {
    const r = this.r;
    const { s, b } = r;
    if (inv.index < 0) inv.index = 0;
    if (inv.index >= inv.steps.length) {
      this.end(inv, true);
      return;
    }
    const step = inv.steps[inv.index];
    let ok: boolean;
    let seconds = b.comprehendCallSeconds;
    if (step === "bedrock") {
      const d = callDemand(inv.call.length, b, s.bedrockMaxTokens);
      ok = this.bedrockRpm.take(r.now) && this.bedrockTpm.take(r.now, d.tokens);
      seconds = b.bedrockBaseSeconds + b.bedrockSecondsPerOutputToken * b.outputTokens;
      if (!ok) r.counts.bedrockThrottled++;
      if (!ok) r.saturation["Bedrock requests/tokens per minute"] += 1;
    } else {
      ok = (step === "detect" ? this.detectTps : this.batchTps).take(r.now);
      if (!ok) r.counts.comprehendThrottled++;
      if (!ok) r.saturation["Comprehend TPS"] += 1;
    }
    if (ok) {
      inv.index++;
      inv.attempt = 0;
      r.heap.push(r.now + seconds, { k: "step", inv });
    } else if (inv.attempt + 1 < b.sdkMaxAttempts) {
      inv.attempt++;
      r.heap.push(r.now + r.backoff(inv.attempt), { k: "step", inv });
    } else {
      this.end(inv, false); // throttling left after the SDK's retries: the invocation fails
    }
  }

  /** One reconcile run: hands finished jobs without a result to analyze; a job past the look-back is lost. */
  reconcile(): void {
    const r = this.r;
    const b = r.b;
    const finished = r.finished;
    let handed = 0;
    let keep = 0;
    for (let i = 0; i < finished.length; i++) {
      const c = finished[i];
      if (c.state !== "finished") continue;
      if (r.now - c.jobCompletedAt > b.reconcileLookbackSeconds) {
        r.finish(c, "lost", "job outside reconcile's look-back without a result");
        continue;
      }
      finished[keep++] = c;
      if (!c.inAnalyze && r.now - c.jobCompletedAt >= b.reconcileGraceSeconds && handed < b.reconcileMaxPerRun) {
        handed++;
        r.counts.reconciled++;
        this.invoke(c, 0);
      }
    }
    finished.length = keep;
    if (r.open > 0) r.heap.push(r.now + r.s.reconcilePeriodSeconds, { k: "reconcile" });
  }
}
