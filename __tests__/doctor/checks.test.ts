/** `npm run doctor`: the pure checks, each with its ok and problem outcomes (no SDK here). */
import { GITHUB_OIDC_HOST as BOOTSTRAP_OIDC_HOST } from "../../modules/bootstrap";
import { bedrockResourceArns } from "../../modules/config/naming";
import { credentialErrors, runChecks } from "../../scripts/doctor/checks";
import { checkAccount } from "../../scripts/doctor/checks/account";
import { checkBedrock } from "../../scripts/doctor/checks/bedrock-model-access";
import { checkBucket } from "../../scripts/doctor/checks/bucket-names";
import { checkGithubOidcProvider } from "../../scripts/doctor/checks/github-oidc-provider";
import { checkGuardDuty } from "../../scripts/doctor/checks/guardduty-detector";
import { checkQuickSightServiceRole } from "../../scripts/doctor/checks/quicksight-service-role";
import { checkLambdaConcurrency, configuredReservations } from "../../scripts/doctor/checks/lambda-concurrency";
import { checkQuickSight } from "../../scripts/doctor/checks/quicksight-subscription";
import { checkServiceAvailability } from "../../scripts/doctor/checks/service-availability";
import {
  bedrockModel,
  fact,
  failed,
  GITHUB_OIDC_HOST,
  type BedrockFacts,
  type BucketFacts,
  type BucketKind,
  type BucketProbe,
  type FactError,
} from "../../scripts/doctor/facts";
import { ACCOUNT, config, ctx, healthyFacts, REGION, withFields } from "./fixtures";

const denied = (action: string): FactError => ({ kind: "access-denied", action, message: `User is not authorized to perform: ${action}` });
const TAGS = (env?: string) => ({ Project: "CCI-Lite", ...(env ? { Env: env } : {}) });

describe("runChecks", () => {
  it("a healthy account passes every check, one result per check", () => {
    const results = runChecks(healthyFacts(), ctx());
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ["account", "ok"],
      ["lambda-concurrency", "ok"],
      ["github-oidc-provider", "ok"],
      ["quicksight-subscription", "ok"],
      ["quicksight-edition", "ok"],
      ["quicksight-service-role", "ok"],
      ["quicksight-principals", "ok"],
      ["principals-exist", "ok"],
      ["bedrock-model-access", "ok"],
      ["guardduty-detector", "ok"],
      ["service-availability", "ok"],
      ["bucket-names/input", "ok"],
      ["bucket-names/results", "ok"],
      ["bucket-names/state", "ok"],
    ]);
  });

  it("credentials for another account: one problem, every other check skipped", () => {
    const facts = { ...healthyFacts(), caller: { account: "999988887777", arn: "arn:aws:sts::999988887777:assumed-role/x/y" } };
    const [account, ...rest] = runChecks(facts, ctx());
    expect(account).toMatchObject({ id: "account", status: "problem", fix: expect.stringContaining("set accountId in config/prod.json") });
    expect(account.message).toContain("999988887777");
    expect(rest.every((r) => r.status === "skipped")).toBe(true);
  });

  it("collects credential errors (they end the run with exit 2)", () => {
    const facts = { ...healthyFacts(), oidc: failed<never>({ kind: "credentials", action: "iam:ListOpenIDConnectProviders", message: "ExpiredToken" }) };
    expect(credentialErrors(facts)).toHaveLength(1);
    expect(credentialErrors(healthyFacts())).toHaveLength(0);
  });

  it("checkAccount: ok names the caller", () => {
    expect(checkAccount(healthyFacts().caller, ctx())).toMatchObject({ status: "ok", message: expect.stringContaining(ACCOUNT) });
  });
});

