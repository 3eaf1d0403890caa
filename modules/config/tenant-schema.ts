/** One tenant of the configuration (`tenants[]`): its id, languages, redaction, speakers, retention and principals. */
import { z } from "zod";
import type { TranscribeLanguage } from "../../lambda-src/core/languages";
import { RESERVED_PREFIXES } from "../../lambda-src/contracts/storage-layout";
import { SPEAKERS_MIN, tenantSettingsProblems } from "../../lambda-src/contracts/tenant-settings";
import { days, principals, QUICKSIGHT_NAME, TENANT_ID } from "./fields";

export const tenantSchema = z
  .object({
    /** Tenant id: lower-case letters, digits and inner hyphens, 1-32 characters; it is the tenant's S3 prefix. */
    id: z
      .string()
      .regex(TENANT_ID, "must be 1-32 characters of a-z, 0-9 and inner '-' (it becomes an S3 prefix and an Athena partition value)")
      .refine((v) => !(RESERVED_PREFIXES as readonly string[]).includes(v), {
        message: `is reserved (${RESERVED_PREFIXES.join(", ")})`,
      }),
    /** One language code (fixed language) or 2-5 (language identification over these options). */
    languages: z.array(z.custom<TranscribeLanguage>((v) => typeof v === "string", "must be a language code")).default(["en-US"]),
    /** Transcribe PII redaction. Requires exactly one redaction-capable language. */
    redactPii: z.boolean().default(false),
    /** Maximum speaker labels for mono recordings (2-30). */
    maxSpeakers: z.number().default(SPEAKERS_MIN),
    /** Overrides `retention.resultsDays` for this tenant's results. */
    resultsRetentionDays: days(1, 3650).optional(),
    /**
     * IAM principals (account root, role or user ARNs) that may assume the tenant's read-only role
     * (guide §13, docs/security.md); defaults to this account's root (i.e. its IAM policies decide).
     */
    readerPrincipals: z
      .array(z.string().regex(/^arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, "is not an IAM account root, role or user ARN"))
      .min(1)
      .optional(),
    /** Roles or users that upload this tenant's audio: `s3:PutObject` under `<tenant>/calls/` only, with the key. */
    uploaderPrincipals: principals(),
    /**
     * QuickSight groups (names in `quicksight.namespace`) whose members view the dashboard and see this tenant's rows
     * only (row-level security keyed on `tenant`, docs/security.md).
     */
    quicksightGroups: z.array(z.string().regex(QUICKSIGHT_NAME, "is not a QuickSight group name")).default([]),
  })
  .strict()
  .superRefine((t, ctx) => {
    // The rules the runtime applies to the SSM document too (lambda-src/contracts/tenant-settings.ts): one home.
    for (const p of tenantSettingsProblems(t)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
  });
