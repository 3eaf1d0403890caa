/**
 * analyze in the capacity simulation (./simulate.ts): concurrency, GetTranscriptionJob, the job's claim
 * (lambda-src/services/job-claim.ts: a second live delivery is absorbed; Comprehend paid once, its sentiment
 * saved), Comprehend and Bedrock quotas (requests, tokens per minute with the output burndown, tokens per day, the
 * doubled max_tokens retry of a cut answer), SDK retries, Lambda's asynchronous retries, and the model's retry
 * window (past it a throttled model gives COMPLETED without a summary). reconcile: ./reconcile.ts.
 */
import { CLAIM_MS } from "../../lambda-src/services/job-claim";
import { modelRetryDeadline } from "../../lambda-src/core/summary";
import { callDemand } from "./model";
import { TokenBucket } from "./rng";
import { type AnalyzeInvocation, type Call, isFinal, type RunState } from "./run-state";

/** The model's retry window of a job finished at `t` (virtual seconds), from lambda-src's own rule. */
export const modelDeadline = (t: number): number => (modelRetryDeadline(new Date(t * 1000))?.getTime() ?? Number.POSITIVE_INFINITY) / 1000;

export class Analysis {
  private readonly waiting: AnalyzeInvocation[] = [];
  private head = 0;
  private busy = 0;
  private readonly getTps: TokenBucket;
  private readonly detectTps: TokenBucket;
  private readonly batchTps: TokenBucket;
  private readonly bedrockRpm: TokenBucket;
  private readonly bedrockTpm: TokenBucket;
  private readonly bedrockTpd: TokenBucket;
  private readonly tpd: number;

  constructor(private readonly r: RunState) {
    const q = r.q;
    this.getTps = new TokenBucket(q.transcribeGetTps, Math.max(1, q.transcribeGetTps));
    this.detectTps = new TokenBucket(q.comprehendDetectTps, Math.max(1, q.comprehendDetectTps));
    this.batchTps = new TokenBucket(q.comprehendBatchTps, Math.max(1, q.comprehendBatchTps));
    this.bedrockRpm = new TokenBucket(q.bedrockRequestsPerMinute / 60, q.bedrockRequestsPerMinute);
    this.bedrockTpm = new TokenBucket(q.bedrockTokensPerMinute / 60, q.bedrockTokensPerMinute);
    this.tpd = q.bedrockTokensPerDay > 0 ? q.bedrockTokensPerDay : q.bedrockTokensPerMinute * 24 * 60;
    this.bedrockTpd = new TokenBucket(this.tpd / 86_400, this.tpd);
  }

  /** Invocations waiting for a free concurrency slot, and running. */
  waitingCount(): number {
    return this.waiting.length - this.head;
  }
  running(): number {
    return this.busy;
  }

  /** An asynchronous invocation (completion event, Lambda retry or hand-out) waits for a free concurrency slot. */
  invoke(call: Call, retry: number, chain: number): void {
    const r = this.r;
    if (isFinal(call)) return; // the settled record: analyze ends at once
    this.waiting.push({ call, steps: ["get", "claim"], index: -1, attempt: 0, retry, chain });
    r.peaks.analyzeWaiting = Math.max(r.peaks.analyzeWaiting, this.waiting.length - this.head);
    this.run();
  }