describe("lambda-concurrency", () => {
  const lambda = (unreserved: number, limit = unreserved, own: Record<string, number> = {}) =>
    fact({ concurrentExecutions: limit, unreservedConcurrentExecutions: unreserved, ownReservations: own });

  it("ok when the reservations leave at least 100 unreserved", () => {
    const r = checkLambdaConcurrency(lambda(1000), ctx());
    expect(r.status).toBe("ok");
    expect(r.message).toContain("start 5 + analyze 10 + reconcile 1 = 16");
  });

  it("problem when the sum exceeds unreserved minus 100 (a new account with limit 10), quoting AWS and naming the field", () => {
    const r = checkLambdaConcurrency(lambda(10), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("You can reserve up to the Unreserved account concurrency value minus 100");
    expect(r.message).toContain("https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html");
    expect(r.fix).toBe("remove processing.reservedConcurrency (or lower it) in config/prod.json, or request a Lambda concurrency quota increase");
  });

  it("the boundary: exactly unreserved − 100 fits, one more does not", () => {
    expect(checkLambdaConcurrency(lambda(116), ctx()).status).toBe("ok");
    expect(checkLambdaConcurrency(lambda(115), ctx()).status).toBe("problem");
  });

  it("reservations this environment already holds count as available (re-run after an apply)", () => {
    expect(checkLambdaConcurrency(lambda(100, 116, { start: 5, analyze: 10, reconcile: 1 }), ctx()).status).toBe("ok");
  });

  it("no reservations configured (the field becoming optional): ok, with a warning when the account limit is below 50", () => {
    const cfg = withFields(config(), { processing: { reservedConcurrency: undefined } });
    expect(configuredReservations(cfg)).toEqual({});
    const low = checkLambdaConcurrency(lambda(10), ctx(cfg));
    expect(low.status).toBe("ok");
    expect(low.message).toContain("warning: the account limit is low");
    const normal = checkLambdaConcurrency(lambda(1000), ctx(cfg));
    expect(normal).toMatchObject({ status: "ok" });
    expect(normal.message).not.toContain("warning");
  });

  it("reads odd shapes defensively", () => {
    expect(configuredReservations(withFields(config(), { processing: { reservedConcurrency: 20 } }))).toEqual({ all: 20 });
    expect(configuredReservations(withFields(config(), { processing: { reservedConcurrency: { start: 3, analyze: undefined } } }))).toEqual({ start: 3 });
  });

  it("AccessDenied names the IAM action", () => {
    const r = checkLambdaConcurrency(failed(denied("lambda:GetAccountSettings")), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("access denied to lambda:GetAccountSettings");
    expect(r.fix).toContain("allow lambda:GetAccountSettings");
  });
});

describe("github-oidc-provider", () => {
  const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const useExisting = (v: boolean | undefined) => ctx(withFields(config(), { github: { useExistingOidcProvider: v } }));

  it("uses the same host as the bootstrap stack", () => expect(GITHUB_OIDC_HOST).toBe(BOOTSTRAP_OIDC_HOST));

  it("ok: none exists and the stack creates it (field absent = false)", () => {
    expect(checkGithubOidcProvider(fact({}), ctx())).toMatchObject({ status: "ok" });
  });

  it("ok: one exists and the configuration uses it", () => {
    expect(checkGithubOidcProvider(fact({ providerArn: arn, tags: {} }), useExisting(true))).toMatchObject({ status: "ok" });
  });

  it("ok: one exists, tagged by this project (bootstrap already applied)", () => {
    expect(checkGithubOidcProvider(fact({ providerArn: arn, tags: TAGS("shared") }), ctx())).toMatchObject({ status: "ok" });
  });

  it("problem: one exists and the stack would create another", () => {
    const r = checkGithubOidcProvider(fact({ providerArn: arn, tags: {} }), useExisting(undefined));
    expect(r).toMatchObject({ status: "problem", fix: "set github.useExistingOidcProvider: true in config/prod.json" });
    expect(r.message).toContain(arn);
    expect(r.message).toContain("EntityAlreadyExists");
  });

  it("problem: configured to use an existing one that does not exist", () => {
    const r = checkGithubOidcProvider(fact({}), useExisting(true));
    expect(r.status).toBe("problem");
    expect(r.fix).toContain("set github.useExistingOidcProvider: false in config/prod.json");
  });

  it("AccessDenied names the IAM action", () => {
    expect(checkGithubOidcProvider(failed(denied("iam:ListOpenIDConnectProviders")), ctx()).message).toContain("iam:ListOpenIDConnectProviders");
  });
});

describe("quicksight-subscription", () => {
  it("skipped when quicksight.enabled is false", () => {
    const cfg = config({ quicksight: { enabled: false } });
    expect(checkQuickSight(undefined, ctx(cfg))).toMatchObject({ status: "skipped" });
  });

  it("ok when the subscription is ACCOUNT_CREATED", () => {
    const r = checkQuickSight(fact({ subscribed: true, status: "ACCOUNT_CREATED", edition: "ENTERPRISE" }), ctx());
    expect(r).toMatchObject({ status: "ok" });
    expect(r.message).toContain("ENTERPRISE");
  });

  it("problem without a subscription (ResourceNotFoundException)", () => {
    expect(checkQuickSight(fact({ subscribed: false }), ctx())).toMatchObject({
      status: "problem",
      fix: "subscribe to QuickSight Enterprise in the console, or set quicksight.enabled: false in config/prod.json",
    });
  });

  it("problem when the subscription is not ACCOUNT_CREATED", () => {
    const r = checkQuickSight(fact({ subscribed: true, status: "UNSUBSCRIBED" }), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("UNSUBSCRIBED");
    expect(r.fix).toContain("quicksight.enabled: false");
  });

  it("problem when the principal ARN is in another region than the identity region", () => {
    const r = checkQuickSight(fact({ subscribed: true, status: "ACCOUNT_CREATED", identityRegion: "us-east-1" }), ctx());
    expect(r).toMatchObject({ status: "problem", fix: expect.stringContaining("quicksight.principalArn") });
  });

  it("AccessDenied names the action and the no-subscription reading", () => {
    const r = checkQuickSight(failed(denied("quicksight:DescribeAccountSubscription")), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("quicksight:DescribeAccountSubscription");
    expect(r.fix).toContain("quicksight.enabled: false");
  });
});

describe("bedrock-model-access", () => {
  const base = (): BedrockFacts => healthyFacts().bedrock;

  it("derives the foundation model from the project's ARN logic", () => {
    const cfg = config();
    expect(bedrockModel(cfg.bedrock.modelId, bedrockResourceArns(cfg))).toEqual({
      isProfile: true,
      foundationModelId: "anthropic.claude-haiku-4-5-20251001-v1:0",
    });
    const plain = config({ bedrock: { modelId: "amazon.nova-lite-v1:0" } });
    expect(bedrockModel(plain.bedrock.modelId, bedrockResourceArns(plain))).toEqual({ isProfile: false, foundationModelId: "amazon.nova-lite-v1:0" });
  });

  it("ok when profile and model are available", () => {
    expect(checkBedrock(base(), ctx())).toMatchObject({ status: "ok" });
  });

  it("problem naming every missing part, with the console fix in the region", () => {
    const b = {
      ...base(),
      availability: fact({
        exists: true,
        authorizationStatus: "NOT_AUTHORIZED",
        entitlementAvailability: "AVAILABLE",
        agreementStatus: "NOT_AVAILABLE",
        regionAvailability: "AVAILABLE",
      }),
    };
    const r = checkBedrock(b, ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("authorizationStatus NOT_AUTHORIZED");
    expect(r.message).toContain("agreementAvailability.status NOT_AVAILABLE");
    expect(r.message).not.toContain("entitlementAvailability");
    expect(r.fix).toContain(`request model access in the Bedrock console in ${REGION}`);
  });

  it("problem when the inference profile does not exist in the region", () => {
    const r = checkBedrock({ ...base(), profile: fact({ exists: false }) }, ctx());
    expect(r).toMatchObject({ status: "problem", fix: expect.stringContaining("bedrock.modelId") });
  });

  it("problem when the model is not offered in the region: change the region", () => {
    const b = {
      ...base(),
      availability: fact({
        exists: true,
        authorizationStatus: "AUTHORIZED",
        entitlementAvailability: "AVAILABLE",
        agreementStatus: "AVAILABLE",
        regionAvailability: "NOT_AVAILABLE",
      }),
    };
    expect(checkBedrock(b, ctx())).toMatchObject({ status: "problem", fix: expect.stringContaining("bedrock.region") });
  });

  it("AccessDenied names the IAM action", () => {
    const r = checkBedrock({ ...base(), availability: failed(denied("bedrock:GetFoundationModelAvailability")) }, ctx());
    expect(r).toMatchObject({ status: "problem", fix: expect.stringContaining("bedrock:GetFoundationModelAvailability") });
  });
});

describe("guardduty-detector", () => {
  const createDetector = (v: boolean | undefined) => ctx(withFields(config(), { guardduty: { createDetector: v } }));

  it("skipped when guardduty.enabled is false", () => {
    expect(checkGuardDuty(undefined, ctx(config({ guardduty: { enabled: false } })))).toMatchObject({ status: "skipped" });
  });

  it("ok: no detector and the stack creates one (createDetector absent = true)", () => {
    expect(checkGuardDuty(fact({ detectorIds: [] }), ctx())).toMatchObject({ status: "ok" });
  });

  it("ok: an existing detector is used (createDetector false)", () => {
    expect(checkGuardDuty(fact({ detectorIds: ["abc"], tags: {} }), createDetector(false))).toMatchObject({ status: "ok" });
  });

  it("ok: the existing detector is this environment's own (tagged)", () => {
    expect(checkGuardDuty(fact({ detectorIds: ["abc"], tags: TAGS("prod") }), ctx())).toMatchObject({ status: "ok" });
  });

  it("problem: a detector exists and the stack would create one", () => {
    expect(checkGuardDuty(fact({ detectorIds: ["abc"], tags: {} }), createDetector(undefined))).toMatchObject({
      status: "problem",
      fix: "set guardduty.createDetector: false in config/prod.json (one detector per region; the stack then only forwards findings)",
    });
  });

  it("problem: createDetector false without a detector", () => {
    expect(checkGuardDuty(fact({ detectorIds: [] }), createDetector(false))).toMatchObject({
      status: "problem",
      fix: expect.stringContaining("guardduty.createDetector: true"),
    });
  });

  it("AccessDenied names the IAM action", () => {
    expect(checkGuardDuty(failed(denied("guardduty:ListDetectors")), ctx()).message).toContain("guardduty:ListDetectors");
  });
});

describe("service-availability", () => {
  it("ok when both answer", () => {
    expect(checkServiceAvailability(healthyFacts().services, ctx())).toMatchObject({ status: "ok" });
  });

  it("problem when a service has no endpoint in the region", () => {
    const s = {
      transcribe: fact(true as const),
      comprehend: failed<true>({ kind: "unavailable", action: "comprehend:ListSentimentDetectionJobs", region: REGION, message: "getaddrinfo ENOTFOUND" }),
    };
    const r = checkServiceAvailability(s, ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain(`Amazon Comprehend is not available in ${REGION}; choose another region`);
    expect(r.fix).toContain("set region in config/prod.json");
  });

  it("AccessDenied names the IAM action", () => {
    const s = { transcribe: failed<true>(denied("transcribe:ListTranscriptionJobs")), comprehend: fact(true as const) };
    const r = checkServiceAvailability(s, ctx());
    expect(r).toMatchObject({ status: "problem", fix: expect.stringContaining("allow transcribe:ListTranscriptionJobs") });
  });
});

describe("bucket-names", () => {
  const bucket = (kind: BucketKind, probe: BucketProbe): BucketFacts => ({ kind, name: `b-${kind}`, probe: fact(probe) });

  it("ok when the name is free (404)", () => {
    expect(checkBucket(bucket("input", { state: "free" }), ctx())).toMatchObject({ id: "bucket-names/input", status: "ok" });
  });

  it("problem when another account has the name (403)", () => {
    const r = checkBucket(bucket("input", { state: "forbidden" }), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("taken by another account");
    expect(r.fix).toBe("set buckets.input in config/prod.json to a free name");
  });

  it("problem when a data bucket already exists in this account, untagged", () => {
    const r = checkBucket(bucket("results", { state: "ours", region: REGION, tags: {} }), ctx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("already exists in this account");
    expect(r.fix).toContain("import it");
    expect(r.fix).toContain("buckets.results");
  });

  it("ok when the data bucket is this environment's own (tagged)", () => {
    expect(checkBucket(bucket("results", { state: "ours", tags: TAGS("prod") }), ctx()).status).toBe("ok");
  });

  it("state bucket existing means bootstrap was applied: ok; taken by another account: problem naming namePrefix", () => {
    expect(checkBucket(bucket("state", { state: "ours" }), ctx())).toMatchObject({ status: "ok", message: expect.stringContaining("bootstrap") });
    expect(checkBucket(bucket("state", { state: "forbidden" }), ctx())).toMatchObject({ status: "problem", fix: expect.stringContaining("namePrefix") });
  });

  it("AccessDenied names the IAM action", () => {
    const r = checkBucket({ kind: "input", name: "b", probe: failed(denied("s3:GetBucketTagging")) }, ctx());
    expect(r.fix).toContain("s3:GetBucketTagging");
  });
});

describe("quicksight-service-role", () => {
  const consumers = "service-role/aws-quicksight-s3-consumers-role-v0";
  it("is ok when the configured role exists and no S3-consumers role does; skipped without QuickSight", () => {
    expect(checkQuickSightServiceRole(fact({ configured: true, s3Consumers: false }), ctx())).toMatchObject({ status: "ok" });
    expect(checkQuickSightServiceRole(undefined, ctx(config({ quicksight: { enabled: false } })))).toMatchObject({ status: "skipped" });
  });
  it("reports a missing configured role: the key policy grants it, so QuickSight cannot decrypt the results", () => {
    const r = checkQuickSightServiceRole(fact({ configured: false, s3Consumers: false }), ctx());
    expect(r).toMatchObject({ status: "problem", message: expect.stringContaining("QuickSight cannot decrypt the results until it exists") });
    expect(r.fix).toContain("Security & permissions");
  });
  it("names the S3-consumers role where QuickSight uses it, missing configured role or not", () => {
    expect(checkQuickSightServiceRole(fact({ configured: false, s3Consumers: true }), ctx()).fix).toContain(`quicksight.serviceRoleName to "${consumers}"`);
    expect(checkQuickSightServiceRole(fact({ configured: true, s3Consumers: true }), ctx())).toMatchObject({
      status: "problem",
      fix: expect.stringContaining(`quicksight.serviceRoleName to "${consumers}"`),
    });
    const named = config({
      quicksight: { enabled: true, principalArn: "arn:aws:quicksight:eu-central-1:111122223333:user/default/cci-lite-admin", serviceRoleName: consumers },
    });
    expect(checkQuickSightServiceRole(fact({ configured: true, s3Consumers: true }), ctx(named))).toMatchObject({ status: "ok" });
  });
});
