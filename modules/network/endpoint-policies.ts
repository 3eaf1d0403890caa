/**
 * Endpoint policies (guide §12, docs/network.md): every endpoint allows only this environment's function roles
 * (`aws:PrincipalArn`), only the actions their calls need, and where the service has resource-level permissions,
 * only the resources those calls act on. Derived from the same table as the roles
 * (lambda-src/contracts/aws-calls.ts): per endpoint service, one statement per kind of resource, with the union of
 * the actions every function's calls on it need. The identity policies (modules/processor/call-grants.ts) still
 * decide; these are a second fence that holds even for credentials taken elsewhere and used from inside the VPC.
 *
 * Resource-level scoping per the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
 * S3 (bucket and object ARNs), Transcribe `GetTranscriptionJob` (transcription-job ARN; `StartTranscriptionJob`,
 * `TagResource` on a new job and `ListTranscriptionJobs` support no resource and need `*`), Comprehend
 * `DetectSentiment`/`BatchDetectSentiment` (no resource types: `*`), Bedrock `InvokeModel` (inference-profile and
 * foundation-model ARNs; Converse is authorised as InvokeModel), SSM `GetParameter` (parameter ARN), Lambda
 * `InvokeFunction` (function ARN).
 */
import { AWS_CALLS, type AwsClient, type AwsResource, iamPrefix } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";
import { type CallTargets, S3_TARGETS } from "../iam/call-targets";
import type { Statement } from "../iam/policy";

export interface EndpointPolicyScope extends CallTargets {
  /** The pipeline's function roles: the only principals the endpoints serve. */
  readonly functionRoleArns: readonly string[];
  readonly inputBucketArn: string;
  readonly resultsBucketArn: string;
}

/** The ARNs of a kind of resource: `objects` for object-level actions, `bucket` for `s3:ListBucket`. */
export function resourceArns(kind: AwsResource, s: EndpointPolicyScope): { readonly objects: readonly string[]; readonly bucket?: string } {
  switch (kind) {
    case "uploads":
    case "callRecords":
    case "resultObjects":
    case "records": {
      const t = S3_TARGETS[kind];
      const bucket = t.bucket === "input" ? s.inputBucketArn : s.resultsBucketArn;
      return { objects: [`${bucket}/${t.pattern}`], bucket };
    }
    case "tenantSettings":
      return { objects: [`${s.configPathArn}/*`] };
    case "ownJobs":
      return { objects: [s.transcriptionJobArn] };
    case "newJobs":
    case "any":
      return { objects: ["*"] };
    case "summaryModel":
      return { objects: [...s.bedrockResourceArns] };
    case "analyzeFunction":
      return { objects: [s.analyzeFunctionArn] };
  }
}

const pascal = (kind: string): string => (kind === "any" ? "NoResourceLevelActions" : kind[0].toUpperCase() + kind.slice(1));
const one = <T>(xs: readonly T[]): T | T[] => (xs.length === 1 ? xs[0] : [...xs]);

/** Statements of each endpoint's policy, by service suffix (`s3`, `transcribe`, …): every client the functions call. */
export function endpointPolicies(scope: EndpointPolicyScope): Record<string, Statement[]> {
  const byClient = new Map<AwsClient, Map<AwsResource, Set<string>>>();
  for (const h of HANDLER_NAMES) {
    for (const c of AWS_CALLS[h]) {
      if (c.when && !scope.settings[c.when]) continue;
      const kinds = byClient.get(c.client) ?? new Map<AwsResource, Set<string>>();
      const actions = kinds.get(c.resource) ?? new Set<string>();
      for (const a of c.actions) if (a.startsWith(`${iamPrefix(c.client)}:`)) actions.add(a);
      kinds.set(c.resource, actions);
      byClient.set(c.client, kinds);
    }
  }
  const condition = { ArnEquals: { "aws:PrincipalArn": [...scope.functionRoleArns] } };
  const out: Record<string, Statement[]> = {};
  for (const [client, kinds] of byClient) {
    const statements: Statement[] = [];
    const listed = new Set<string>();
    for (const [kind, actions] of kinds) {
      const arns = resourceArns(kind, scope);
      const objectActions = [...actions].filter((a) => a !== "s3:ListBucket").sort();
      if (objectActions.length > 0)
        statements.push({ Sid: pascal(kind), Effect: "Allow", Principal: "*", Action: one(objectActions), Resource: one(arns.objects), Condition: condition });
      if (actions.has("s3:ListBucket") && arns.bucket) listed.add(arns.bucket);
    }
    if (listed.size > 0)
      statements.push({
        Sid: "ListBuckets",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:ListBucket",
        Resource: one([...listed].sort()),
        Condition: condition,
      });
    out[client] = statements;
  }
  return out;
}
