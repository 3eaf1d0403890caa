/**
 * One reconcile run at a time, without reserved concurrency (optional: an account with a concurrency limit of 10
 * cannot reserve it). A run first takes the lease object `cci-lite/reconcile/lease.json` with a conditional write
 * (`IfNoneMatch: *`, or `IfMatch` an expired lease's ETag); a run that finds the lease held, or loses the write to
 * another run, ends before it lists or hands out anything. The lease names an expiry past the run's own timeout, so
 * a run that crashed holds it no longer than that; a run that ends gives it back. docs/pipeline.md "Reconcile".
 */
import type { ReconcileConfig } from "../contracts/environment";
import { RECONCILE_LEASE_KEY } from "../contracts/storage-layout";
import { isWriteConflict, putSmallObject, readSmallObject } from "../aws/records";

/** The lease outlives the run's remaining time by this much (clock differences between Lambda instances). */
export const LEASE_MARGIN_MS = 60_000;
/** The hold when the run's remaining time is unknown (tests, a direct call): longer than reconcile's 600 s timeout. */
export const DEFAULT_LEASE_MS = 15 * 60_000;

export interface LeaseDoc {
  /** The run that holds it (its request id), `""` once given back. */
  readonly owner: string;
  /** ISO time after which any run may take it. */
  readonly expires: string;
}

/** Whether a run at `now` may take the lease `doc` (none, unreadable, given back or expired). */
export function leaseIsFree(doc: Partial<LeaseDoc> | undefined, now: Date): boolean {
  const expires = typeof doc?.expires === "string" ? Date.parse(doc.expires) : Number.NaN;
  return !doc?.owner || !Number.isFinite(expires) || expires <= now.getTime();
}

/** How long a run with `remainingMs` left holds the lease. */
export function leaseHoldMs(remainingMs: number): number {
  return Number.isFinite(remainingMs) ? remainingMs + LEASE_MARGIN_MS : DEFAULT_LEASE_MS;
}

/** A taken lease: the ETag to give it back with. */
export interface Lease {
  readonly owner: string;
  readonly etag: string | undefined;
}

/** Takes the lease for `owner` until `now + holdMs`, or returns undefined when another run holds it or wins it. */
export async function takeLease(cfg: ReconcileConfig, owner: string, now: Date, holdMs: number): Promise<Lease | undefined> {
  // An unreadable lease is free: taken over with IfMatch its ETag.
  const current = await readSmallObject<LeaseDoc>(cfg.resultsBucket, RECONCILE_LEASE_KEY);
  if (current && !leaseIsFree(current.doc, now)) return undefined;
  const doc: LeaseDoc = { owner, expires: new Date(now.getTime() + holdMs).toISOString() };
  try {
    const etag = await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, RECONCILE_LEASE_KEY, JSON.stringify(doc), { etag: current?.etag });
    return { owner, etag };
  } catch (e) {
    if (isWriteConflict(e)) return undefined;
    throw e;
  }
}

/** Gives the lease back (expired at `now`), only while it is still this run's; a lease taken over since is left alone. */
export async function releaseLease(cfg: ReconcileConfig, lease: Lease, now: Date): Promise<void> {
  if (!lease.etag) return; // no ETag to match: the lease expires on its own
  const doc: LeaseDoc = { owner: "", expires: now.toISOString() };
  try {
    await putSmallObject(cfg.resultsBucket, cfg.kmsKeyArn, RECONCILE_LEASE_KEY, JSON.stringify(doc), { etag: lease.etag });
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
  }
}
