/**
 * The per-tenant settings the pipeline reads at run time from SSM Parameter Store
 * (`/cci-lite/<env>/config/tenants/<tenant-id>`), written there by the infrastructure from the configuration,
 * and the rules a tenant's settings must meet. The configuration schema (modules/config/schema.ts) and the
 * runtime parser below apply the same {@link tenantSettingsProblems}, so a rule lives here only.
 */
import { REDACTION_LANGUAGES, TRANSCRIBE_LANGUAGES, type TranscribeLanguage } from "../core/languages";

export interface TenantSettings {
  /** The tenant id; also its S3 prefix (`<id>/calls/` for uploads, `<id>/YYYY/MM/DD/` for results). */
  readonly tenant_id: string;
  /** One language: a fixed `LanguageCode`. Two to five: language identification over these options. */
  readonly languages: readonly TranscribeLanguage[];
  /** Transcribe PII redaction (`[PII]` in transcripts). Only with a single redaction-capable language. */
  readonly redact_pii: boolean;
  /** Upper bound for speaker labels on mono audio (2-30). */
  readonly max_speakers: number;
  /** Days a result JSON is kept for this tenant. */
  readonly results_retention_days: number;
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

/** Transcribe takes 2-5 `LanguageOptions` for identification; one language is a fixed `LanguageCode`. */
export const LANGUAGES_MIN = 1;
export const LANGUAGES_MAX = 5;
/** `MaxSpeakerLabels` range of Transcribe. */
export const SPEAKERS_MIN = 2;
export const SPEAKERS_MAX = 30;

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
  readonly field: "languages" | "redactPii" | "maxSpeakers";
  readonly message: string;
}

/**
 * Every way a tenant's language/redaction/speaker settings can be unusable for Transcribe. Empty when usable.
 * Used by the configuration schema (errors name `tenants[i].<field>`) and by the runtime parser (a hand-edited
 * SSM document that breaks a rule is rejected visibly, never transcribed differently than configured).
 */
export function tenantSettingsProblems(s: {
  readonly languages: readonly string[];
  readonly redactPii: boolean;
  readonly maxSpeakers: number;
}): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const langs = s.languages;
  if (langs.length < LANGUAGES_MIN || langs.length > LANGUAGES_MAX) {
    problems.push({ field: "languages", message: `must list ${LANGUAGES_MIN}-${LANGUAGES_MAX} Transcribe language codes, got ${langs.length}` });
  }
  const unknown = langs.filter((l) => !(TRANSCRIBE_LANGUAGES as readonly string[]).includes(l));
  if (unknown.length) problems.push({ field: "languages", message: `has codes Transcribe batch does not accept: ${unknown.join(", ")}` });
  if (new Set(langs).size !== langs.length) problems.push({ field: "languages", message: "lists a language twice" });
  if (s.redactPii && langs.length > 1) {
    problems.push({
      field: "redactPii",
      message: "cannot be combined with language identification (more than one language): Transcribe does not support both",
    });
  }
  if (s.redactPii && langs.length === 1 && !(REDACTION_LANGUAGES as readonly string[]).includes(langs[0])) {
    problems.push({ field: "redactPii", message: `is not available for ${langs[0]} (supported: ${REDACTION_LANGUAGES.join(", ")})` });
  }
  if (!Number.isInteger(s.maxSpeakers) || s.maxSpeakers < SPEAKERS_MIN || s.maxSpeakers > SPEAKERS_MAX) {
    problems.push({ field: "maxSpeakers", message: `must be a whole number ${SPEAKERS_MIN}-${SPEAKERS_MAX}, got ${s.maxSpeakers}` });
  }
  return problems;
}

/**
 * Parses the SSM tenant document. Missing optional fields take their defaults (redaction off, 2 speakers,
 * 30 days); a document that breaks a rule of {@link tenantSettingsProblems} throws with every problem named.
 */
export function parseTenantSettings(tenantId: string, json: string): TenantSettings {
  const raw = JSON.parse(json) as Partial<Record<keyof TenantSettings, unknown>>;
  const languages = Array.isArray(raw.languages) ? raw.languages.filter((l): l is string => typeof l === "string") : [];
  if (!Array.isArray(raw.languages) || languages.length !== raw.languages.length) {
    throw new Error(`Tenant ${tenantId}: "languages" must be an array of Transcribe language codes`);
  }
  const settings: TenantSettings = {
    tenant_id: typeof raw.tenant_id === "string" && raw.tenant_id ? raw.tenant_id : tenantId,
    languages: languages as TranscribeLanguage[],
    redact_pii: raw.redact_pii === true,
    max_speakers: typeof raw.max_speakers === "number" ? raw.max_speakers : SPEAKERS_MIN,
    results_retention_days: typeof raw.results_retention_days === "number" ? raw.results_retention_days : 30,
  };
  const problems = tenantSettingsProblems({ languages: settings.languages, redactPii: settings.redact_pii, maxSpeakers: settings.max_speakers });
  if (problems.length) throw new Error(`Tenant ${tenantId}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`);
  return settings;
}
