/**
 * SDK v3 clients, created once per container (lazily, so tests can mock them with aws-sdk-client-mock and
 * cold starts only pay for the clients a handler uses).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { TranscribeClient } from "@aws-sdk/client-transcribe";
import { ComprehendClient } from "@aws-sdk/client-comprehend";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { SSMClient } from "@aws-sdk/client-ssm";
import { LambdaClient } from "@aws-sdk/client-lambda";

let s3: S3Client | undefined;
let transcribe: TranscribeClient | undefined;
let comprehend: ComprehendClient | undefined;
let ssm: SSMClient | undefined;
let lambda: LambdaClient | undefined;
const bedrock = new Map<string, BedrockRuntimeClient>();

export const s3Client = (): S3Client => (s3 ??= new S3Client({}));
export const transcribeClient = (): TranscribeClient => (transcribe ??= new TranscribeClient({}));
export const comprehendClient = (): ComprehendClient => (comprehend ??= new ComprehendClient({}));
export const ssmClient = (): SSMClient => (ssm ??= new SSMClient({}));
export const lambdaClient = (): LambdaClient => (lambda ??= new LambdaClient({}));
/** Bedrock runtime in BEDROCK_REGION (the inference profile's source region). */
export function bedrockClient(region: string): BedrockRuntimeClient {
  let c = bedrock.get(region);
  if (!c) {
    // The SDK's own retries stay on (3 attempts); what is left after them is thrown for the async retry.
    c = new BedrockRuntimeClient({ region });
    bedrock.set(region, c);
  }
  return c;
}
