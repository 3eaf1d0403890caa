/**
 * The AWS calls of each handler: one row per SDK command it sends. The one home of "what a function calls".
 *
 * - The bundler's size floor (modules/constructs/bundle-floor.ts) bundles exactly these commands with the
 *   Powertools logger and metrics: the irreducible part of each bundle with a bundled SDK.
 * - `__tests__/bundle/aws-calls.test.ts` checks the table against the built bundles: a handler whose bundle
 *   holds a command missing here (or the other way round) fails, so the table cannot drift from the code.
 *
 * `client` is the SDK package suffix (`@aws-sdk/client-<client>`) and the VPC endpoint's service suffix;
 * `actions` are the IAM actions AWS authorises the call as (Service Authorization Reference).
 */
import type { HandlerName } from "./handlers";

export const AWS_CLIENTS = ["s3", "ssm", "transcribe", "comprehend", "bedrock-runtime", "lambda"] as const;
export type AwsClient = (typeof AWS_CLIENTS)[number];

export interface AwsCall {
  /** `@aws-sdk/client-<client>`; also the VPC endpoint's service suffix (`com.amazonaws.<region>.<client>`). */
  readonly client: AwsClient;
  /** The SDK command without its `Command` suffix (`GetObject`). */
  readonly command: string;
  /** The IAM actions the call is authorised as. */
  readonly actions: readonly string[];
}

const call = (client: AwsClient, command: string, ...actions: string[]): AwsCall => ({ client, command, actions });

export const AWS_CALLS: Record<HandlerName, readonly AwsCall[]> = {
  start: [
    call("ssm", "GetParameter", "ssm:GetParameter"),
    call("s3", "GetObject", "s3:GetObject", "s3:GetObjectVersion"),
    call("s3", "PutObject", "s3:PutObject"),
    call("transcribe", "StartTranscriptionJob", "transcribe:StartTranscriptionJob", "transcribe:TagResource", "iam:PassRole"),
  ],
  analyze: [
    call("transcribe", "GetTranscriptionJob", "transcribe:GetTranscriptionJob"),
    call("s3", "GetObject", "s3:GetObject"),
    call("s3", "PutObject", "s3:PutObject"),
    call("s3", "DeleteObject", "s3:DeleteObject"),
    call("comprehend", "DetectSentiment", "comprehend:DetectSentiment"),
    call("comprehend", "BatchDetectSentiment", "comprehend:BatchDetectSentiment"),
    call("bedrock-runtime", "Converse", "bedrock:InvokeModel"),
  ],
  reconcile: [
    call("transcribe", "ListTranscriptionJobs", "transcribe:ListTranscriptionJobs"),
    call("transcribe", "GetTranscriptionJob", "transcribe:GetTranscriptionJob"),
    call("s3", "GetObject", "s3:GetObject"),
    call("s3", "PutObject", "s3:PutObject"),
    call("s3", "ListObjectsV2", "s3:ListBucket"),
    call("lambda", "Invoke", "lambda:InvokeFunction"),
  ],
};
