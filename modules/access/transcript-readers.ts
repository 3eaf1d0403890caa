/**
 * `access.transcriptReaders` (opt-in, docs/security.md): the only people who may read transcripts, one tenant at a
 * time. Transcribe's output under `tmp/<tenant>/` holds every word of a call, which the results' summary does not;
 * analysts and operators are denied it outright (`NeverReadTranscripts`, ./index.ts), so a reader's role is in neither
 * group (modules/config/access-rules.ts). A reader also reads the tenant's records, to know which transcript belongs
 * to which call (`npm run report -- --env … --transcripts`); nothing else of the environment.
 */
import { resultsPrefix, TMP_PREFIX } from "../../lambda-src/contracts/storage-layout";
import type { SecureBucket } from "../constructs/secure-bucket";
import type { Grantee } from "../iam/policy";

/** `tmp/<tenant>/`: one tenant's transcripts (lambda-src/contracts/storage-layout.ts transcribeOutputKey). */
export const tenantTranscriptsPrefix = (tenant: string): string => `${TMP_PREFIX}${tenant}/`;

/** List and read one tenant's records and transcripts in the results bucket, and decrypt them (S3 asks the key). */
export function grantTranscriptReading(p: Grantee, results: SecureBucket, tenant: string): void {
  p.addToPrincipalPolicy({
    Sid: "ListTenantRecordsAndTranscripts",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: results.bucketArn,
    // The listing of a day's records, and a missing object's 404 (not 403) for a record or a transcript.
    Condition: { StringLike: { "s3:prefix": [`${resultsPrefix(tenant)}*`, `${tenantTranscriptsPrefix(tenant)}*`] } },
  });
  results.grantRead(p, "ReadTenantRecords", `${resultsPrefix(tenant)}*`);
  results.grantRead(p, "ReadTenantTranscripts", `${tenantTranscriptsPrefix(tenant)}*`);
}
