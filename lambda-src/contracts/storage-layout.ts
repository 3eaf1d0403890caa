/**
 * Where things live in the two buckets. The infrastructure scopes policies and lifecycle rules with these
 * prefixes; the handlers build keys with the same functions.
 *
 * Input bucket:   `<tenant>/calls/<file>`                 (uploads)
 * Results bucket: `<tenant>/YYYY/MM/DD/<call_id>.json`    (one result per call)
 *                 `unassigned/YYYY/MM/DD/<call_id>.json`  (uploads that name no configured tenant)
 *                 `tmp/<tenant>/<job>.json`               (Transcribe's transcripts)
 *                 `athena-results/[<tenant>/]`            (Athena query results)
 */

/** Key segment after the tenant under which uploads are accepted. */
export const CALLS_SEGMENT = "calls";
/** Results-bucket prefix of Transcribe's output. */
export const TMP_PREFIX = "tmp/";
/** Results-bucket prefix of Athena query results. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";
/** The tenant value and results prefix for uploads that name no configured tenant. */
export const UNASSIGNED_TENANT = "unassigned";
/** Top-level prefixes the pipeline uses itself (or that AWS reserves); no tenant id may shadow them. */
export const RESERVED_PREFIXES = ["tmp", "athena-results", UNASSIGNED_TENANT, "aws", "cci-lite"] as const;

/** `<tenant>/calls/`: where a tenant uploads. */
export function uploadPrefix(tenant: string): string {
  return `${tenant}/${CALLS_SEGMENT}/`;
}

/** Glob (in IAM resource ARNs) of every upload of every tenant: `* /calls/*` without the space. */
export const ALL_UPLOADS_GLOB = `*/${CALLS_SEGMENT}/*`;

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

/** Transcribe's output key for a job: `tmp/<tenant>/<job>.json`. */
export function transcribeOutputKey(tenant: string, jobName: string): string {
  return `${TMP_PREFIX}${tenant}/${jobName}.json`;
}
