/**
 * Private networking (guide §12, docs/network.md), simulated over the policies of a synthesized `network.mode:
 * "create"` stack: the function roles reach the buckets only through the S3 gateway endpoint (bucket policy deny on
 * `aws:SourceVpce`, scoped to those roles by `aws:PrincipalArn`), the endpoint policies let only those roles do their
 * own work, and everything acting for the pipeline from outside the VPC (Transcribe's data-access role, Athena,
 * QuickSight, CloudTrail, people) is unaffected.
 */
import { synthApp } from "../helpers/synth";
import { ACCOUNT, type Decision, type Policy, simulate } from "./iam";
import { INPUT, KEY, KMS_CTX, REGION, RESULTS, role, synthesizedPolicy } from "./plan-policies";

const VPCE = "vpce-0a1b2c3d4e5f67890";
const OTHER_VPCE = "vpce-0fedcba9876543210";
const ROLES = {
  start: role("cci-lite-prod-start-fn"),
  analyze: role("cci-lite-prod-analyze-fn"),
  reconcile: role("cci-lite-prod-reconcile-fn"),
  transcribe: role("cci-lite-prod-transcribe-access"),
  quicksight: role("service-role/aws-quicksight-service-role-v0"),
  analyst: role("DataAnalyst"),
};
const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/cci-lite-prod-trail`;
const TRAIL_BUCKET = `arn:aws:s3:::cci-lite-prod-trail-${ACCOUNT}-${REGION}`;
const AUDIO = `${INPUT}/demo-tenant/calls/c1.wav`;
const RESULT = `${RESULTS}/demo-tenant/2026/11/30/c1.json`;
const athena = { "aws:CalledVia": ["athena.amazonaws.com"] };
/** AWS sets aws:ViaAWSService on every request: false when the principal calls directly. */
const direct = { "aws:ViaAWSService": "false" };
const viaEndpoint = { ...direct, "aws:SourceVpce": VPCE, "aws:SourceVpc": "vpc-0123456789abcdef0" };

const app = synthApp({ network: { mode: "create" }, cloudtrail: { enabled: true } } as never);
const endpointRef = (() => {
  const ids = Object.keys(app.resources("aws_vpc_endpoint")).filter((id) => app.resources("aws_vpc_endpoint")[id].vpc_endpoint_type === "Gateway");
  expect(ids).toHaveLength(1);
  return `\${aws_vpc_endpoint.${ids[0]}.id}`;
})();
const bucketPolicy = (part: string) => synthesizedPolicy(app.resource("aws_s3_bucket_policy", part).policy, { [endpointRef]: VPCE });
const identity = (h: string): Policy[] => [JSON.parse(app.resource("aws_iam_role_policy", `${h}_role_policy`).policy)];
const endpointPolicy = (service: string): Policy => {
  const found = Object.entries(app.resources("aws_vpc_endpoint")).filter(([, e]) => String(e.service_name).endsWith(`.${service}`));
  expect(found).toHaveLength(1);
  return JSON.parse(found[0][1].policy);
};
const allow = (Action: string | string[], Resource: string | string[]): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action, Resource }],
});

/** A function role's S3 request, through the S3 endpoint (its policy and `aws:SourceVpce`) or from elsewhere. */
function fnS3(
  h: "start" | "analyze" | "reconcile",
  action: string,
  resource: string,
  via: "endpoint" | "outside" | "other-endpoint",
  extra = {},
): Promise<Decision> {
  const bucket = resource.startsWith(INPUT) ? "storage_input" : "storage_results";
  return simulate({
    principal: ROLES[h],
    action,
    resource,
    identity: identity(h),
    resourcePolicy: bucketPolicy(bucket),
    ...(via === "outside" ? {} : { endpointPolicy: endpointPolicy("s3") }),
    context: { ...direct, ...(via === "endpoint" ? viaEndpoint : via === "other-endpoint" ? { "aws:SourceVpce": OTHER_VPCE } : {}), ...extra },
  });
}

describe("private networking: the function roles reach the buckets only through the S3 endpoint", () => {
  it("start reads audio through the endpoint; the same request from outside it, or through another endpoint, is denied", async () => {
    expect(await fnS3("start", "s3:GetObject", AUDIO, "endpoint")).toBe("Allowed");
    expect(await fnS3("start", "s3:GetObject", AUDIO, "outside")).toBe("ExplicitlyDenied");
    expect(await fnS3("start", "s3:GetObject", AUDIO, "other-endpoint")).toBe("ExplicitlyDenied");
  });
  it.each(["analyze", "reconcile"] as const)("%s writes a result record through the endpoint, and not from outside it", async (h) => {
    expect(await fnS3(h, "s3:PutObject", RESULT, "endpoint", KMS_CTX)).toBe("Allowed");
    expect(await fnS3(h, "s3:PutObject", RESULT, "outside", KMS_CTX)).toBe("ExplicitlyDenied");
    expect(await fnS3(h, "s3:ListBucket", RESULTS, "outside")).toBe("ExplicitlyDenied");
  });
  it("does not deny a service acting with a function role's credentials (forward access session, aws:ViaAWSService)", async () => {
    expect(await fnS3("start", "s3:GetObject", AUDIO, "outside", { "aws:ViaAWSService": "true", "aws:CalledVia": ["transcribe.amazonaws.com"] })).toBe(
      "Allowed",
    );
  });
  it("the S3 endpoint's policy serves only the function roles, only on this environment's buckets", async () => {
    const through = (principal: string, resource: string, identityPolicies: Policy[]) =>
      simulate({ principal, action: "s3:GetObject", resource, identity: identityPolicies, endpointPolicy: endpointPolicy("s3"), context: viaEndpoint });
    expect(await through(ROLES.analyze, RESULT, identity("analyze"))).toBe("Allowed");
    expect(await through(ROLES.analyze, "arn:aws:s3:::somebody-elses-bucket/x.json", [allow("s3:GetObject", "*")])).toBe("ImplicitlyDenied");
    expect(await through(role("intruder"), RESULT, [allow("s3:GetObject", "*")])).toBe("ImplicitlyDenied");
  });
});

describe("private networking: the interface endpoints' policies", () => {
  const call = (h: keyof typeof ROLES, service: string, action: string, resource: string, id: Policy[], context = {}) =>
    simulate({ principal: ROLES[h], action, resource, identity: id, endpointPolicy: endpointPolicy(service), context });
  const JOB = `arn:aws:transcribe:${REGION}:${ACCOUNT}:transcription-job/cci-lite-prod-demo-tenant-abc`;
  const PARAM = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cci-lite/prod/config/tenants/demo-tenant`;
  const ANALYZE = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cci-lite-prod-analyze`;
  const PROFILE = `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0`;

  it("let each function do its own work through them", async () => {
    expect(
      await call("start", "transcribe", "transcribe:StartTranscriptionJob", "*", identity("start"), { "transcribe:OutputBucketName": RESULTS.slice(13) }),
    ).toBe("Allowed");
    expect(await call("analyze", "transcribe", "transcribe:GetTranscriptionJob", JOB, identity("analyze"))).toBe("Allowed");
    expect(await call("analyze", "comprehend", "comprehend:DetectSentiment", "*", identity("analyze"))).toBe("Allowed");
    expect(await call("analyze", "bedrock-runtime", "bedrock:InvokeModel", PROFILE, identity("analyze"))).toBe("Allowed");
    expect(await call("start", "ssm", "ssm:GetParameter", PARAM, identity("start"))).toBe("Allowed");
    expect(await call("reconcile", "lambda", "lambda:InvokeFunction", ANALYZE, identity("reconcile"))).toBe("Allowed");
  });
  it("serve nobody else and nothing else, even with broad identity permissions", async () => {
    const broad = [allow(["transcribe:*", "ssm:*", "lambda:*", "bedrock:*"], "*")];
    expect(await call("analyst", "transcribe", "transcribe:GetTranscriptionJob", JOB, broad)).toBe("ImplicitlyDenied");
    expect(await call("analyze", "transcribe", "transcribe:GetTranscriptionJob", `${JOB.split("/")[0]}/someone-else`, broad)).toBe("ImplicitlyDenied");
    expect(await call("start", "ssm", "ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/other/secret`, broad)).toBe("ImplicitlyDenied");
    expect(await call("reconcile", "lambda", "lambda:InvokeFunction", `${ANALYZE}-other`, broad)).toBe("ImplicitlyDenied");
    expect(
      await call("analyze", "bedrock-runtime", "bedrock:InvokeModel", `arn:aws:bedrock:${REGION}::foundation-model/amazon.titan-text-express-v1`, broad),
    ).toBe("ImplicitlyDenied");
  });
});

