/**
 * Endpoint policies (guide §12, docs/network.md): every endpoint allows only this environment's function roles
 * (`aws:PrincipalArn`), only the actions they are granted, and where the service has resource-level permissions,
 * only this environment's resources. The identity policies (modules/processor/functions.ts) still decide; these
 * are a second fence that holds even for credentials taken elsewhere and used from inside the VPC.
 *
 * Resource-level scoping per the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
 * S3 (bucket and object ARNs), Transcribe `GetTranscriptionJob` (transcription-job ARN; `StartTranscriptionJob`,
 * `TagResource` on a new job and `ListTranscriptionJobs` support no resource and need `*`), Comprehend
 * `DetectSentiment`/`BatchDetectSentiment` (no resource types: `*`), Bedrock `InvokeModel` (inference-profile and
 * foundation-model ARNs; Converse is authorised as InvokeModel), SSM `GetParameter` (parameter ARN), Lambda
 * `InvokeFunction` (function ARN).
 */
import type { Statement } from "../iam/policy";

export interface EndpointPolicyScope {
  /** The pipeline's function roles: the only principals the endpoints serve. */
  readonly functionRoleArns: readonly string[];
  /** The input and results buckets. */
  readonly bucketArns: readonly string[];
  /** This environment's Transcribe jobs (`…:transcription-job/<prefix>*`). */
  readonly transcriptionJobArn: string;
  /** The tenant settings' SSM path (`…:parameter/cci-lite/<env>/config`). */
  readonly configPathArn: string;
  /** The summary model: the inference profile and its foundation models. */
  readonly bedrockResourceArns: readonly string[];
  /** The analyze function (reconcile hands jobs to it). */
  readonly analyzeFunctionArn: string;
}

/** Statements of each endpoint's policy, by service suffix (`s3`, `transcribe`, …). */
export function endpointPolicies(scope: EndpointPolicyScope): Record<string, Statement[]> {
  const fromFunctions = { ArnEquals: { "aws:PrincipalArn": [...scope.functionRoleArns] } };
  const allow = (Sid: string, Action: string | string[], Resource: string | string[]): Statement => ({
    Sid,
    Effect: "Allow",
    Principal: "*",
    Action,
    Resource,
    Condition: fromFunctions,
  });
  return {
    s3: [
      allow(
        "PipelineObjects",
        ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        scope.bucketArns.map((b) => `${b}/*`),
      ),
      allow("PipelineBuckets", "s3:ListBucket", [...scope.bucketArns]),
    ],
    transcribe: [
      allow("StartAndListJobs", ["transcribe:StartTranscriptionJob", "transcribe:TagResource", "transcribe:ListTranscriptionJobs"], "*"),
      allow("ReadOwnJobs", "transcribe:GetTranscriptionJob", scope.transcriptionJobArn),
    ],
    comprehend: [allow("DetectSentiment", ["comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"], "*")],
    "bedrock-runtime": [allow("InvokeSummaryModel", "bedrock:InvokeModel", [...scope.bedrockResourceArns])],
    ssm: [allow("ReadTenantSettings", "ssm:GetParameter", `${scope.configPathArn}/*`)],
    lambda: [allow("HandJobsToAnalyze", "lambda:InvokeFunction", scope.analyzeFunctionArn)],
  };
}
