/**
 * What the calls of lambda-src/contracts/aws-calls.ts act on, shared by the two places that scope them: the function
 * roles (modules/processor/call-grants.ts) and the VPC endpoint policies (modules/network/endpoint-policies.ts).
 * One home for the ARNs each resource kind names and for the S3 object patterns of the bucket kinds.
 */
import type { AwsCallCondition, AwsResource } from "../../lambda-src/contracts/aws-calls";
import { ALL_UPLOADS_GLOB, RESULT_RECORDS_GLOB } from "../../lambda-src/contracts/storage-layout";

/** The ARNs of the non-bucket resource kinds, and the settings that turn calls on. */
export interface CallTargets {
  /** This environment's Transcribe jobs (`…:transcription-job/<prefix>*`). */
  readonly transcriptionJobArn: string;
  /** The tenant settings' SSM path (`…:parameter/cci-lite/<env>/config`). */
  readonly configPathArn: string;
  /** The summary model: the inference profile and its foundation models. */
  readonly bedrockResourceArns: readonly string[];
  /** The analyze function (reconcile hands jobs to it). */
  readonly analyzeFunctionArn: string;
  /** The deployment settings that turn calls on (a call that is off is granted nowhere). */
  readonly settings: Readonly<Record<AwsCallCondition, boolean>>;
}

/** The bucket and object pattern of each S3 resource kind (`s3:ListBucket` goes to the bucket itself). */
export const S3_TARGETS = {
  uploads: { bucket: "input", pattern: ALL_UPLOADS_GLOB },
  callRecords: { bucket: "results", pattern: RESULT_RECORDS_GLOB },
  resultObjects: { bucket: "results", pattern: "*" },
  records: { bucket: "results", pattern: "*" },
} as const satisfies Partial<Record<AwsResource, { bucket: "input" | "results"; pattern: string }>>;
