/**
 * The AWS calls of each handler: one row per SDK command it sends. The one home of "what a function calls".
 *
 * - The bundler's size floor (modules/constructs/bundle-floor.ts) bundles exactly these commands with the
 *   Powertools logger and metrics: the irreducible part of each bundle with a bundled SDK.
 * - `__tests__/bundle/aws-calls.test.ts` checks the table against the built bundles: a handler whose bundle
 *   holds a command missing here (or the other way round) fails, so the table cannot drift from the code.
 *
 * - The infrastructure derives from it each function role's statements (modules/processor/call-grants.ts), the
 *   VPC endpoint list and the endpoint policies (modules/network), and the tests derive the network checks and the
 *   IAM simulations (`__tests__/security/aws-calls-simulation.test.ts`) from it.
 *
 * `client` is the SDK package suffix (`@aws-sdk/client-<client>`) and the VPC endpoint's service suffix;
 * `actions` are the IAM actions AWS authorises the call as (Service Authorization Reference).
 */
import type { HandlerName } from "./handlers";

export const AWS_CLIENTS = ["s3", "ssm", "transcribe", "comprehend", "bedrock-runtime", "lambda"] as const;
export type AwsClient = (typeof AWS_CLIENTS)[number];

/**
 * What a call acts on, by kind; the infrastructure maps each kind to ARNs, to the role statements that grant it
 * (modules/processor/call-grants.ts) and to the VPC endpoint policy statements (modules/network/endpoint-policies.ts).
 */
export const AWS_RESOURCES = [
  /** Uploaded audio under `<tenant>/calls/` in the input bucket (and its versions). */
  "uploads",
  /** The call records under `<tenant>/YYYY/MM/DD/` in the results bucket. */
  "callRecords",
  /** Every object of the results bucket (transcripts, records, the pipeline's own state). */
  "resultObjects",
  /** Writes to the results bucket, never under `tmp/` or `athena-results/`. */
  "records",
  /** The tenant settings' SSM parameters. */
  "tenantSettings",
  /** A new Transcribe job writing into the results bucket with the data-access role. */
  "newJobs",
  /** This deployment's Transcribe jobs (job-name prefix). */
  "ownJobs",
  /** Calls that support no resource-level permission (`*`). */
  "any",
  /** The summary model: the inference profile and its foundation models. */
  "summaryModel",
  /** The analyze function. */
  "analyzeFunction",
] as const;
export type AwsResource = (typeof AWS_RESOURCES)[number];

/** Deployment settings that turn a call on (the call is granted only when the setting is true). */
export type AwsCallCondition = "deleteInputOnSuccess";

export interface AwsCall {
  /** `@aws-sdk/client-<client>`; also the VPC endpoint's service suffix (`com.amazonaws.<region>.<client>`). */
  readonly client: AwsClient;
  /** The SDK command without its `Command` suffix (`GetObject`). */
  readonly command: string;
  /** What the call acts on. */
  readonly resource: AwsResource;
  /** The IAM actions AWS authorises the call as (an S3 read also lists the bucket, so a missing key reads as 404). */
  readonly actions: readonly string[];
  /** Granted only when this deployment setting is on. @default always */
  readonly when?: AwsCallCondition;
}

const call = (client: AwsClient, command: string, resource: AwsResource, actions: string[], when?: AwsCallCondition): AwsCall =>
  when ? { client, command, resource, actions, when } : { client, command, resource, actions };

export const AWS_CALLS: Record<HandlerName, readonly AwsCall[]> = {
  start: [
    call("ssm", "GetParameter", "tenantSettings", ["ssm:GetParameter"]),
    call("s3", "GetObject", "uploads", ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]),
    call("s3", "GetObject", "callRecords", ["s3:GetObject", "s3:ListBucket"]),
    call("s3", "PutObject", "records", ["s3:PutObject"]),
    call("transcribe", "StartTranscriptionJob", "newJobs", ["transcribe:StartTranscriptionJob", "transcribe:TagResource", "iam:PassRole"]),
  ],
  analyze: [
    call("transcribe", "GetTranscriptionJob", "ownJobs", ["transcribe:GetTranscriptionJob"]),
    call("s3", "GetObject", "resultObjects", ["s3:GetObject", "s3:ListBucket"]),
    // The exact upload: one byte of the audio IfMatch the job's ETag (a 404 for a gone key needs the listing).
    call("s3", "GetObject", "uploads", ["s3:GetObject", "s3:ListBucket"]),
    call("s3", "PutObject", "records", ["s3:PutObject"]),
    // A conditional delete (If-Match the processed ETag) needs s3:GetObject besides s3:DeleteObject (S3 User Guide).
    call("s3", "DeleteObject", "uploads", ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject"], "deleteInputOnSuccess"),
    call("comprehend", "DetectSentiment", "any", ["comprehend:DetectSentiment"]),
    call("comprehend", "BatchDetectSentiment", "any", ["comprehend:BatchDetectSentiment"]),
    call("bedrock-runtime", "Converse", "summaryModel", ["bedrock:InvokeModel"]),
  ],
  reconcile: [
    call("transcribe", "ListTranscriptionJobs", "any", ["transcribe:ListTranscriptionJobs"]),
    call("transcribe", "GetTranscriptionJob", "ownJobs", ["transcribe:GetTranscriptionJob"]),
    call("s3", "GetObject", "resultObjects", ["s3:GetObject", "s3:ListBucket"]),
    call("s3", "PutObject", "records", ["s3:PutObject"]),
    call("s3", "ListObjectsV2", "resultObjects", ["s3:ListBucket"]),
    call("lambda", "Invoke", "analyzeFunction", ["lambda:InvokeFunction"]),
  ],
};

/** The IAM service prefix of a client's actions (`bedrock` for bedrock-runtime). */
export const iamPrefix = (client: AwsClient): string => (client === "bedrock-runtime" ? "bedrock" : client);

/**
 * Each client's SDK service id (`serviceId` of the client's configuration; a test reads it from the real clients).
 * The SDK takes a service's endpoint from `AWS_ENDPOINT_URL_<service id upper-cased, spaces to underscores>` before
 * `AWS_ENDPOINT_URL` and before its own resolution (AWS SDKs and Tools Reference Guide, "Service-specific
 * endpoints"; @smithy/core `getEndpointUrlConfig`), unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 */
export const SDK_SERVICE_IDS: Record<AwsClient, string> = {
  s3: "S3",
  ssm: "SSM",
  transcribe: "Transcribe",
  comprehend: "Comprehend",
  "bedrock-runtime": "Bedrock Runtime",
  lambda: "Lambda",
};

/** The environment variable that points a client at another endpoint: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`. */
export const endpointUrlVariable = (client: AwsClient): string => `AWS_ENDPOINT_URL_${SDK_SERVICE_IDS[client].toUpperCase().replace(/ /g, "_")}`;

/** The clients a handler sends calls with (whatever the settings: a gated call still needs its endpoint). */
export const clientsOf = (handler: HandlerName): AwsClient[] => [...new Set(AWS_CALLS[handler].map((c) => c.client))];

/**
 * A handler's endpoint variables: one per client it uses that has an entry in `urls` (the interface endpoints
 * without private DNS, modules/network), none for the others.
 */
export function endpointUrlEnvironment(handler: HandlerName, urls: Readonly<Partial<Record<AwsClient, string>>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const client of clientsOf(handler)) {
    const url = urls[client];
    if (url !== undefined) out[endpointUrlVariable(client)] = url;
  }
  return out;
}
