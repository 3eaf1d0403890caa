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
