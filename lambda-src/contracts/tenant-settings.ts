/**
 * The per-tenant settings, declared once in {@link TENANT_SETTINGS}: each setting's configuration field (the key),
 * its field in the SSM document (`/cci-lite/<env>/config/tenants/<tenant-id>`), its kind and range, and its default.
 * Everything else derives from the declaration:
 * - the configuration schema's tenant fields (modules/config/tenant-schema.ts maps each kind to zod),
 * - the SSM document written from the configuration ({@link tenantDocument}: the construct in modules/config-parameters
 *   and `cci upload`),
 * - its parse at run time ({@link parseTenantSettings}: the start function),
 * - the rules the configuration and the runtime both apply ({@link tenantSettingsProblems}).
 *
 * A `categories` setting (the tenant's call category rules, lambda-src/core/category-rules.ts) is too large for an
 * SSM Standard parameter (4 KB): it travels in the analyze function's package instead ({@link categoryDocument},
 * file `CATEGORY_RULES_FILE` of core/category-rules.ts), not in the SSM document.
 *
 * Plain data and functions (no zod, no SDK): the start function's bundle includes this file.
 */
import type { CategoryDocument, CategoryRule } from "../core/category-rules";
import { REDACTION_LANGUAGES, TRANSCRIBE_LANGUAGES, type TranscribeLanguage } from "../core/languages";

/** What a setting holds: its type, its configuration schema (modules/config/tenant-schema.ts) and its checks below. */
export type SettingDeclaration = {
  /** Field name in the SSM document (snake_case; the configuration field is the declaration's key). */
  readonly document: string;
  /**
   * The environment-wide value a tenant without its own falls back to ({@link TenantSettingsEnvironment});
   * `default` then only serves documents written before the setting existed.
   */
  readonly inherit?: (environment: TenantSettingsEnvironment) => number | boolean;
  /** A document without this field is unusable (no default at run time); the configuration still defaults it. */
  readonly requiredInDocument?: true;
} & (
  | { readonly kind: "boolean"; readonly default: boolean }
  /** A whole number `min`-`max`. */
  | { readonly kind: "integer"; readonly min: number; readonly max: number; readonly default: number }
  /** `min`-`max` distinct Transcribe language codes. */
  | { readonly kind: "languages"; readonly min: number; readonly max: number; readonly default: readonly TranscribeLanguage[] }
  /** Call category rules: checked by `categoryRuleProblems` (core/category-rules.ts), carried in the analyze package. */
  | { readonly kind: "categories"; readonly default: readonly CategoryRule[] }
);

/** The configuration's values that tenant settings inherit (`inherit`): the validated configuration satisfies it. */
export interface TenantSettingsEnvironment {
  readonly retention: { readonly resultsDays: number };
}

/**
 * The tenant settings. Adding one: declare it here, use it (e.g. lambda-src/core/transcribe-request.ts), document it
 * (docs/configuration.md), test it (docs/architecture.md, "How to add…").
 */
export const TENANT_SETTINGS = {
  /** One language: a fixed `LanguageCode`. Two to five: language identification over these options. */
  languages: { document: "languages", kind: "languages", min: 1, max: 5, default: ["en-US"], requiredInDocument: true },
  /** Transcribe PII redaction (`[PII]` in transcripts). Only with a single redaction-capable language. */
  redactPii: { document: "redact_pii", kind: "boolean", default: false },
  /** Upper bound for speaker labels on mono audio (Transcribe's `MaxSpeakerLabels`). */
  maxSpeakers: { document: "max_speakers", kind: "integer", min: 2, max: 30, default: 2 },
  /** Days a result JSON is kept for this tenant; by default the environment's `retention.resultsDays`. */
  resultsRetentionDays: {
    document: "results_retention_days",
    kind: "integer",
    min: 1,
    max: 3650,
    default: 30,
    inherit: (e: TenantSettingsEnvironment) => e.retention.resultsDays,
  },
  /** Call categories: rules matched on each call's transcript, summary and sentiment (docs/configuration.md). */
  categories: { document: "categories", kind: "categories", default: [] as readonly CategoryRule[] },
} as const satisfies Record<string, SettingDeclaration>;