  private run(): void {
    const r = this.r;
    while (this.busy < r.s.analyzeConcurrency && this.head < this.waiting.length) {
      const inv = this.waiting[this.head++];
      this.busy++;
      r.heap.push(r.now, { k: "step", inv });
    }
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  private end(inv: AnalyzeInvocation, how: "done" | "noSummary" | "absorbed" | "failed"): void {
    const r = this.r;
    const b = r.b;
    this.busy--;
    if (how === "done" || how === "noSummary") r.finish(inv.call, how);
    else if (how === "failed" && inv.retry < b.asyncRetryDelaysSeconds.length) {
      r.counts.analyzeAsyncRetries++;
      r.heap.push(r.now + b.asyncRetryDelaysSeconds[inv.retry], { k: "event", call: inv.call, retry: inv.retry + 1, chain: inv.chain });
    } // else: absorbed by the claim, or retries exhausted (the events DLQ): reconcile's turn
    this.run();
  }

  /** Takes the claim, or is absorbed by another delivery's; then the paid steps this attempt still needs. */
  private claim(inv: AnalyzeInvocation): boolean {
    const r = this.r;
    const c = inv.call;
    if (c.claimOwner !== inv.chain && c.claimUntil > r.now) {
      r.counts.duplicatesAbsorbed++;
      return false;
    }
    c.claimOwner = inv.chain;
    c.claimUntil = r.now + CLAIM_MS / 1000;
    const d = callDemand(c.length, r.b, r.s.bedrockMaxTokens);
    if (!c.sentimentSaved) {
      for (let i = 0; i < d.detect; i++) inv.steps.push("detect");
      for (let i = 0; i < d.batch; i++) inv.steps.push("batch");
    }
    if (r.rng.next() < r.b.maxTokensRetryShare) inv.steps.push("bedrockCut", "bedrockRetry");
    else inv.steps.push("bedrock");
    return true;
  }

  /** One Bedrock Converse request: requests and tokens per minute (reserved, then settled), tokens per day. */
  private bedrock(inv: AnalyzeInvocation, step: "bedrock" | "bedrockCut" | "bedrockRetry"): boolean {
    const r = this.r;
    const { q } = r;
    const d = callDemand(inv.call.length, r.b, r.s.bedrockMaxTokens);
    const reserve = step === "bedrockRetry" ? d.cut.tokens : d.tokens;
    const settled = step === "bedrock" ? d.settled : step === "bedrockCut" ? d.cut.settledFirst : d.cut.settled;
    const ok = this.bedrockRpm.take(r.now) && this.bedrockTpm.take(r.now, reserve) && this.bedrockTpd.take(r.now, settled);
    if (!ok) {
      r.counts.bedrockThrottled++;
      return false;
    }
    this.bedrockTpm.charge(r.now, settled - reserve);
    if (step === "bedrockRetry") r.counts.bedrockCutRetries++;
    r.used["Bedrock requests per minute"] += 60 / q.bedrockRequestsPerMinute;
    r.used["Bedrock tokens per minute"] += (60 * Math.max(reserve, settled)) / q.bedrockTokensPerMinute;
    const day = Math.floor(r.now / 86_400); // tokens per day: over each day, not its busiest 15 minutes
    r.tokensByDay[day] = (r.tokensByDay[day] ?? 0) + settled / this.tpd;
    return true;
  }

  /** One step of an invocation, with the SDK's retries. */
  onStep(inv: AnalyzeInvocation): void {
    const r = this.r;
    const { q, b } = r;
    if (inv.index < 0) inv.index = 0;
    if (inv.index >= inv.steps.length) {
      this.end(inv, "done");
      return;
    }
    const step = inv.steps[inv.index];
    let ok = true;
    let seconds = b.comprehendCallSeconds;
    if (step === "get") {
      ok = this.getTps.take(r.now);
      if (ok) r.used["Transcribe GetTranscriptionJob TPS"] += 1 / q.transcribeGetTps;
      else r.counts.transcribeGetThrottled++;
      seconds = b.analyzeBaseSeconds;
    } else if (step === "claim") {
      if (!this.claim(inv)) {
        this.end(inv, "absorbed");
        return;
      }
      seconds = 0;
    } else if (step === "detect" || step === "batch") {
      ok = (step === "detect" ? this.detectTps : this.batchTps).take(r.now);
      if (ok) r.used["Comprehend TPS"] += 1 / (step === "detect" ? q.comprehendDetectTps : q.comprehendBatchTps);
      else r.counts.comprehendThrottled++;
    } else {
      inv.call.sentimentSaved = true; // saved in the claim before the first model call
      ok = this.bedrock(inv, step);
      seconds = b.bedrockBaseSeconds + b.bedrockSecondsPerOutputToken * b.outputTokens;
    }
    if (ok) {
      inv.index++;
      inv.attempt = 0;
      r.heap.push(r.now + seconds, { k: "step", inv });
    } else if (inv.attempt + 1 < b.sdkMaxAttempts) {
      inv.attempt++;
      r.heap.push(r.now + r.backoff(inv.attempt), { k: "step", inv });
    } else if (step.startsWith("bedrock") && r.now >= modelDeadline(inv.call.jobCompletedAt)) {
      this.end(inv, "noSummary"); // past the model's retry window: COMPLETED, summary_error MODEL_UNAVAILABLE
    } else {
      this.end(inv, "failed"); // throttling left after the SDK's retries: the invocation fails
    }
  }
}
