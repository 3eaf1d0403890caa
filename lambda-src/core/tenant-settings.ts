/**
 * The per-tenant settings the pipeline reads at run time from SSM Parameter Store
 * (`/cci-lite/<env>/config/tenants/<tenant-id>`), written there by the infrastructure from the configuration.
 * This file is the single definition of that document's shape.
 */
import type { TranscribeLanguage } from "./languages";

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

/** SSM parameter names, shared by the infrastructure that writes them and the handlers that read them. */
export function configParameterPath(environment: string): string {
  return `/cci-lite/${environment}/config`;
}
export function tenantParameterName(environment: string, tenantId: string): string {
  return `${configParameterPath(environment)}/tenants/${tenantId}`;
}
export function modelsParameterName(environment: string): string {
  return `${configParameterPath(environment)}/models`;
}

/**
 * Parses the SSM tenant document, tolerating missing optional fields (redaction off, 2 speakers, 30 days).
 * Throws on a document that cannot be used (no languages, more than five, not JSON).
 */
export function parseTenantSettings(tenantId: string, json: string): TenantSettings {
  const raw = JSON.parse(json) as Partial<Record<keyof TenantSettings, unknown>>;
  const languages = raw.languages;
  if (!Array.isArray(languages) || languages.length < 1 || languages.length > 5 || !languages.every((l) => typeof l === "string")) {
    throw new Error(`Tenant ${tenantId}: "languages" must be 1-5 Transcribe language codes`);
  }
  const max = typeof raw.max_speakers === "number" && Number.isFinite(raw.max_speakers) ? raw.max_speakers : 2;
  return {
    tenant_id: typeof raw.tenant_id === "string" && raw.tenant_id ? raw.tenant_id : tenantId,
    languages: languages as TranscribeLanguage[],
    redact_pii: raw.redact_pii === true,
    max_speakers: Math.min(30, Math.max(2, Math.floor(max))),
    results_retention_days: typeof raw.results_retention_days === "number" ? raw.results_retention_days : 30,
  };
}
