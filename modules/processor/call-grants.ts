/**
 * The role statements of each function, derived from its AWS calls (lambda-src/contracts/aws-calls.ts): the calls
 * of one handler are grouped by the resource they act on, and each resource kind has one grant here that writes
 * the statements for exactly the actions those calls need (with the key, conditions and denies that go with it).
 * A new call on a known resource needs no change here; a new kind of resource adds one entry.
 */
import { AWS_CALLS, type AwsCallCondition, type AwsResource } from "../../lambda-src/contracts/aws-calls";
import type { HandlerName } from "../../lambda-src/contracts/handlers";
import { ATHENA_RESULTS_PREFIX, TMP_PREFIX } from "../../lambda-src/contracts/storage-layout";
import type { CustomerKey } from "../constructs/customer-key";
import type { PipelineFunction } from "../constructs/pipeline-function";
import type { Role } from "../constructs/role";
import type { SecureBucket } from "../constructs/secure-bucket";
import { type CallTargets, S3_TARGETS } from "../iam/call-targets";
import type { Statement } from "../iam/policy";

/** What the grants point at: the buckets, the key, the Transcribe role and the other resources' ARNs. */
export interface CallGrantScope extends CallTargets {
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  readonly key: CustomerKey;
  /** Transcribe's data-access role: the only role a new job may be given. */
  readonly transcribeRole: Role;
}

type Grant = (fn: PipelineFunction, actions: ReadonlySet<string>, scope: CallGrantScope) => void;

/** The actions of a statement, sorted; one action as a plain string. */
const act = (actions: Iterable<string>): string | string[] => {
  const sorted = [...actions].sort();
  return sorted.length === 1 ? sorted[0] : sorted;
};

/** Object actions of an S3 kind ({@link S3_TARGETS}), the bucket listing when asked, and the key to decrypt. */
function s3Objects(kind: keyof typeof S3_TARGETS, sid: string, listSid: string): Grant {
  return (fn, actions, scope) => {
    const { bucket, pattern } = S3_TARGETS[kind];
    const b = bucket === "input" ? scope.input : scope.results;
    const objectActions = [...actions].filter((a) => a !== "s3:ListBucket");
    if (objectActions.length > 0) fn.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: act(objectActions), Resource: b.objectsArn(pattern) });
    if (objectActions.some((a) => a.startsWith("s3:Get"))) scope.key.grantDecrypt(fn);
    if (actions.has("s3:ListBucket")) b.grantList(fn, listSid);
  };
}

/**
 * The summary model grant (Converse is authorised as `bedrock:InvokeModel`). A cross-region inference profile
 * (an `inference-profile/` ARN first, then `foundation-model/` ARNs) gets two statements: the profile itself, and
 * the foundation model in the regions the profile routes to, only when the request goes through this profile.
 * `bedrock:InferenceProfileArn` is the condition key Bedrock sets on the foundation-model authorisation of a
 * profile request (Service Authorization Reference, "Actions, resources, and condition keys for Amazon Bedrock",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html; used the same way
 * in https://repost.aws/knowledge-center/bedrock-access-denied-exception). A plain foundation model: one statement.
 */
export function bedrockStatements(arns: readonly string[]): Statement[] {
  const profiles = arns.filter((a) => a.includes(":inference-profile/"));
  const models = arns.filter((a) => !a.includes(":inference-profile/"));
  if (profiles.length === 0) return [{ Sid: "InvokeSummaryModel", Effect: "Allow", Action: "bedrock:InvokeModel", Resource: [...models] }];
  return [
    { Sid: "InvokeSummaryModel", Effect: "Allow", Action: "bedrock:InvokeModel", Resource: profiles },
    {
      Sid: "InvokeFoundationModelThroughProfile",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: models,
      Condition: { ArnEquals: { "bedrock:InferenceProfileArn": profiles.length === 1 ? profiles[0] : profiles } },
    },
  ];
}

