/**
 * reconcile in the capacity simulation (./simulate.ts), by the real rules (lambda-src/services/reconcile-jobs.ts):
 * it lists the jobs (ListTranscriptionJobs, 100 per page, its TPS quota, the listing's time budget), sees only the
 * settled marker (never whether analyze is busy with a job: a hand-out of a job analyze still holds is a duplicate
 * the claim absorbs), hands a job out at most every HANDOUT_RETRY_MINUTES after the event's grace, at most the
 * per-run budget, and gives a job up after MAX_HANDOUTS hand-outs and past the model's retry window (`mayGiveUp`):
 * COMPLETED without a summary when an attempt saved the sentiment, else PROCESSING_ERROR.
 */
import { EVENT_GRACE_MINUTES, HANDOUT_RETRY_MINUTES, LIST_RESERVE_MS, mayGiveUp, WATERMARK_OVERLAP_MINUTES } from "../../lambda-src/services/reconcile-jobs";
import type { Analysis } from "./analysis";
import { TokenBucket } from "./rng";
import { isFinal, type RunState } from "./run-state";

const PAGE = 100; // ListTranscriptionJobs MaxResults
const date = (t: number) => new Date(t * 1000);

/** Index of the first value >= x in a sorted array. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Reconcile {
  private readonly listTps: TokenBucket;

  constructor(
    private readonly r: RunState,
    private readonly analysis: Analysis,
    /** Transcribe jobs queued or running now (listed as QUEUED and IN_PROGRESS). */
    private readonly unfinished: () => number,
  ) {
    this.listTps = new TokenBucket(r.q.transcribeListTps, Math.max(1, r.q.transcribeListTps));
  }

  /**
   * Lists `pages` pages one after the other within the listing budget: the pages reached, or -1 when a page stays
   * throttled after the SDK's retries (the run throws and ends).
   */
  private list(pages: number): number {
    const r = this.r;
    const budget = r.s.reconcileTimeoutSeconds - LIST_RESERVE_MS / 1000;
    // Demand over capacity: the pages this run needs over those its budget allows at the quota.
    const allowed = budget * Math.min(r.q.transcribeListTps, 1 / r.b.listPageSeconds);
    r.used["Transcribe ListTranscriptionJobs TPS"] = Math.max(r.used["Transcribe ListTranscriptionJobs TPS"], pages / allowed);
    let t = r.now;
    for (let page = 0; page < pages; page++) {
      if (page > 0 && t - r.now > budget) return page;
      let attempt = 0;
      while (!this.listTps.take(t)) {
        if (++attempt >= r.b.sdkMaxAttempts) return -1;
        t += r.backoff(attempt);
      }
      t += r.b.listPageSeconds;
    }
    return pages;
  }

  /** One run. */
  run(): void {
    const r = this.r;
    const b = r.b;
    const now = r.now;
    const finished = r.finished;
    // The window: from the oldest job that may still need work (minus the overlap), never before the look-back.
    const floor = now - b.reconcileLookbackSeconds;
    let keep = 0;
    let oldest = now - EVENT_GRACE_MINUTES * 60;
    for (const c of finished) {
      if (isFinal(c) || c.state === "processingError") continue;
      if (c.jobCompletedAt < floor) {
        r.finish(c, "lost", "job outside reconcile's look-back without a result");
        continue;
      }
      finished[keep++] = c;
      oldest = Math.min(oldest, c.jobCompletedAt);
    }
    finished.length = keep;
    const from = Math.max(floor, oldest - WATERMARK_OVERLAP_MINUTES * 60);
    const inWindow = r.completions.length - lowerBound(r.completions, from);
    // QUEUED and IN_PROGRESS since the floor, then COMPLETED and FAILED since the window's start, newest first.
    const unfinishedPages = 2 * Math.max(1, Math.ceil(this.unfinished() / PAGE));
    const finishedPages = Math.max(1, Math.ceil(inWindow / PAGE)) + 1;
    const reached = this.list(unfinishedPages + finishedPages);
    let seenFrom = from;
    if (reached < 0) {
      r.counts.reconcileRunsFailed++;
      seenFrom = Number.POSITIVE_INFINITY;
    } else if (reached < unfinishedPages + finishedPages) {
      r.counts.listingsCut++;
      const jobs = (reached - unfinishedPages) * PAGE;
      seenFrom = jobs <= 0 ? Number.POSITIVE_INFINITY : r.completions[Math.max(0, r.completions.length - jobs)];
    }
    let handed = 0;
    const retryGap = HANDOUT_RETRY_MINUTES * 60;
    for (const c of finished) {
      if (c.jobCompletedAt < seenFrom || isFinal(c) || c.state === "processingError") continue;
      if (now - c.jobCompletedAt < EVENT_GRACE_MINUTES * 60) break; // in completion order: the rest are newer
      if (c.handouts > 0 && now - c.lastHandoutAt < retryGap) continue;
      if (handed >= b.reconcileMaxPerRun) continue; // deferred to the next run (give-ups too, as in reconcile-jobs)
      if (mayGiveUp(c.handouts + 1, { CompletionTime: date(c.jobCompletedAt), CreationTime: date(c.jobCompletedAt) }, date(now))) {
        r.counts.gaveUp++;
        r.finish(c, c.sentimentSaved ? "noSummary" : "processingError");
        continue;
      }
      handed++;
      c.handouts++;
      c.lastHandoutAt = now;
      r.counts.reconciled++;
      this.analysis.invoke(c, 0, r.chain());
    }
    if (r.open > 0) r.heap.push(now + r.s.reconcilePeriodSeconds, { k: "reconcile" });
  }
}
