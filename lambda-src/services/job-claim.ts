/**
 * A claim before any paid call (docs/pipeline.md "Paying once"). Completion events and Lambda's asynchronous
 * invocations are at-least-once, reconcile may hand a job out while an earlier delivery still works on it, and an
 * operator may reprocess at the same time: without a claim each of them pays Comprehend and Bedrock. Before its
 * first paid call an analyze invocation takes the job's claim object `cci-lite/jobs/<job>.json` with a conditional
 * write; a claim held by another delivery turns it away (it ends without a record: the holder writes it). The claim
 * outlives analyze's worst retry chain ({@link CLAIM_MS}), so a delivery that crashed holds it no longer than that,
 * and its own retries (the same Lambda request id) take it again. The claim also keeps the sentiment once
 * Comprehend has scored the call, so a retry after a throttled Bedrock call reuses it: Comprehend is paid once per job.
 */
import type { CommonConfig } from "../contracts/environment";
import type { CallResult, Sentiment, SpeakerStats } from "../contracts/result-schema";
import { jobClaimKey } from "../contracts/storage-layout";
import { logger } from "../aws/observability";
import { isWriteConflict, putSmallObject, readSmallObject, type SmallObject } from "../aws/records";

/**
 * How long a claim holds: longer than analyze's worst retry chain (3 attempts of its 300 s timeout plus Lambda's
 * back-off of 1 and 2 minutes, about 18 minutes), shorter than reconcile's 30 minutes between hand-outs.
 */
export const CLAIM_MS = 25 * 60_000;

/**
 * Comprehend's answer for one job, kept for the retries, with the transcript's statistics: enough for reconcile to
 * write the call COMPLETED without a summary (`MODEL_UNAVAILABLE`) when the model stays out of reach.
 */
export interface SavedSentiment {
  /** The Comprehend language it was scored in. */
  readonly language: string;
  readonly sentiment: Sentiment | null;
  readonly speakers: readonly SpeakerStats[];
  readonly languageCode: string | null;
  readonly durationSeconds: number | null;
  readonly speakerMode: CallResult["speaker_mode"];
  /**
   * A throttle cut the scoring: `speakers` holds the speakers scored so far and `sentiment` the whole call's score
   * when `wholeScored`; a retry scores only the rest. Absent: the scoring is complete.
   */
  readonly partial?: true;
  readonly wholeScored?: boolean;
}

export interface ClaimDoc {
  /** The delivery that holds the claim (its Lambda request id). */
  readonly owner: string;
  /** ISO time after which another delivery may take it. */
  readonly expires: string;
  readonly sentiment?: SavedSentiment;
}

export type Claim =
  | { readonly kind: "claimed"; readonly etag: string | undefined; readonly doc: ClaimDoc }
  | { readonly kind: "busy"; readonly owner: string; readonly expires: string };

/** Whether `owner` may take the claim `doc` at `now`: none, its own, unreadable or expired. */
export function mayClaim(doc: Partial<ClaimDoc> | undefined, owner: string, now: Date): boolean {
  if (!doc?.owner || doc.owner === owner) return true;
  const expires = typeof doc.expires === "string" ? Date.parse(doc.expires) : Number.NaN;
  return !Number.isFinite(expires) || expires <= now.getTime();
}

/** The job's claim object and its ETag; undefined when there is none. */
export function readClaim(cfg: CommonConfig, jobName: string): Promise<SmallObject<ClaimDoc> | undefined> {
  return readSmallObject<ClaimDoc>(cfg.resultsBucket, jobClaimKey(jobName));
}

/** Turned away by the claim `doc` (another delivery's; unknown when it cannot be read). */
const busy = (doc: Partial<ClaimDoc> | undefined): Claim => ({ kind: "busy", owner: String(doc?.owner ?? "unknown"), expires: String(doc?.expires ?? "") });

/** Takes (or renews) the job's claim for `owner` until `now + CLAIM_MS`, keeping any saved sentiment. */
export async function claimJob(cfg: CommonConfig, jobName: string, owner: string, now: Date): Promise<Claim> {
  const current = await readClaim(cfg, jobName);
  if (current && !mayClaim(current.doc, owner, now)) {
    return busy(current.doc);
  }
  const saved = current?.doc?.sentiment;
  const doc: ClaimDoc = { owner, expires: new Date(now.getTime() + CLAIM_MS).toISOString(), ...(saved ? { sentiment: saved } : {}) };
  try {
    const etag = await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, jobClaimKey(jobName), JSON.stringify(doc), { etag: current?.etag });
    return { kind: "claimed", etag, doc };
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
    // Another delivery took it between the read and the write.
    const now2 = await readClaim(cfg, jobName);
    return busy(now2?.doc);
  }
}

/** Keeps Comprehend's answer in the claim, so a retry of this job reuses it. A claim taken over since is left alone. */
export async function saveSentiment(cfg: CommonConfig, jobName: string, claim: Extract<Claim, { kind: "claimed" }>, saved: SavedSentiment): Promise<void> {
  try {
    await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, jobClaimKey(jobName), JSON.stringify({ ...claim.doc, sentiment: saved }), { etag: claim.etag });
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
    logger.warn("Sentiment not saved", { reason: "claim taken over" });
  }
}
