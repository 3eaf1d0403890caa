/**
 * The intake stages of the capacity simulation (./simulate.ts): S3 events -> intake queue (visibility timeout,
 * maxReceiveCount, DLQ, retention) -> start (batches, maximum concurrency, one record after the other) ->
 * Transcribe (start TPS, concurrent jobs, job queue, LimitExceededException) -> the job's completion event.
 */
import { callDemand } from "./model";
import { TokenBucket } from "./rng";
import type { Call, Message, RunState, StartInvocation } from "./run-state";

export class Intake {
  private readonly visible: Message[] = []; // FIFO by visibleSince
  private visibleHead = 0;
  private inFlight = 0;
  private startBusy = 0;
  private dispatchAt = Number.POSITIVE_INFINITY;
  private readonly startTps: TokenBucket;
  private running = 0;
  private readonly jobQueue: Call[] = [];
  private jobQueueHead = 0;
  private readonly queuedSlots: number;

  constructor(private readonly r: RunState) {
    this.startTps = new TokenBucket(r.q.transcribeStartTps, r.q.transcribeStartTps);
    this.queuedSlots = Math.floor(r.q.transcribeConcurrentJobs * r.q.transcribeQueueSlotShare);
  }

  /** Transcribe jobs running. */
  jobsRunning(): number {
    return this.running;
  }

  /** start invocations running. */
  startRunning(): number {
    return this.startBusy;
  }

  /** Transcribe jobs waiting in its job queue. */
  jobQueued(): number {
    return this.jobQueue.length - this.jobQueueHead;
  }

  private visibleCount(): number {
    return this.visible.length - this.visibleHead;
  }

  /** start is at its maximum concurrency with messages waiting. */
  startSaturated(): boolean {
    return this.startBusy >= this.r.s.startMaxConcurrency && this.visibleCount() > 0;
  }

  /** The S3 event reaches the intake queue. */
  enqueue(call: Call): void {
    const r = this.r;
    this.visible.push({ call, sentAt: r.now, visibleSince: r.now });
    r.peaks.intakeQueue = Math.max(r.peaks.intakeQueue, this.visibleCount() + this.inFlight);
    this.dispatch();
  }

  /** A message's visibility timeout ends (unless it was deleted meanwhile). */
  visibleAgain(msg: Message): void {
    this.inFlight--;
    if (msg.call.state !== "intake") return; // deleted meanwhile
    msg.visibleSince = this.r.now;
    this.visible.push(msg);
    this.dispatch();
  }

  /** The batching window's wake-up. */
  wake(): void {
    if (this.r.now >= this.dispatchAt) this.dispatchAt = Number.POSITIVE_INFINITY;
    this.dispatch();
  }

  // Event source mapping: batches of up to batchSize, waiting at most the batching window for a full batch.
  private dispatch(): void {
    const r = this.r;
    const { s, b } = r;
    while (this.startBusy < s.startMaxConcurrency && this.visibleCount() > 0) {
      const oldest = this.visible[this.visibleHead];
      const due = oldest.visibleSince + s.batchingWindowSeconds;
      if (this.visibleCount() < s.batchSize && r.now < due) {
        // One pending wake-up at a time (the earliest one needed).
        if (!(this.dispatchAt > r.now && this.dispatchAt <= due)) {
          this.dispatchAt = due;
          r.heap.push(due, { k: "dispatch" });
        }
        return;
      }
      const batch: Message[] = [];
      while (batch.length < s.batchSize && this.visibleCount() > 0) {
        const msg = this.visible[this.visibleHead++];
        if (r.now > msg.sentAt + s.intakeRetentionSeconds) {
          r.finish(msg.call, "lost", "expired in the intake queue (retention)");
          continue;
        }
        // SQS moves a message to the DLQ on the receive after maxReceiveCount receives.
        if (msg.call.receives >= s.maxReceiveCount) {
          r.finish(msg.call, "dlq");
          continue;
        }
        msg.call.receives++;
        if (msg.call.receives > 1) r.counts.sqsRetries++;
        batch.push(msg);
      }
      if (this.visibleHead > 4096 && this.visibleHead * 2 > this.visible.length) {
        this.visible.splice(0, this.visibleHead);
        this.visibleHead = 0;
      }
      if (batch.length === 0) continue;
      this.inFlight += batch.length;
      this.startBusy++;
      r.heap.push(r.now + b.startRecordSeconds, { k: "record", inv: { batch, receivedAt: r.now, failed: [], index: 0, attempt: 0 } });
    }
  }

