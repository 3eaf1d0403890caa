/**
 * `npm run doctor` end to end in-process: the real SDK wiring (scripts/doctor/aws/) against aws-sdk-client-mock,
 * the printed lines and the exit code. Every client is mocked: no test reaches AWS.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { BedrockClient, GetFoundationModelAvailabilityCommand, GetInferenceProfileCommand } from "@aws-sdk/client-bedrock";
import { ComprehendClient, ListSentimentDetectionJobsCommand } from "@aws-sdk/client-comprehend";
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { GetOpenIDConnectProviderCommand, GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from "@aws-sdk/client-iam";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeAccountSubscriptionCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListTranscriptionJobsCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { classifyError } from "../../scripts/doctor/aws/clients";
import { main } from "../../scripts/doctor/index";
import { ACCOUNT, awsError, RAW_CONFIG, REGION } from "./fixtures";

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const quicksight = mockClient(QuickSightClient);
const bedrock = mockClient(BedrockClient);
const guardduty = mockClient(GuardDutyClient);
const transcribe = mockClient(TranscribeClient);
const comprehend = mockClient(ComprehendClient);
const s3 = mockClient(S3Client);
const ALL = [sts, lambda, iam, quicksight, bedrock, guardduty, transcribe, comprehend, s3];

const MODEL = "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
const FOUNDATION = "anthropic.claude-haiku-4-5-20251001-v1:0";
const INPUT = `cci-lite-prod-input-${ACCOUNT}-${REGION}`;
const RESULTS = `cci-lite-prod-results-${ACCOUNT}-${REGION}`;
const STATE = `cci-lite-tfstate-${ACCOUNT}-${REGION}`;
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

let dir: string;
function writeConfig(doc: object = RAW_CONFIG, env = "prod"): void {
  fs.writeFileSync(path.join(dir, `${env}.json`), JSON.stringify(doc));
}

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { io: { stdout: (l) => out.push(...l.split("\n")), stderr: (l) => err.push(...l.split("\n")) }, defaultConfigDir: dir });
  return { code, out, err };
}
const line = (out: string[], id: string) => out.find((l) => l.slice(8).startsWith(`${id} `)) ?? `(no line for ${id})`;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));
  writeConfig();
  for (const m of ALL) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me` });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  lambda.on(GetFunctionConcurrencyCommand).rejects(awsError("ResourceNotFoundException", "Function not found", 404));
  iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com` }] });
  // QuickSight's service role exists; the S3-consumers role does not (quicksight-service-role).
  iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException", "The role cannot be found", 404));
  iam.on(GetRoleCommand, { RoleName: "aws-quicksight-service-role-v0" }).resolves({ Role: { RoleName: "aws-quicksight-service-role-v0" } as never });
  quicksight
    .on(DescribeAccountSubscriptionCommand)
    .resolves({ AccountInfo: { AccountSubscriptionStatus: "ACCOUNT_CREATED", Edition: "ENTERPRISE" }, Status: 200 });
  bedrock
    .on(GetInferenceProfileCommand)
    .resolves({ inferenceProfileId: MODEL, status: "ACTIVE", models: [], inferenceProfileArn: "x", inferenceProfileName: "x", type: "SYSTEM_DEFINED" });
  bedrock.on(GetFoundationModelAvailabilityCommand).resolves({
    modelId: FOUNDATION,
    authorizationStatus: "AUTHORIZED",
    entitlementAvailability: "AVAILABLE",
    agreementAvailability: { status: "AVAILABLE" },
    regionAvailability: "AVAILABLE",
  });
  guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
  transcribe.on(ListTranscriptionJobsCommand).resolves({ TranscriptionJobSummaries: [] });
  comprehend.on(ListSentimentDetectionJobsCommand).resolves({ SentimentDetectionJobPropertiesList: [] });
  s3.on(HeadBucketCommand).rejects(awsError("NotFound", "NotFound", 404));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("npm run doctor", () => {
  it("healthy account: one line per check, exit 0, and only read-only calls with the expected inputs", async () => {
    const { code, out, err } = await run();
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe(`doctor: ${path.resolve(dir, "prod.json")}, account ${ACCOUNT}, region ${REGION} (read-only)`);
    expect(out.slice(1, -1)).toHaveLength(14);
    for (const l of out.slice(1, -1)) expect(l).toMatch(/^ok {6}[a-z/-]+ {2,}\S/);
    expect(line(out, "lambda-concurrency")).toMatch(/^ok {6}lambda-concurrency +reservations start 5 \+ analyze 10 \+ reconcile 1 = 16 fit/);
    expect(out[out.length - 1]).toBe("doctor: no problems (14 ok, 0 skipped)");

    expect(
      lambda
        .commandCalls(GetFunctionConcurrencyCommand)
        .map((c) => c.args[0].input.FunctionName)
        .sort(),
    ).toEqual(["cci-lite-prod-analyze", "cci-lite-prod-reconcile", "cci-lite-prod-start"]);
    expect(quicksight.commandCalls(DescribeAccountSubscriptionCommand)[0].args[0].input).toEqual({ AwsAccountId: ACCOUNT });
    expect(bedrock.commandCalls(GetInferenceProfileCommand)[0].args[0].input).toEqual({ inferenceProfileIdentifier: MODEL });
    expect(bedrock.commandCalls(GetFoundationModelAvailabilityCommand)[0].args[0].input).toEqual({ modelId: FOUNDATION });
    expect(transcribe.commandCalls(ListTranscriptionJobsCommand)[0].args[0].input).toEqual({ MaxResults: 1 });
    expect(comprehend.commandCalls(ListSentimentDetectionJobsCommand)[0].args[0].input).toEqual({ MaxResults: 1 });
    expect(s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input)).toEqual(
      [INPUT, RESULTS, STATE].map((Bucket) => ({ Bucket, ExpectedBucketOwner: ACCOUNT })),
    );
    // The Bedrock client talks to the Bedrock region, the others to the configuration's region.
    expect(await bedrock.call(0).thisValue.config.region()).toBe(REGION);
  });

  it("--json prints the results as one document with the same exit code", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const { code, out } = await run("--json");
    expect(code).toBe(1);
    const doc = JSON.parse(out.join("\n"));
    expect(doc).toMatchObject({ environment: "prod", account: ACCOUNT, region: REGION, problems: 1 });
    expect(doc.results.find((r: { id: string }) => r.id === "lambda-concurrency")).toMatchObject({
      status: "problem",
      fix: expect.stringContaining("remove processing.reservedConcurrency (or lower it)"),
    });
  });

  it("lambda-concurrency: reservations beyond unreserved − 100 is a PROBLEM line with the fix, exit 1", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const { code, out } = await run();
    expect(code).toBe(1);
    const fixFile = path.resolve(dir, "prod.json");
    expect(line(out, "lambda-concurrency")).toMatch(
      new RegExp(
        `^PROBLEM lambda-concurrency .*minus 100.*  fix: remove processing\\.reservedConcurrency \\(or lower it\\) in ${fixFile.replace(/[.]/g, "\\.")}, or request a Lambda concurrency quota increase$`,
      ),
    );
    expect(out[out.length - 1]).toBe("doctor: 1 problem (13 ok, 0 skipped); fix them before the first apply (docs/doctor.md)");
  });

  it("lambda-concurrency: AccessDenied is a problem naming the denied action; the other checks still run", async () => {
    lambda
      .on(GetAccountSettingsCommand)
      .rejects(awsError("AccessDeniedException", `User: arn:aws:iam::${ACCOUNT}:user/x is not authorized to perform: lambda:GetAccountSettings`, 403));
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "lambda-concurrency")).toMatch(
      /^PROBLEM lambda-concurrency .*access denied to lambda:GetAccountSettings.*fix: allow lambda:GetAccountSettings/,
    );
    expect(out.filter((l) => l.startsWith("ok "))).toHaveLength(13);
  });

  it("github-oidc-provider: an existing provider (not this project's) is a problem; the project's own is ok", async () => {
    iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: OIDC_ARN }] });
    iam.on(GetOpenIDConnectProviderCommand).resolves({ Tags: [] });
    let r = await run();
    expect(r.code).toBe(1);
    expect(line(r.out, "github-oidc-provider")).toMatch(
      /^PROBLEM github-oidc-provider .*EntityAlreadyExists.*fix: set github\.useExistingOidcProvider: true in /,
    );
    expect(iam.commandCalls(GetOpenIDConnectProviderCommand)[0].args[0].input).toEqual({ OpenIDConnectProviderArn: OIDC_ARN });

    iam.on(GetOpenIDConnectProviderCommand).resolves({
      Tags: [
        { Key: "Project", Value: "CCI-Lite" },
        { Key: "Env", Value: "shared" },
      ],
    });
    r = await run();
    expect(r.code).toBe(0);
    expect(line(r.out, "github-oidc-provider")).toMatch(/^ok {6}github-oidc-provider .*bootstrap stack/);
  });

  it("quicksight-subscription: ResourceNotFoundException means no subscription", async () => {
    quicksight.on(DescribeAccountSubscriptionCommand).rejects(awsError("ResourceNotFoundException", "Account not found", 404));
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "quicksight-subscription")).toMatch(
      /^PROBLEM quicksight-subscription .*fix: subscribe to QuickSight Enterprise in the console, or set quicksight\.enabled: false in /,
    );
  });

  it("quicksight-subscription: follows the identity-region answer and checks the principal's region against it", async () => {
    quicksight
      .on(DescribeAccountSubscriptionCommand)
      .rejectsOnce(
        awsError(
          "AccessDeniedException",
          `Operation is being called from endpoint ${REGION}, but your identity region is us-east-1. Please use the us-east-1 endpoint.`,
          401,
        ),
      )
      .resolves({ AccountInfo: { AccountSubscriptionStatus: "ACCOUNT_CREATED", Edition: "ENTERPRISE" } });
    const { code, out } = await run();
    expect(quicksight.commandCalls(DescribeAccountSubscriptionCommand)).toHaveLength(2);
    expect(await quicksight.commandCalls(DescribeAccountSubscriptionCommand)[1].thisValue.config.region()).toBe("us-east-1");
    expect(code).toBe(1);
    expect(line(out, "quicksight-subscription")).toMatch(/^PROBLEM quicksight-subscription .*identity region us-east-1.*fix: set quicksight\.principalArn/);
  });

  it("quicksight and guardduty disabled: skipped, and their services are not called", async () => {
    writeConfig({ ...RAW_CONFIG, quicksight: { enabled: false }, guardduty: { enabled: false } });
    const { code, out } = await run();
    expect(code).toBe(0);
    expect(line(out, "quicksight-subscription")).toMatch(/^skipped quicksight-subscription +quicksight\.enabled is false$/);
    expect(line(out, "guardduty-detector")).toMatch(/^skipped guardduty-detector +guardduty\.enabled is false$/);
    expect(line(out, "quicksight-service-role")).toMatch(/^skipped quicksight-service-role +quicksight\.enabled is false$/);
    expect(quicksight.calls()).toHaveLength(0);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(0);
    expect(guardduty.calls()).toHaveLength(0);
    expect(out[out.length - 1]).toBe("doctor: no problems (9 ok, 5 skipped)");
  });

  it("bedrock-model-access: a model not authorized is a problem naming what is missing and the region", async () => {
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves({
      modelId: FOUNDATION,
      authorizationStatus: "NOT_AUTHORIZED",
      entitlementAvailability: "NOT_AVAILABLE",
      agreementAvailability: { status: "PENDING" },
      regionAvailability: "AVAILABLE",
    });
    const { code, out } = await run();
    expect(code).toBe(1);
    const l = line(out, "bedrock-model-access");
    expect(l).toMatch(/^PROBLEM bedrock-model-access /);
    expect(l).toContain("authorizationStatus NOT_AUTHORIZED; entitlementAvailability NOT_AVAILABLE; agreementAvailability.status PENDING");
    expect(l).toContain(`fix: request model access in the Bedrock console in ${REGION}`);
  });

  it("bedrock-model-access: an unknown inference profile is a problem", async () => {
    bedrock.on(GetInferenceProfileCommand).rejects(awsError("ResourceNotFoundException", "profile not found", 404));
    const { out } = await run();
    expect(line(out, "bedrock-model-access")).toMatch(/^PROBLEM bedrock-model-access .*does not exist.*fix: set bedrock\.modelId/);
  });

  it("guardduty-detector: an existing detector is a problem when the stack would create one", async () => {
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ["12abc34d567e8fa901bc2d34e56789f0"] });
    guardduty.on(GetDetectorCommand).resolves({ Status: "ENABLED", ServiceRole: "x", Tags: {} });
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "guardduty-detector")).toMatch(
      /^PROBLEM guardduty-detector .*fix: set guardduty\.createDetector: false in .* \(one detector per region; the stack then only forwards findings\)$/,
    );
  });

  it("service-availability: no endpoint in the region (DNS) names the service and the region", async () => {
    transcribe
      .on(ListTranscriptionJobsCommand)
      .rejects(Object.assign(new Error(`getaddrinfo ENOTFOUND transcribe.${REGION}.amazonaws.com`), { code: "ENOTFOUND" }));
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "service-availability")).toMatch(
      new RegExp(`^PROBLEM service-availability +Amazon Transcribe is not available in ${REGION}; choose another region .*fix: set region in `),
    );
  });

  it("service-availability: AccessDenied names the action", async () => {
    comprehend.on(ListSentimentDetectionJobsCommand).rejects(awsError("AccessDeniedException", "not authorized", 400));
    const { out } = await run();
    expect(line(out, "service-availability")).toMatch(
      /^PROBLEM service-availability .*comprehend:ListSentimentDetectionJobs.*fix: allow comprehend:ListSentimentDetectionJobs/,
    );
  });

  it("bucket-names: 403 is taken, 200 untagged is an existing data bucket, the state bucket existing is ok", async () => {
    s3.on(HeadBucketCommand, { Bucket: INPUT }).rejects(awsError("Forbidden", "Forbidden", 403));
    s3.on(HeadBucketCommand, { Bucket: RESULTS }).resolves({ BucketRegion: REGION });
    s3.on(HeadBucketCommand, { Bucket: STATE }).resolves({ BucketRegion: REGION });
    s3.on(GetBucketTaggingCommand).rejects(awsError("NoSuchTagSet", "The TagSet does not exist", 404));
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "bucket-names/input")).toMatch(/^PROBLEM bucket-names\/input +.*taken by another account.*fix: set buckets\.input in .* to a free name$/);
    expect(line(out, "bucket-names/results")).toMatch(/^PROBLEM bucket-names\/results .*already exists in this account.*fix: import it .*buckets\.results/);
    expect(line(out, "bucket-names/state")).toMatch(/^ok {6}bucket-names\/state +.*bootstrap stack has been applied/);
    expect(s3.commandCalls(GetBucketTaggingCommand).map((c) => c.args[0].input.Bucket)).toEqual([RESULTS]);
  });

  it("credentials for another account: exit 1, the other checks skipped", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "999988887777", Arn: "arn:aws:sts::999988887777:assumed-role/admin/me" });
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(line(out, "account")).toMatch(/^PROBLEM account .*999988887777.*fix: use credentials for account 111122223333/);
    expect(out.filter((l) => l.startsWith("skipped "))).toHaveLength(13);
  });
});

describe("npm run doctor: exit 2 without a stack trace", () => {
  it("no credentials: one clear line", async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const { code, out, err } = await run();
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^doctor: no usable AWS credentials \(Could not load credentials from any providers\); sign in to account 111122223333/);
    expect(err[0]).not.toMatch(/\bat \S+ \(/);
  });

  it("credentials that expire during the run", async () => {
    lambda.on(GetAccountSettingsCommand).rejects(awsError("ExpiredTokenException", "The security token included in the request is expired", 403));
    const { code, err } = await run();
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^doctor: the AWS credentials stopped working during the checks \(lambda:GetAccountSettings: /)]);
  });

  it("usage errors", async () => {
    expect((await run("--bogus")).code).toBe(2);
    expect((await run("--env")).err[0]).toBe("doctor: --env needs a value");
    expect((await run("--json=yes")).code).toBe(2);
    const help = await run("--help");
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^usage: npm run doctor/);
    expect(sts.calls()).toHaveLength(0);
  });

  it("an unknown environment or an invalid configuration", async () => {
    const missing = await run("--env", "staging");
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/staging\.json does not exist \(--env staging; available: prod\)$/);

    writeConfig({ ...RAW_CONFIG, environment: "staging", accountId: "12" }, "staging");
    const invalid = await run("--env=staging", "--config-dir", dir);
    expect(invalid.code).toBe(2);
    expect(invalid.err[0]).toMatch(/^Invalid configuration .*staging\.json:$/);
    expect(invalid.err.join("\n")).toContain("accountId: must be 12 digits");
    expect(sts.calls()).toHaveLength(0);
  });
});

describe("classifyError", () => {
  it.each([
    ["AccessDenied (S3, IAM)", awsError("AccessDenied", "Access Denied", 403), "access-denied"],
    ["AccessDeniedException", awsError("AccessDeniedException", "x", 403), "access-denied"],
    ["ExpiredToken", awsError("ExpiredToken", "x", 403), "credentials"],
    ["UnrecognizedClientException", awsError("UnrecognizedClientException", "x", 400), "credentials"],
    ["DNS ENOTFOUND", Object.assign(new Error("getaddrinfo ENOTFOUND comprehend.eu-south-2.amazonaws.com"), { code: "ENOTFOUND" }), "unavailable"],
    ["ThrottlingException", awsError("ThrottlingException", "Rate exceeded", 400), "failed"],
  ])("%s → %s", (_label, e, kind) => {
    expect(classifyError(e, "svc:Action", REGION).kind).toBe(kind);
  });
});
