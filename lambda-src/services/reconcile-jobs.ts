/**
 * reconcile (scheduled, handlers/reconcile.ts): detection only. It finds finished jobs that no analyze invocation
 * settled (a missed or failed completion event) and hands each to analyze by asynchronous invocation, so analyze's
 * own retries and its on-failure destination (the events dead-letter queue) apply and one bad job cannot block
 * the others. docs/pipeline.md "Reconcile".
 *
 * Per run:
 * 1. Window: jobs created since the stored watermark (minus {@link WATERMARK_OVERLAP_MINUTES}), never before
 *    RECONCILE_LOOKBACK_HOURS. The next watermark is the creation time of the oldest job that may still need
 *    work: unfinished (not stuck), finished within the grace period, or handed out and not settled yet.
 * 2. ListTranscriptionJobs (newest first by creation time) for COMPLETED and FAILED, stopping at the window.
 * 3. Settled jobs: one ListObjectsV2 per creation hour of the window over the markers analyze writes
 *    (`cci-lite/reconcile/done/<hour>/<job>`), not one request per job.
 * 4. Each unsettled job finished more than {@link EVENT_GRACE_MINUTES} ago -> `lambda:Invoke` (Event) of analyze
 *    with `{ reconcile: { jobName, attempt } }`, at most `RECONCILE_MAX_HANDOUTS` per run (the budget the
 *    configured quotas give, contracts/pacing.ts), again at most every {@link HANDOUT_RETRY_MINUTES}; after
 *    {@link MAX_HANDOUTS} hand-outs without a marker and past the model's retry window ({@link mayGiveUp}), reconcile
 *    gives it up: COMPLETED with `MODEL_UNAVAILABLE` and the sentiment an attempt saved, or FAILED `PROCESSING_ERROR`.
 * 5. IN_PROGRESS jobs started more than STUCK_JOB_HOURS ago -> FAILED `JOB_STUCK` record, once (QUEUED jobs are
 *    waiting in Transcribe's queue, not stuck). Stuck jobs do not hold the watermark; the state names them, so one
 *    that finishes later is checked by name.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ListTranscriptionJobsCommand, type TranscriptionJobStatus, type TranscriptionJobSummary } from "@aws-sdk/client-transcribe";
import type { ReconcileConfig } from "../contracts/environment";
import { METRIC } from "../contracts/metrics";
import { doneMarkerPrefix, RECONCILE_STATE_KEY } from "../contracts/storage-layout";
import { ERROR_CODES, PROCESSING_ERROR } from "../core/errors";
import { buildJobResult } from "../core/result";
import type { DecideOptions } from "../core/result-identity";
import { lambdaClient, s3Client, transcribeClient } from "../aws/clients";
import { clearRecordKeys, count, logger, setRecordKeys, watermarkAge } from "../aws/observability";
import { isWriteConflict, putSmallObject, readSmallObject } from "../aws/records";
import type { HandOutRequest } from "./analyze-event";
import { modelRetryDeadline } from "../core/summary";
import { readClaim } from "./job-claim";
import { commitJobRecord, type JobContext, loadJob, markSettled } from "./job-record";
import { leaseHoldMs, releaseLease, takeLease } from "./reconcile-lease";

/** Hand-outs of one job to analyze (each with Lambda's own asynchronous retries) before PROCESSING_ERROR. */
export const MAX_HANDOUTS = 3;
/**
 * Runs in a row in which handing out or giving up one job failed before that job stops holding the watermark (a
 * poison job would otherwise stretch every window back to it). It is then logged as an ERROR (the function's
 * error-lines alarm) and left alone.
 */
export const MAX_JOB_ERRORS = 5;
/** Hand-outs per run at most (the configured budget, `RECONCILE_MAX_HANDOUTS`, is never larger); the rest stays behind the watermark. */
export { MAX_HANDOUTS_PER_RUN } from "../contracts/pacing";
/**
 * A job is handed out again only this long after its last hand-out: analyze's own attempts (3 x its 300 s timeout
 * plus Lambda's back-off) are over by then, so a slow success is not counted as a failure.
 */