  private startJob(call: Call): void {
    const r = this.r;
    const { s, b } = r;
    this.running++;
    r.peaks.transcribeRunning = Math.max(r.peaks.transcribeRunning, this.running);
    const audioExpires = call.uploadedAt + s.inputDays * 86_400;
    if (r.now > audioExpires) {
      // The job reads the audio when it starts: gone -> FAILED job, a FAILED record, the call is lost.
      r.heap.push(r.now + 1, { k: "jobDone", call: Object.assign(call, { jobCompletedAt: -2 }) });
      return;
    }
    r.heap.push(r.now + callDemand(call.length, b, s.bedrockMaxTokens).jobSeconds, { k: "jobDone", call });
  }

  private endStartInvocation(inv: StartInvocation): void {
    const r = this.r;
    this.startBusy--;
    this.inFlight -= inv.batch.length;
    for (const msg of inv.failed) {
      this.inFlight++;
      r.heap.push(inv.receivedAt + r.s.visibilityTimeoutSeconds, { k: "visible", msg });
    }
    this.dispatch();
  }

  /** One S3 record in start: StartTranscriptionJob with the SDK's retries. */
  onRecord(inv: StartInvocation): void {
    const r = this.r;
    const { s, q, b } = r;
    const msg = inv.batch[inv.index];
    const call = msg.call;
    let accepted = false;
    let retryable = false;
    if (call.state !== "intake")
      accepted = true; // duplicate delivery: ConflictException = success
    else if (!this.startTps.take(r.now)) {
      r.counts.transcribeThrottled++;
      retryable = true;
    } else if (this.running < q.transcribeConcurrentJobs && this.jobQueued() === 0) {
      r.used["Transcribe StartTranscriptionJob TPS"] += 1 / q.transcribeStartTps;
      call.state = "transcribing";
      this.startJob(call);
      accepted = true;
    } else if (this.jobQueued() < q.transcribeQueuedJobs) {
      r.used["Transcribe StartTranscriptionJob TPS"] += 1 / q.transcribeStartTps;
      call.state = "transcribing";
      this.jobQueue.push(call);
      r.peaks.transcribeQueued = Math.max(r.peaks.transcribeQueued, this.jobQueued());
      accepted = true;
    } else {
      r.counts.transcribeLimitExceeded++;
      retryable = true;
    }
    if (retryable && inv.attempt + 1 < b.sdkMaxAttempts && r.now - inv.receivedAt < s.startTimeoutSeconds) {
      inv.attempt++;
      r.heap.push(r.now + r.backoff(inv.attempt), { k: "record", inv });
      return;
    }
    if (!accepted) inv.failed.push(msg); // reported in batchItemFailures: visible again after the visibility timeout
    inv.index++;
    inv.attempt = 0;
    if (inv.index < inv.batch.length && r.now - inv.receivedAt < s.startTimeoutSeconds) {
      r.heap.push(r.now + b.startRecordSeconds, { k: "record", inv });
      return;
    }
    // Timed out with records left: those return too.
    for (let i = inv.index; i < inv.batch.length; i++) inv.failed.push(inv.batch[i]);
    this.endStartInvocation(inv);
  }

  /** A Transcribe job ends: a queued job starts, and the completion event goes to analyze (unless EventBridge loses it). */
  onJobDone(call: Call): void {
    const r = this.r;
    const { s, b } = r;
    this.running--;
    while (this.jobQueued() > 0 && this.running < this.queuedSlots) this.startJob(this.jobQueue[this.jobQueueHead++]);
    if (this.jobQueueHead > 4096 && this.jobQueueHead * 2 > this.jobQueue.length) {
      this.jobQueue.splice(0, this.jobQueueHead);
      this.jobQueueHead = 0;
    }
    if (call.jobCompletedAt === -2) {
      r.finish(call, "lost", `audio expired before its job ran (retention.inputDays ${s.inputDays})`);
      return;
    }
    call.state = "finished";
    call.jobCompletedAt = r.now;
    r.finished.push(call);
    r.completions.push(r.now);
    if (r.rng.next() < b.eventLossRate) {
      r.counts.eventsLost++;
      return;
    }
    r.heap.push(r.now + b.eventDelaySeconds, { k: "event", call, retry: 0, chain: r.chain() });
  }
}