describe("private networking: services and people acting for the pipeline from outside the VPC are unaffected", () => {
  it("Transcribe's data-access role reads audio and writes its transcript under tmp/ (from Transcribe's network)", async () => {
    const transcribe = [JSON.parse(app.resource("aws_iam_role_policy", "transcribe-access").policy)];
    const as = (action: string, resource: string, context = {}) =>
      simulate({
        principal: ROLES.transcribe,
        action,
        resource,
        identity: transcribe,
        resourcePolicy: bucketPolicy(resource.startsWith(INPUT) ? "storage_input" : "storage_results"),
        context,
      });
    expect(await as("s3:GetObject", AUDIO)).toBe("Allowed");
    expect(await as("s3:PutObject", `${RESULTS}/tmp/cci-lite-prod-demo-tenant-abc.json`, KMS_CTX)).toBe("Allowed");
  });
  it("Athena (aws:CalledVia) and QuickSight's service role read results", async () => {
    const read = (principal: string, context = {}) =>
      simulate({
        principal,
        action: "s3:GetObject",
        resource: RESULT,
        identity: [allow("s3:GetObject", `${RESULTS}/*`)],
        resourcePolicy: bucketPolicy("storage_results"),
        context,
      });
    expect(await read(ROLES.analyst, athena)).toBe("Allowed");
    expect(await read(ROLES.quicksight, athena)).toBe("Allowed");
    expect(await read(ROLES.analyst)).toBe("Allowed");
  });
  it("CloudTrail delivers to its own bucket, whose policy has no endpoint condition", async () => {
    const trailPolicy = synthesizedPolicy(app.resource("aws_s3_bucket_policy", "trail").policy);
    expect(JSON.stringify(trailPolicy)).not.toContain("aws:SourceVpce");
    expect(
      await simulate({
        principal: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: `${TRAIL_BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/30/log.json.gz`,
        resourcePolicy: trailPolicy,
        context: { "aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control", ...KMS_CTX },
      }),
    ).toBe("Allowed");
  });
  it("the deny names exactly the three function roles, and the key is untouched", () => {
    for (const part of ["storage_input", "storage_results"]) {
      const deny = bucketPolicy(part).Statement.find((s: { Sid: string }) => s.Sid === "DenyPipelineFunctionsOutsideVpcEndpoint");
      expect(deny.Condition.ArnEquals["aws:PrincipalArn"]).toEqual([ROLES.start, ROLES.analyze, ROLES.reconcile]);
      expect(deny.Condition.StringNotEquals["aws:SourceVpce"]).toBe(VPCE);
      expect(deny.Condition.Bool["aws:ViaAWSService"]).toBe("false");
    }
    expect(app.resource("aws_kms_key").policy).not.toContain("SourceVpce");
    expect(KEY).toContain(":key/");
  });
});