type Declarations = typeof TENANT_SETTINGS;
/** A tenant setting's configuration field name, e.g. `maxSpeakers`. */
export type TenantSettingName = keyof Declarations;
/** The value type of a setting of the given declaration. */
export type SettingValue<D> = D extends { readonly kind: "boolean" }
  ? boolean
  : D extends { readonly kind: "integer" }
    ? number
    : D extends { readonly kind: "categories" }
      ? readonly CategoryRule[]
      : readonly TranscribeLanguage[];
/** A tenant's settings by configuration field name. */
export type TenantSettingValues = { readonly [K in TenantSettingName]: SettingValue<Declarations[K]> };
/** Settings the SSM document carries (all but `categories`, which the analyze package carries). */
type SsmSettingName = { [K in TenantSettingName]: Declarations[K] extends { readonly kind: "categories" } ? never : K }[TenantSettingName];
/** The SSM tenant document: the tenant id (also its S3 prefix) and every SSM setting under its document field name. */
export type TenantSettings = { readonly tenant_id: string } & {
  readonly [K in SsmSettingName as Declarations[K]["document"]]: SettingValue<Declarations[K]>;
};
/** Settings that fall back to an environment value (`inherit`): optional in the configuration. */
type InheritingName = { [K in TenantSettingName]: Declarations[K] extends { readonly inherit: unknown } ? K : never }[TenantSettingName];
/** A tenant's settings as the validated configuration has them: inheriting ones may be unset. */
export type ConfiguredSettingValues = Omit<TenantSettingValues, InheritingName> & Partial<Pick<TenantSettingValues, InheritingName>>;
/** A tenant as the configuration has it: its id and its settings, those it does not set left out. */
export type TenantSettingsConfig = { readonly id: string } & { readonly [K in TenantSettingName]?: SettingValue<Declarations[K]> };

/** The declarations as a list (typed loosely, for the code that treats every setting alike). */
export const TENANT_SETTING_LIST = Object.entries(TENANT_SETTINGS) as ReadonlyArray<[TenantSettingName, SettingDeclaration]>;
/** The settings of the SSM tenant document: every declaration but the `categories` kind. */
export const SSM_SETTING_LIST = TENANT_SETTING_LIST.filter(([, d]) => d.kind !== "categories");

/** The one builder of the category rules document from the configuration's tenants (validated at synth). */
export function categoryDocument(tenants: readonly TenantSettingsConfig[]): CategoryDocument {
  return Object.fromEntries(tenants.filter((t) => t.categories?.length).map((t) => [t.id, t.categories ?? []]));
}

/** The models document stored at `/cci-lite/<env>/config/models` (guide §5, with a current model). */
export interface ModelSettings {
  /** Bedrock model id or inference profile id used for summaries. */
  readonly bedrock_model_summary: string;
  /** Region the Bedrock runtime is called in (the inference profile's source region). */
  readonly bedrock_region: string;
  /** Maximum tokens the summary answer may use. */
  readonly max_tokens: number;
}

/** SSM parameter names, shared by the infrastructure that writes them and the handlers that read them. */
export function configParameterPath(environment: string): string {
  return `/cci-lite/${environment}/config`;
}
export function tenantParameterName(configPath: string, tenantId: string): string {
  return `${configPath}/tenants/${tenantId}`;
}
export function modelsParameterName(configPath: string): string {
  return `${configPath}/models`;
}

export interface SettingsProblem {
  /** Field of the tenant's configuration entry (camelCase, as in config/<env>.json). */
  readonly field: TenantSettingName;
  readonly message: string;
}

/**
 * Every way a tenant's settings can be unusable: each setting's own range ({@link TENANT_SETTINGS}), then the rules
 * across settings (Transcribe's redaction limits). Empty when usable. Used by the configuration schema (errors name
 * `tenants[i].<field>`) and by the runtime parser (a hand-edited SSM document that breaks a rule is rejected visibly,
 * never transcribed differently than configured).
 */
