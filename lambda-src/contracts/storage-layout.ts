/**
 * Where things live in the two buckets. The infrastructure scopes policies and lifecycle rules with these
 * prefixes; the handlers build keys with the same functions.
 *
 * Input bucket:   `<tenant>/calls/<file>`                 (uploads)
 * Results bucket: `<tenant>/YYYY/MM/DD/<call_id>.json`    (one result per call)
 *                 `unassigned/YYYY/MM/DD/<call_id>.json`  (uploads that name no configured tenant)
 *                 `tmp/<tenant>/<job>.json`               (Transcribe's transcripts)
 *                 `athena-results/[<tenant>/]`            (Athena query results)
 *                 `cci-lite/reconcile/done/<YYYY-MM-DDTHH>/<job>`  (a job is settled: analyze wrote its record
 *                                                          or found a newer upload's; reconcile lists these)
 *                 `cci-lite/reconcile/state.json`         (reconcile's watermark and hand-out attempts)
 */

/** Key segment after the tenant under which uploads are accepted. */
export const CALLS_SEGMENT = "calls";
/** Results-bucket prefix of Transcribe's output. */
export const TMP_PREFIX = "tmp/";
/** Results-bucket prefix of Athena query results. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";
/** The tenant value and results prefix for uploads that name no configured tenant. */
export const UNASSIGNED_TENANT = "unassigned";
/*
 * Plain literals, not templates: esbuild drops unused string constants but keeps template literals, and the start
 * bundle (which imports this file) must not grow.
 */
/** Results-bucket prefix of the pipeline's own bookkeeping (`cci-lite` is a reserved tenant id). */
export const PIPELINE_PREFIX = "cci-lite/";
/** Results-bucket prefix of the "job settled" markers (they expire with the lifecycle rule on this prefix). */
export const DONE_MARKER_PREFIX = "cci-lite/reconcile/done/";
/** Reconcile's state object (watermark, hand-out attempts). */
export const RECONCILE_STATE_KEY = "cci-lite/reconcile/state.json";
/** Reconcile's lease: one run at a time (services/reconcile-lease.ts). */
export const RECONCILE_LEASE_KEY = "cci-lite/reconcile/lease.json";
/** Top-level prefixes the pipeline uses itself (or that AWS reserves); no tenant id may shadow them. */
export const RESERVED_PREFIXES = ["tmp", "athena-results", UNASSIGNED_TENANT, "aws", "cci-lite"] as const;

/** `<tenant>/calls/`: where a tenant uploads. */
export function uploadPrefix(tenant: string): string {
  return `${tenant}/${CALLS_SEGMENT}/`;
}

/**
 * Glob (in IAM resource ARNs) of every upload of every tenant: `* /calls/*` without the space. A pure call, so the
 * Lambda bundles, which do not use it, drop it (esbuild keeps a template literal it cannot prove unused).
 */
export const ALL_UPLOADS_GLOB = /* @__PURE__ */ uploadPrefix("*").concat("*");

/** `<tenant>/`: a tenant's results. */
export function resultsPrefix(tenant: string): string {
  return `${tenant}/`;
}

/** `athena-results/<tenant>/`: a tenant workgroup's query results. */
export function tenantQueryResultsPrefix(tenant: string): string {
  return `${ATHENA_RESULTS_PREFIX}${tenant}/`;
}

/** `<tenant>/YYYY/MM/DD/<call_id>.json` for a UTC date. */
export function resultKey(tenant: string, date: Date, callId: string): string {
  const y = date.getUTCFullYear();
  const m = String(date.getUTCMonth() + 1).padStart(2, "0");
  const d = String(date.getUTCDate()).padStart(2, "0");
  return `${tenant}/${y}/${m}/${d}/${callId}.json`;
}

/** Every call record's key ({@link resultKey}) as an IAM resource pattern: `<tenant>/YYYY/MM/DD/<call_id>.json`. */
export const RESULT_RECORDS_GLOB = "*/????/??/??/*.json";

/** Transcribe's output key for a job: `tmp/<tenant>/<job>.json`. */
export function transcribeOutputKey(tenant: string, jobName: string): string {
  return `${TMP_PREFIX}${tenant}/${jobName}.json`;
}

/** `cci-lite/reconcile/done/<YYYY-MM-DDTHH>/`: the markers of jobs created in one UTC hour. */
export function doneMarkerPrefix(jobCreated: Date): string {
  return `${DONE_MARKER_PREFIX}${jobCreated.toISOString().slice(0, 13)}/`;
}

/** analyze's claims on jobs (services/job-claim.ts): who analyses a job now, and the sentiment it already paid for. */
export const JOB_CLAIM_PREFIX = "cci-lite/jobs/";

/** The claim object of one job. */
export function jobClaimKey(jobName: string): string {
  return `${JOB_CLAIM_PREFIX}${jobName}.json`;
}

/** The marker of one settled job; keyed by its creation hour so reconcile lists a window's markers in a few calls. */
export function doneMarkerKey(jobCreated: Date, jobName: string): string {
  return `${doneMarkerPrefix(jobCreated)}${jobName}`;
}
