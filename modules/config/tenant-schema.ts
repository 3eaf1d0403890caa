/**
 * One tenant of the configuration (`tenants[]`): its id, its settings (declared in lambda-src/contracts/tenant-settings.ts,
 * written to its SSM document) and the principals and groups the infrastructure gives access.
 */
import { z } from "zod";
import { type CategoryRule, categoryRuleProblems, describeRuleProblem } from "../../lambda-src/core/category-rules";
import type { TranscribeLanguage } from "../../lambda-src/core/languages";
import { RESERVED_PREFIXES } from "../../lambda-src/contracts/storage-layout";
import {
  type SettingDeclaration,
  TENANT_SETTING_LIST,
  type TENANT_SETTINGS,
  type TenantSettingName,
  tenantSettingsProblems,
} from "../../lambda-src/contracts/tenant-settings";
import { exercisedBy, principals, QUICKSIGHT_NAME, TENANT_ID } from "./fields";

/** The zod schema of a setting's kind; its range and the rules across settings are `tenantSettingsProblems`' (below). */
type KindSchema<D> = D extends { readonly kind: "boolean" }
  ? z.ZodBoolean
  : D extends { readonly kind: "integer" }
    ? z.ZodNumber
    : D extends { readonly kind: "categories" }
      ? z.ZodType<readonly CategoryRule[]>
      : z.ZodArray<z.ZodCustom<TranscribeLanguage, TranscribeLanguage>>;
/** Settings that inherit an environment value stay optional (filled by `tenantDocument`); the others default. */
type FieldSchema<D> = D extends { readonly inherit: unknown } ? z.ZodOptional<KindSchema<D>> : z.ZodDefault<KindSchema<D>>;

function kindSchema(d: SettingDeclaration): z.ZodType {
  if (d.kind === "boolean") return z.boolean();
  if (d.kind === "integer") return z.number();
  // The rules' shapes and limits are categoryRuleProblems' (below), with messages naming the tenant and the rule.
  if (d.kind === "categories") return z.custom<readonly CategoryRule[]>((v) => Array.isArray(v), "must be an array of category rules");
  return z.array(z.custom<TranscribeLanguage>((v) => typeof v === "string", "must be a language code"));
}

/** The tenant settings' configuration fields, one per declaration of `TENANT_SETTINGS`. */
const settingFields = Object.fromEntries(
  TENANT_SETTING_LIST.map(([field, d]) => [field, d.inherit ? kindSchema(d).optional() : kindSchema(d).default(d.default as never)]),
) as { [K in TenantSettingName]: FieldSchema<(typeof TENANT_SETTINGS)[K]> };

export const tenantSchema = z
  .object({
    /** Tenant id: lower-case letters, digits and inner hyphens, 1-32 characters; it is the tenant's S3 prefix. */
    id: z
      .string()
      .regex(TENANT_ID, "must be 1-32 characters of a-z, 0-9 and inner '-' (it becomes an S3 prefix and an Athena partition value)")
      .refine((v) => !(RESERVED_PREFIXES as readonly string[]).includes(v), {
        message: `is reserved (${RESERVED_PREFIXES.join(", ")})`,
      }),
    // languages, redactPii, maxSpeakers, resultsRetentionDays, categories: declared in lambda-src/contracts/tenant-settings.ts.
    ...settingFields,
    /**
     * The call category rules change the analyze function's package (`category-rules.json`), and with QuickSight on
     * they fill the "Calls by category" visual: exercised by dev as committed and by prod-people (QuickSight, direct query).
     */
    categories: exercisedBy(settingFields.categories, "dev", "prod-people"),
    /**
     * IAM principals (account root, role or user ARNs) that may assume the tenant's read-only role
     * (guide §13, docs/security.md); defaults to this account's root (i.e. its IAM policies decide).
     */
    readerPrincipals: exercisedBy(
      z
        .array(z.string().regex(/^arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, "is not an IAM account root, role or user ARN"))
        .min(1)
        .optional(),
      "prod-people",
    ),
    /** Roles or users that upload this tenant's audio: `s3:PutObject` under `<tenant>/calls/` only, with the key. */
    uploaderPrincipals: exercisedBy(principals(), "prod-people"),
    /**
     * QuickSight groups (names in `quicksight.namespace`) whose members view the dashboard and see this tenant's rows
     * only (row-level security keyed on `tenant`, docs/security.md).
     */
    quicksightGroups: exercisedBy(z.array(z.string().regex(QUICKSIGHT_NAME, "is not a QuickSight group name")).default([]), "prod", "prod-people"),
  })
  .strict()
  .superRefine((t, ctx) => {
    // The rules the runtime applies to the SSM document too (lambda-src/contracts/tenant-settings.ts): one home.
    for (const p of tenantSettingsProblems(t)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
    for (const p of categoryRuleProblems(t.categories)) {
      const path = p.index === undefined ? ["categories"] : ["categories", p.index];
      ctx.addIssue({ code: "custom", path, message: describeRuleProblem(t.id, t.categories, p) });
    }
  });