/** One grant per resource kind. */
export const RESOURCE_GRANTS: Record<AwsResource, Grant> = {
  uploads: s3Objects("uploads", "UploadedAudio", "ListInput"),
  callRecords: s3Objects("callRecords", "ReadCallRecords", "ListResults"),
  resultObjects: s3Objects("resultObjects", "ReadResultsBucket", "ListResults"),
  // Records anywhere in the results bucket, never under tmp/ (Transcribe's output) or athena-results/.
  records: (fn, _actions, { results }) => {
    results.grantPut(fn, "WriteResultsAndErrorRecords");
    fn.addToPrincipalPolicy({
      Sid: "NeverWriteTranscriptsOrQueryResults",
      Effect: "Deny",
      Action: "s3:PutObject",
      Resource: [results.objectsArn(`${TMP_PREFIX}*`), results.objectsArn(`${ATHENA_RESULTS_PREFIX}*`)],
    });
  },
  tenantSettings: (fn, actions, s) =>
    fn.addToPrincipalPolicy({ Sid: "ReadTenantSettings", Effect: "Allow", Action: act(actions), Resource: `${s.configPathArn}/*` }),
  // StartTranscriptionJob and TagResource support no resource-level permissions (Service Authorization
  // Reference): a job ARN as Resource never matches, so the output bucket condition does the scoping. The caller
  // of StartTranscriptionJob with OutputEncryptionKMSKeyId needs the key too (Transcribe docs).
  newJobs: (fn, _actions, s) => {
    fn.addToPrincipalPolicy({
      Sid: "StartJobsIntoResultsBucket",
      Effect: "Allow",
      Action: "transcribe:StartTranscriptionJob",
      Resource: "*",
      Condition: { StringEquals: { "transcribe:OutputBucketName": s.results.bucketName } },
    });
    fn.addToPrincipalPolicy({ Sid: "TagJobs", Effect: "Allow", Action: "transcribe:TagResource", Resource: "*" });
    fn.addToPrincipalPolicy({
      Sid: "PassTranscribeDataAccessRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: s.transcribeRole.principalArn,
      Condition: { StringEquals: { "iam:PassedToService": "transcribe.amazonaws.com" } },
    });
    s.key.grant(fn, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]);
  },
  ownJobs: (fn, actions, s) => fn.addToPrincipalPolicy({ Sid: "ReadJobs", Effect: "Allow", Action: act(actions), Resource: s.transcriptionJobArn }),
  any: (fn, actions) => fn.addToPrincipalPolicy({ Sid: "NoResourceLevelCalls", Effect: "Allow", Action: act(actions), Resource: "*" }),
  summaryModel: (fn, _actions, s) => {
    for (const statement of bedrockStatements(s.bedrockResourceArns)) fn.addToPrincipalPolicy(statement);
  },
  analyzeFunction: (fn, actions, s) =>
    fn.addToPrincipalPolicy({ Sid: "HandJobsToAnalyze", Effect: "Allow", Action: act(actions), Resource: s.analyzeFunctionArn }),
};

/** The actions of a handler's granted calls, by the resource they act on. */
export function actionsByResource(handler: HandlerName, settings: Readonly<Record<AwsCallCondition, boolean>>): Map<AwsResource, Set<string>> {
  const out = new Map<AwsResource, Set<string>>();
  for (const c of AWS_CALLS[handler]) {
    if (c.when !== undefined && !settings[c.when]) continue;
    const set = out.get(c.resource) ?? new Set<string>();
    for (const a of c.actions) set.add(a);
    out.set(c.resource, set);
  }
  return out;
}

/** Grants a function every call of its handler (lambda-src/contracts/aws-calls.ts) and nothing else. */
export function grantCalls(fn: PipelineFunction, handler: HandlerName, scope: CallGrantScope): void {
  for (const [resource, actions] of actionsByResource(handler, scope.settings)) RESOURCE_GRANTS[resource](fn, actions, scope);
}