export const HANDOUT_RETRY_MINUTES = 30;
/** A job finished less than this ago is left to its completion event. */
export const EVENT_GRACE_MINUTES = 15;
/** The window starts this long before the stored watermark (clock skew, list consistency). */
export const WATERMARK_OVERLAP_MINUTES = 30;
/** Stop starting new work when less than this is left of the invocation. */
const TIME_RESERVE_MS = 60_000;
/**
 * Listing stops when less than this is left (the hand-outs and the state need the rest). A cut listing keeps the
 * window where it was: the jobs it did not reach stay behind the watermark, and the watermark-age alarm tells.
 */
export const LIST_RESERVE_MS = 180_000;
/** Hand-outs between two saves of the state: a run that dies keeps what it handed out. */
export const SAVE_EVERY = 100;
const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface HandOuts {
  readonly n: number;
  readonly at: string;
}

export interface ReconcileState {
  /** ISO time: the next window starts here (minus the overlap). */
  readonly watermark?: string;
  /** Hand-outs so far of jobs not settled yet: how many, and when the last one was (ISO). */
  readonly attempts: Readonly<Record<string, HandOuts>>;
  /**
   * Stuck jobs (name -> creation time) as of the last run. They do not hold the watermark, so one that has left
   * IN_PROGRESS since is checked by name: a lost completion event still ends in its result.
   */
  readonly stuck?: Readonly<Record<string, string>>;
  /** Jobs whose hand-out or give-up failed: name -> runs in a row ({@link MAX_JOB_ERRORS}). */
  readonly errors?: Readonly<Record<string, number>>;
}

export interface ReconcileReport {
  /** Window start (ISO). */
  readonly from: string;
  /** Finished jobs listed in the window. */
  readonly listed: number;
  /** Finished jobs without a settled marker, past the grace period. */
  readonly unsettled: number;
  readonly handedOut: number;
  /** PROCESSING_ERROR records written after {@link MAX_HANDOUTS} hand-outs. */
  readonly gaveUp: number;
  readonly stuck: number;
  readonly errors: number;
  /** Unsettled jobs left for the next run (per-run cap, time). */
  readonly deferred: number;
  /** Next watermark (ISO); `""` when the run did not take the lease. */
  readonly watermark: string;
  /** `TAKEN`: this run did the work; `HELD`: another run holds the lease, so this one ended at once. */
  readonly lease: "TAKEN" | "HELD";
  /** False when another run wrote the state after this one read it (this run's state is then dropped, not forced). */
  readonly stateSaved: boolean;
  /** True when listing ran out of its time budget ({@link LIST_RESERVE_MS}): the window kept its start. */
  readonly listingCut: boolean;
}

/** A listed job: name and creation time are always there. */
export type ListedJob = TranscriptionJobSummary & { readonly TranscriptionJobName: string; readonly CreationTime: Date };

/**
 * Lists this deployment's jobs with one status, newest first, stopping at jobs created before `notBefore`, or when
 * `inTime()` says the time for listing is over (`complete: false`: older jobs of the window were not reached).
 */
export async function listJobs(
  prefix: string,
  status: TranscriptionJobStatus,
  notBefore: Date,
  inTime: () => boolean = () => true,
): Promise<{ jobs: ListedJob[]; complete: boolean }> {
  const out: ListedJob[] = [];
  let NextToken: string | undefined;
  do {
    if (NextToken && !inTime()) return { jobs: out, complete: false };
    const page = await transcribeClient().send(new ListTranscriptionJobsCommand({ Status: status, JobNameContains: prefix, MaxResults: 100, NextToken }));
    let older = false;
    for (const j of page.TranscriptionJobSummaries ?? []) {
      const name = j.TranscriptionJobName;
      const created = j.CreationTime;
      if (!name?.startsWith(prefix) || !(created instanceof Date)) continue;
      if (created < notBefore) {
        older = true;
        continue;
      }
      out.push({ ...j, TranscriptionJobName: name, CreationTime: created });
    }
    NextToken = older ? undefined : page.NextToken; // newest first by creation time (API reference, `Status`)
  } while (NextToken);
  return { jobs: out, complete: true };
}