export function tenantSettingsProblems(s: ConfiguredSettingValues): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const add = (field: TenantSettingName, message: string) => problems.push({ field, message });
  // The categories are checked by categoryRuleProblems in the configuration schema (kept out of the start bundle).
  for (const [field, d] of SSM_SETTING_LIST) {
    const v = (s as Partial<TenantSettingValues>)[field];
    // An unset inheriting setting takes the environment's value, which its own section of the configuration checks.
    if (v === undefined) continue;
    if (d.kind === "integer" && (!Number.isInteger(v) || (v as number) < d.min || (v as number) > d.max)) {
      add(field, `must be a whole number ${d.min}-${d.max}, got ${v}`);
    }
    if (d.kind === "languages") {
      const langs = v as readonly string[];
      if (langs.length < d.min || langs.length > d.max) add(field, `must list ${d.min}-${d.max} Transcribe language codes, got ${langs.length}`);
      const unknown = langs.filter((l) => !(TRANSCRIBE_LANGUAGES as readonly string[]).includes(l));
      if (unknown.length) add(field, `has codes Transcribe batch does not accept: ${unknown.join(", ")}`);
      if (new Set(langs).size !== langs.length) add(field, "lists a language twice");
    }
  }
  const langs = s.languages;
  if (s.redactPii && langs.length > 1) {
    add("redactPii", "cannot be combined with language identification (more than one language): Transcribe does not support both");
  }
  if (s.redactPii && langs.length === 1 && !(REDACTION_LANGUAGES as readonly string[]).includes(langs[0])) {
    add("redactPii", `is not available for ${langs[0]} (supported: ${REDACTION_LANGUAGES.join(", ")})`);
  }
  return problems;
}

/** The document of the given settings. */
function documentOf(tenantId: string, values: TenantSettingValues): TenantSettings {
  const doc: Record<string, unknown> = { tenant_id: tenantId };
  for (const [field, d] of SSM_SETTING_LIST) doc[d.document] = values[field];
  return doc as TenantSettings;
}

/**
 * The SSM document of a tenant of the configuration: every setting, the tenant's own value, else the environment's
 * (`inherit`, e.g. `retention.resultsDays`), else the declared default. The one builder: the construct writes it,
 * `cci upload` checks files against it.
 */
export function tenantDocument(tenant: TenantSettingsConfig, environment: TenantSettingsEnvironment): TenantSettings {
  const values: Record<string, unknown> = {};
  for (const [field, d] of SSM_SETTING_LIST) values[field] = tenant[field] ?? d.inherit?.(environment) ?? d.default;
  return documentOf(tenant.id, values as TenantSettingValues);
}

/** Whether a document's value has the setting's type (ranges are {@link tenantSettingsProblems}'). */
function hasKind(d: SettingDeclaration, v: unknown): boolean {
  if (d.kind === "boolean") return typeof v === "boolean";
  if (d.kind === "integer") return typeof v === "number";
  if (d.kind === "categories") return Array.isArray(v);
  return Array.isArray(v) && v.every((l) => typeof l === "string");
}
const KIND_NAMES: Record<SettingDeclaration["kind"], string> = {
  boolean: "true or false",
  integer: "a number",
  languages: "an array of Transcribe language codes",
  categories: "an array of category rules",
};

/**
 * Parses the SSM tenant document. A field the document lacks takes its declared default (a document written before
 * the setting existed), except `requiredInDocument` ones; a field of the wrong type, or settings that break a rule of
 * {@link tenantSettingsProblems}, throw with every problem named.
 */
export function parseTenantSettings(tenantId: string, json: string): TenantSettings {
  const raw: unknown = JSON.parse(json);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`Tenant ${tenantId}: the document is not a JSON object`);
  const doc = raw as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  let problems: SettingsProblem[] = [];
  for (const [field, d] of SSM_SETTING_LIST) {
    const v = doc[d.document];
    if (v === undefined && !d.requiredInDocument) values[field] = d.default;
    else if (hasKind(d, v)) values[field] = v;
    else problems.push({ field, message: `must be ${KIND_NAMES[d.kind]} ("${d.document}" in the document)` });
  }
  if (!problems.length) problems = tenantSettingsProblems(values as TenantSettingValues);
  if (problems.length) throw new Error(`Tenant ${tenantId}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`);
  return documentOf(typeof doc.tenant_id === "string" && doc.tenant_id ? doc.tenant_id : tenantId, values as TenantSettingValues);
}
