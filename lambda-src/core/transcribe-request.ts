/**
 * The StartTranscriptionJob request for one accepted upload, and the job tags that carry the upload's identity
 * to the analyze handler. Pure: only SDK *types* are imported.
 */
import type { StartTranscriptionJobCommandInput, Tag } from "@aws-sdk/client-transcribe";
import type { TenantSettings } from "../contracts/tenant-settings";
import { REDACTION_LANGUAGES } from "./languages";
import type { MediaFormatName } from "./s3-key";
import { transcribeOutputKey } from "../contracts/storage-layout";

/**
 * Job tag keys (tag values: up to 256 characters). A string enum: esbuild inlines the keys where they are used, so
 * the analyze bundle, which reads the tags, carries no table of them.
 */
export enum TAG {
  tenant = "tenant",
  callId = "call_id",
  sourceKeyHash = "source_key_sha256",
  uploadedAt = "uploaded_at",
  versionId = "source_version_id",
  etag = "source_etag",
  size = "source_size_bytes",
}

export interface UploadFacts {
  readonly tenant: string;
  readonly callId: string;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | null;
  readonly etag?: string | null;
  readonly size: number;
  /** S3 event time, ISO 8601. */
  readonly uploadedAt: string;
  readonly sourceKeyHash: string;
}

export interface StartJobParams {
  readonly jobName: string;
  readonly upload: UploadFacts;
  readonly mediaFormat: MediaFormatName;
  readonly tenant: TenantSettings;
  /** Channels from the audio header; 2 = channel identification, else speaker labels. */
  readonly channels: number | undefined;
  readonly resultsBucket: string;
  readonly kmsKeyArn: string;
  readonly dataAccessRoleArn: string;
}

/** Tag values may only use letters, digits, spaces and `_.:/=+-@`; anything else becomes `_`. */
function tagValue(v: string): string {
  return v.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_").slice(0, 256);
}

export function jobTags(u: UploadFacts): Tag[] {
  const tags: Tag[] = [
    { Key: TAG.tenant, Value: u.tenant },
    { Key: TAG.callId, Value: u.callId },
    { Key: TAG.sourceKeyHash, Value: u.sourceKeyHash },
    { Key: TAG.uploadedAt, Value: u.uploadedAt },
    { Key: TAG.size, Value: String(u.size) },
  ];
  if (u.versionId) tags.push({ Key: TAG.versionId, Value: tagValue(u.versionId) });
  if (u.etag) tags.push({ Key: TAG.etag, Value: tagValue(u.etag.replace(/"/g, "")) });
  return tags.map((t) => ({ Key: t.Key, Value: tagValue(t.Value ?? "") }));
}

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined && t.Value !== undefined) out[t.Key] = t.Value;
  return out;
}

/**
 * The request, exactly as the tenant is configured. The only way to {@link TenantSettings} at run time is
 * `parseTenantSettings` (contracts), which enforces every rule (1-5 languages, redaction with one redaction
 * language only, 2-30 speakers) and rejects the upload with INVALID_TENANT_SETTINGS otherwise. Redaction is
 * checked once more here, because its failure mode is the worst: a tenant with `redact_pii` whose request could
 * not carry `ContentRedaction` (several languages, or one without PII redaction) throws instead of ever starting
 * an unredacted job (the message is retried, then lands in the intake dead-letter queue, which alarms).
 */
export function buildStartJobRequest(p: StartJobParams): StartTranscriptionJobCommandInput {
  const langs = p.tenant.languages;
  if (p.tenant.redact_pii && (langs.length !== 1 || !(REDACTION_LANGUAGES as readonly string[]).includes(langs[0]))) {
    throw new Error(
      `Tenant ${p.upload.tenant} requires PII redaction, which Transcribe cannot apply with languages ${langs.join(", ")}; not starting an unredacted job`,
    );
  }
  const stereo = p.channels === 2;
  return {
    TranscriptionJobName: p.jobName,
    Media: { MediaFileUri: `s3://${p.upload.bucket}/${p.upload.key}` },
    MediaFormat: p.mediaFormat,
    OutputBucketName: p.resultsBucket,
    OutputKey: transcribeOutputKey(p.upload.tenant, p.jobName),
    OutputEncryptionKMSKeyId: p.kmsKeyArn,
    ...(langs.length === 1 ? { LanguageCode: langs[0] } : { IdentifyLanguage: true, LanguageOptions: [...langs] }),
    Settings: stereo ? { ChannelIdentification: true } : { ShowSpeakerLabels: true, MaxSpeakerLabels: p.tenant.max_speakers },
    ...(p.tenant.redact_pii ? { ContentRedaction: { RedactionType: "PII", RedactionOutput: "redacted" } } : {}),
    JobExecutionSettings: { DataAccessRoleArn: p.dataAccessRoleArn, AllowDeferredExecution: true },
    Tags: jobTags(p.upload),
  };
}