/** The stored state and its ETag (for the conditional write at the end of the run); empty when there is none. */
export async function readState(cfg: ReconcileConfig): Promise<ReconcileState & { readonly etag: string | undefined }> {
  // None, or not JSON: an empty state (the ETag still guards the write at the end of the run).
  const read = await readSmallObject<ReconcileState>(cfg.resultsBucket, RECONCILE_STATE_KEY);
  const doc = read?.doc ?? {};
  return {
    etag: read?.etag,
    watermark: typeof doc.watermark === "string" ? doc.watermark : undefined,
    attempts: { ...(doc.attempts ?? {}) },
    stuck: { ...(doc.stuck ?? {}) },
    errors: { ...(doc.errors ?? {}) },
  };
}

/** Names of the settled jobs among `jobs`: one paginated ListObjectsV2 per creation hour. */
export async function settledJobs(cfg: ReconcileConfig, jobs: readonly ListedJob[]): Promise<Set<string>> {
  const prefixes = new Set(jobs.map((j) => doneMarkerPrefix(j.CreationTime)));
  const settled = new Set<string>();
  for (const Prefix of prefixes) {
    let ContinuationToken: string | undefined;
    do {
      const page = await s3Client().send(new ListObjectsV2Command({ Bucket: cfg.resultsBucket, Prefix, ContinuationToken }));
      for (const o of page.Contents ?? []) if (o.Key) settled.add(o.Key.slice(Prefix.length));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
  return settled;
}

async function handOut(cfg: ReconcileConfig, jobName: string, attempt: number): Promise<void> {
  const request: HandOutRequest = { reconcile: { jobName, attempt } };
  await lambdaClient().send(
    new InvokeCommand({ FunctionName: cfg.analyzeFunctionName, InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify(request)) }),
  );
}

/**
 * Loads the job and writes its FAILED record with the error `error(ctx)` gives (through {@link commitJobRecord}:
 * never over its own settled record or a newer upload's). `undefined`, logged as `cannotLoad`, when the job cannot
 * be loaded.
 */
async function commitFailedRecord(
  cfg: ReconcileConfig,
  jobName: string,
  now: Date,
  cannotLoad: string,
  error: (ctx: JobContext) => { code: string; message: string },
  opts: DecideOptions = {},
): Promise<{ ctx: JobContext; outcome: Awaited<ReturnType<typeof commitJobRecord>> } | undefined> {
  const loaded = await loadJob(jobName, now);
  if (loaded.kind !== "ok") {
    logger.error(cannotLoad, { reason: loaded.kind });
    return undefined;
  }
  const ctx = loaded.ctx;
  setRecordKeys({ tenant: ctx.tenant, call_id: ctx.callId });
  const record = buildJobResult("FAILED", ctx, cfg.bedrockModelId, now, { languageCode: ctx.job.LanguageCode ?? null }, error(ctx));
  return { ctx, outcome: await commitJobRecord(cfg, ctx, record, opts) };
}

/** Whether reconcile may give a job up at `now`: after {@link MAX_HANDOUTS} hand-outs and past the model's retry window. */
export function mayGiveUp(attempt: number, job: Pick<ListedJob, "CompletionTime" | "CreationTime">, now: Date): boolean {
  const deadline = modelRetryDeadline(job.CompletionTime ?? job.CreationTime);
  return attempt > MAX_HANDOUTS && (!deadline || now.getTime() >= deadline.getTime());
}

/**
 * After {@link MAX_HANDOUTS} hand-outs and the model's retry window: when an attempt saved the call's sentiment in
 * the job's claim (services/job-claim.ts), the call is COMPLETED without a summary (`summary_error`
 * MODEL_UNAVAILABLE) and keeps what was paid for; otherwise the FAILED PROCESSING_ERROR record. Never over a newer
 * upload's record; then the marker.
 */
async function giveUp(cfg: ReconcileConfig, s: ListedJob, attempts: number, now: Date): Promise<void> {
  const claimed = (await readClaim(cfg, s.TranscriptionJobName))?.doc?.sentiment;
  const saved = claimed?.partial ? undefined : claimed; // a scoring cut short is not the call's sentiment
  const loaded = saved ? await loadJob(s.TranscriptionJobName, now) : undefined;
  if (saved && loaded?.kind === "ok") {
    const ctx = loaded.ctx;
    setRecordKeys({ tenant: ctx.tenant, call_id: ctx.callId });
    const record = buildJobResult("COMPLETED", ctx, cfg.bedrockModelId, now, {
      languageCode: saved.languageCode,
      durationSeconds: saved.durationSeconds,
      speakerMode: saved.speakerMode,
      speakers: saved.speakers,
      sentiment: saved.sentiment,
      sentimentSource: saved.sentiment ? "comprehend" : null,
      summaryError: {
        code: ERROR_CODES.MODEL_UNAVAILABLE,
        message: `The model could not be reached within its retry window (${attempts} hand-outs, each with Lambda's retries); the sentiment is kept`,
      },
    });
    if ((await commitJobRecord(cfg, ctx, record)) === "written") {
      count(METRIC.CallsCompleted);
      count(METRIC.SummariesFailed);
      logger.error("Job given up on the model: COMPLETED without a summary", { result_key: ctx.resultKey, attempts });
    }
    await markSettled(cfg, s.TranscriptionJobName, s.CreationTime);
    return;
  }
  const done = await commitFailedRecord(cfg, s.TranscriptionJobName, now, "Cannot write a record for a job analyze never settled", () => ({
    code: PROCESSING_ERROR,
    message: `analyze did not settle the job after ${attempts} hand-outs (each with Lambda's retries); see the analyze logs and the events dead-letter queue`,
  }));
  if (done?.outcome === "written") {
    count(METRIC.CallsFailed);
    logger.error("Job given up: PROCESSING_ERROR record written", { result_key: done.ctx.resultKey, attempts });
  }
  await markSettled(cfg, s.TranscriptionJobName, s.CreationTime);
}

async function recordStuck(cfg: ReconcileConfig, s: ListedJob, now: Date): Promise<boolean> {
  // Never over this job's own record or a newer upload's; if the job finishes later, analyze replaces it.
  const done = await commitFailedRecord(
    cfg,
    s.TranscriptionJobName,
    now,
    "Cannot record a stuck job",
    (ctx) => {
      const started = s.StartTime ?? ctx.job.StartTime;
      const hours = ((now.getTime() - (started?.getTime() ?? now.getTime())) / HOUR).toFixed(1);
      return { code: ERROR_CODES.JOB_STUCK, message: `Job ${s.TranscriptionJobStatus} for ${hours} h since it started (limit ${cfg.stuckJobHours} h)` };
    },
    { stuck: true },
  );
  if (done?.outcome !== "written") return false;
  count(METRIC.JobsStuck);
  logger.warn("Stuck job recorded", { result_key: done.ctx.resultKey, job_status: s.TranscriptionJobStatus });
  return true;
}

/**
 * One run, single-flight: under the lease (services/reconcile-lease.ts), or not at all when another run holds it.
 * `owner` names the run in the lease (the Lambda request id).
 */
export async function reconcile(
  cfg: ReconcileConfig,
  now: Date,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
  owner = `run-${now.getTime()}-${Math.random().toString(36).slice(2, 10)}`,
): Promise<ReconcileReport> {
  const lease = await takeLease(cfg, owner, now, leaseHoldMs(remainingMs()));
  if (!lease) {
    logger.info("Another reconcile run holds the lease; this run ends without work");
    const none = { listed: 0, unsettled: 0, handedOut: 0, gaveUp: 0, stuck: 0, errors: 0, deferred: 0 };
    return { from: now.toISOString(), ...none, watermark: "", lease: "HELD", stateSaved: false, listingCut: false };
  }
  try {
    return await reconcileRun(cfg, now, remainingMs);
  } finally {
    await releaseLease(cfg, lease, now);
  }
}

async function reconcileRun(cfg: ReconcileConfig, now: Date, remainingMs: () => number): Promise<ReconcileReport> {
  const state = await readState(cfg);
  const floor = now.getTime() - cfg.reconcileLookbackHours * HOUR;
  const stored = state.watermark ? Date.parse(state.watermark) : Number.NaN;
  const from = new Date(Number.isFinite(stored) ? Math.max(floor, stored - WATERMARK_OVERLAP_MINUTES * MINUTE) : floor);
  const graceCut = now.getTime() - EVENT_GRACE_MINUTES * MINUTE;
  const stuckCut = now.getTime() - cfg.stuckJobHours * HOUR;

  // In the order of Transcribe's state machine (QUEUED -> IN_PROGRESS -> COMPLETED | FAILED): a job only moves
  // forward, so one that changes state while this run lists is seen at least once (in a later list), never missed.
  // Listing has a time budget (LIST_RESERVE_MS before the end): a cut list keeps the window's start.
  const inTime = () => remainingMs() >= LIST_RESERVE_MS;
  const lists = [];
  for (const [status, notBefore] of [
    ["QUEUED", new Date(floor)],
    ["IN_PROGRESS", new Date(floor)],
    ["COMPLETED", from],
    ["FAILED", from],
  ] as const) {
    lists.push(await listJobs(cfg.jobNamePrefix, status, notBefore, inTime));
  }
  const unfinished = [...lists[0].jobs, ...lists[1].jobs];
  const finished = [...lists[2].jobs, ...lists[3].jobs];
  const listingCut = lists.some((l) => !l.complete);

  let watermark = now.getTime();
  const keep = (s: Pick<ListedJob, "CreationTime">) => {
    watermark = Math.min(watermark, s.CreationTime.getTime());
  };
  if (listingCut) {
    // Jobs of the window the listing did not reach stay in the next window.
    keep({ CreationTime: from });
    logger.warn("Listing the jobs ran out of its time budget; the window keeps its start for the next run", {
      window_start: from.toISOString(),
      listed: lists.map((l) => l.jobs.length),
    });
  }
  // The state as the run goes: saved every SAVE_EVERY hand-outs (window unchanged), so a run that dies keeps them.
  let etag = state.etag;
  let stateLost = false;
  const save = async (doc: ReconcileState): Promise<boolean> => {
    try {
      etag = await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, RECONCILE_STATE_KEY, JSON.stringify(doc), { etag });
      return true;
    } catch (e) {
      if (!isWriteConflict(e)) throw e;
      stateLost = true;
      logger.error("Another reconcile run wrote the state since this run read it; this run's state is dropped and the run ends");
      return false;
    }
  };
  const isStuck = (s: ListedJob) => s.TranscriptionJobStatus === "IN_PROGRESS" && (s.StartTime ?? s.CreationTime).getTime() < stuckCut;
  // Stuck jobs do not hold the watermark (they would stretch every window back to them); their JOB_STUCK
  // record is replaced when their completion event arrives.
  for (const s of unfinished) if (!isStuck(s)) keep(s);
  const stuckNow = unfinished.filter(isStuck);

  const past = finished.filter((j) => {
    const done = j.CompletionTime ? j.CompletionTime.getTime() <= graceCut : true;
    if (!done) keep(j);
    return done;
  });
  // Stuck at the last run, unfinished no longer, and created before this window: checked by name.
  const names = new Set([...unfinished, ...finished].map((j) => j.TranscriptionJobName));
  for (const [name, created] of Object.entries(state.stuck ?? {})) {
    const t = Date.parse(created);
    if (names.has(name) || !Number.isFinite(t) || t < floor) continue;
    let completed: Date | undefined;
    try {
      const loaded = await loadJob(name, now);
      completed = (loaded.kind === "ok" ? loaded.ctx.job : loaded.kind === "untagged" ? loaded.job : undefined)?.CompletionTime;
    } catch (e) {
      // This job only (e.g. throttled): held behind the watermark, looked at again by the next run.
      logger.warn("Reading a formerly stuck job failed; the next run looks again", { job_name: name, error: e as Error });
      keep({ CreationTime: new Date(t) });
      continue;
    }
    const s: ListedJob = { TranscriptionJobName: name, CreationTime: new Date(t), CompletionTime: completed };
    // The same grace as any finished job: one that finished moments ago is left to its completion event (and held
    // behind the watermark, so the next run lists it with the others).
    if (s.CompletionTime && s.CompletionTime.getTime() > graceCut) keep(s);
    else past.push(s);
  }
  const settled = await settledJobs(cfg, past);
  const unsettled = past.filter((j) => !settled.has(j.TranscriptionJobName)).sort((a, b) => a.CreationTime.getTime() - b.CreationTime.getTime()); // oldest first

  const attempts: Record<string, HandOuts> = {};
  const jobErrors: Record<string, number> = {};
  let handedOut = 0,
    gaveUp = 0,
    stuck = 0,
    errors = 0,
    deferred = 0;
  for (const s of unsettled) {
    if (stateLost) break;
    const name = s.TranscriptionJobName;
    const before = state.attempts[name];
    const attempt = (before?.n ?? 0) + 1;
    if (before && now.getTime() - Date.parse(before.at) < HANDOUT_RETRY_MINUTES * MINUTE) {
      // Handed out recently: analyze (or Lambda's retries of it) may still be at work.
      attempts[name] = before;
      keep(s);
      continue;
    }
    if (handedOut >= cfg.reconcileMaxHandouts || remainingMs() < TIME_RESERVE_MS) {
      deferred++;
      keep(s);
      if (before) attempts[name] = before;
      continue;
    }
    setRecordKeys({ job_name: name });
    try {
      if (mayGiveUp(attempt, s, now)) {
        await giveUp(cfg, s, attempt - 1, now);
        gaveUp++;
        continue;
      }
      await handOut(cfg, name, attempt);
      attempts[name] = { n: attempt, at: now.toISOString() };
      keep(s);
      handedOut++;
      count(METRIC.CallsReconciled);
      logger.info("Unsettled job handed to analyze", { attempt, completed_at: s.CompletionTime?.toISOString() });
      if (handedOut % SAVE_EVERY === 0) {
        await save({ watermark: state.watermark, attempts: { ...state.attempts, ...attempts }, stuck: state.stuck, errors: { ...state.errors, ...jobErrors } });
      }
    } catch (e) {
      // This job only: the others are still handed out; the next run tries it again, up to MAX_JOB_ERRORS runs in
      // a row; then it stops holding the watermark.
      errors++;
      if (before) attempts[name] = before;
      const inARow = (state.errors?.[name] ?? 0) + 1;
      if (inARow < MAX_JOB_ERRORS) {
        jobErrors[name] = inARow;
        keep(s);
        logger.error("Handing a job out failed; the next run tries again", { error: e as Error, runs_in_a_row: inARow });
      } else {
        logger.error("Handing a job out failed in too many runs in a row; it no longer holds the watermark", { error: e as Error, runs_in_a_row: inARow });
      }
    } finally {
      clearRecordKeys();
    }
  }

  // Each stuck job is looked at once (recorded, or left alone under its own or a newer upload's record).
  const stuckSeen: Record<string, string> = {};
  for (const s of stuckNow) {
    if (stateLost) break;
    const name = s.TranscriptionJobName;
    const created = s.CreationTime.toISOString();
    if (state.stuck?.[name]) {
      stuckSeen[name] = created;
      continue;
    }
    setRecordKeys({ job_name: name });
    try {
      if (await recordStuck(cfg, s, now)) stuck++;
      stuckSeen[name] = created;
    } catch (e) {
      errors++;
      logger.error("Recording a stuck job failed; the next run tries again", { error: e as Error });
    } finally {
      clearRecordKeys();
    }
  }

  const next = new Date(watermark).toISOString();
  // How far back the next window starts: the alarm on it fires before the window reaches the lookback floor.
  watermarkAge(Math.max(0, Math.round((now.getTime() - watermark) / 1000)));
  // Conditional on the state this run last read or wrote: a run that overran its lease never overwrites a newer
  // run's state.
  const stateSaved = !stateLost && (await save({ watermark: next, attempts, stuck: stuckSeen, errors: jobErrors }));
  const report: ReconcileReport = {
    from: from.toISOString(),
    listed: finished.length,
    unsettled: unsettled.length,
    handedOut,
    gaveUp,
    stuck,
    errors,
    deferred,
    watermark: next,
    lease: "TAKEN",
    stateSaved,
    listingCut,
  };
  logger.info("Reconcile run finished", { ...report, unfinished: unfinished.length });
  return report;
}
