/**
 * Proof 2 (issue 12) on the real prod plan: the requests AWS services and people make against our policies on their
 * own, each with the principal, action, resource and context keys the cited AWS page documents. The cases are those
 * of the configuration matrix (service-cases-aws.ts, service-cases-people.ts; every mode in
 * mode-service-requests.test.ts on synthesized JSON), here on `cci-lite-prod` and `bootstrap-prod` as planned, where
 * prod turns them on (the toggles prod leaves off, CloudTrail and configured uploaders and administrators, are proven
 * in the modes that turn them on). Every case asserts what AWS would decide, and every decision is what the pipeline
 * needs.
 *
 * Context keys, as AWS documents them for these requests:
 * - a service calling with its own service principal: `aws:SourceArn` / `aws:SourceAccount` of the resource it
 *   acts for (IAM User Guide, global condition keys), no `aws:PrincipalArn`;
 * - SQS and SNS server-side encryption: KMS calls by the sending principal, with `kms:EncryptionContext:aws:sqs:arn`
 *   or `kms:EncryptionContext:aws:sns:topicArn` (the queue or topic ARN);
 * - S3 SSE-KMS: KMS calls with the requester's credentials, `kms:ViaService` = `s3.<region>.amazonaws.com`;
 * - a service acting with a caller's credentials (Athena): `aws:CalledVia`.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { loadOfflinePlan, type LoadedPlan } from "../helpers/offline-plan";
import { config, synthApp, synthBootstrap } from "../helpers/synth";
import { ACCOUNT, type Decision, type Policy, simulate } from "./iam";
import { expectedInventory, inventory } from "./key-inventory";
import { KEY, one, planWorld, REGION, role, synthesizedPolicy } from "./plan-policies";
import { caseProblems, casesFor } from "./service-case";
import { AWS_SERVICE_CASES } from "./service-cases-aws";
import { PEOPLE_CASES } from "./service-cases-people";
import { DOCS } from "./service-docs";

/** Registers a named Proof 2 case with the page it follows (checked below: every case cites one). */
const cases: Array<{ name: string; cite: string }> = [];
function proof2(name: string, cite: string, fn: () => Promise<void>): void {
  cases.push({ name, cite });
  test(name, fn);
}

const sqs = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const INTAKE = sqs("cci-lite-prod-intake");
const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/cci-lite-prod-trail`;
const APPLY = role("cci-lite-github-apply-prod");

let app: LoadedPlan;
let boot: LoadedPlan;
const keyPolicy = () => one(app, "aws_kms_key", "key");

beforeAll(() => {
  app = loadOfflinePlan("cci-lite-prod");
  boot = loadOfflinePlan("bootstrap-prod");
}, 600_000);

describe("the simulator evaluates kms:EncryptionContext conditions (iam.ts pre-evaluation)", () => {
  const sendKey = (queueArn: string | undefined): Promise<Decision> =>
    simulate({
      principal: "s3.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: KEY,
      resourcePolicy: keyPolicy(),
      context: queueArn ? { "kms:EncryptionContext:aws:sqs:arn": queueArn } : {},
    });

  it("allows S3 a data key for the intake queue (right queue ARN)", async () => {
    expect(await sendKey(INTAKE)).toBe("Allowed");
  });
  it("denies S3 a data key for another queue's ARN, and without an encryption context", async () => {
    expect(await sendKey(sqs("someone-elses-queue"))).toBe("ImplicitlyDenied");
    expect(await sendKey(undefined)).toBe("ImplicitlyDenied");
  });
  it("is needed: the library alone drops the context key and denies the right queue ARN (remove the pre-evaluation when this fails)", async () => {
    const raw = await runSimulation(
      {
        request: {
          principal: "s3.amazonaws.com",
          action: "kms:GenerateDataKey",
          resource: { resource: KEY, accountId: ACCOUNT },
          contextVariables: { "kms:EncryptionContext:aws:sqs:arn": INTAKE },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: keyPolicy(),
      },
      {},
    );
    expect(raw.resultType === "single" && raw.result.ignoredContextKeys).toEqual(["kms:EncryptionContext:aws:sqs:arn"]);
    expect(raw.resultType === "single" && raw.overallResult).toBe("ImplicitlyDenied");
  });
  it("rejects an encryption context on an action that carries none (kms:DescribeKey)", async () => {
    await expect(
      simulate({
        principal: "cloudtrail.amazonaws.com",
        action: "kms:DescribeKey",
        resource: KEY,
        resourcePolicy: keyPolicy(),
        context: { "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL },
      }),
    ).rejects.toThrow(/carries no encryption context/);
  });
});

describe("Proof 2 on the prod plan: every case of the matrix that prod turns on", () => {
  for (const c of casesFor(config(), [...AWS_SERVICE_CASES, ...PEOPLE_CASES]))
    proof2(c.name, c.cite, async () => {
      expect((await caseProblems(planWorld(app, boot, config()), c)).problems).toEqual([]);
    });
});

describe("Proof 2: CloudTrail's key statements", () => {
  const ct = "cloudtrail.amazonaws.com";
  proof2("CloudTrail: the pre-fix combined statement denied DescribeKey (the failure the split fixes)", DOCS.cloudtrailKeys, async () => {
    const combined: Policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowServiceCloudtrail",
          Effect: "Allow",
          Principal: { Service: ct },
          Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceArn": TRAIL },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
          },
        },
      ],
    };
    expect(await simulate({ principal: ct, action: "kms:DescribeKey", resource: KEY, resourcePolicy: combined, context: { "aws:SourceArn": TRAIL } })).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("who may use the customer key (key policy inventory)", () => {
  it("application key, default configuration (offline plan): only the documented principals", () => {
    expect(inventory(keyPolicy(), ACCOUNT)).toEqual(expectedInventory(config()));
  });
  it("application key, every toggle on and two tenants: only the documented principals", () => {
    const overrides = {
      tenants: [{ id: "acme", uploaderPrincipals: [role("acme-recorder")] }, { id: "globex" }],
      access: { uploaders: [role("recordings-export")], operators: [role("ops")], analysts: [role("analyst")], administrators: [] },
      cloudtrail: { enabled: true },
      guardduty: { enabled: true },
      glueCrawler: { enabled: true },
      quicksight: {
        enabled: true,
        principalArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin`,
        serviceRoleName: "service-role/aws-quicksight-service-role-v0",
      },
    };
    expect(inventory(synthesizedPolicy(synthApp(overrides).resource("aws_kms_key").policy), ACCOUNT)).toEqual(expectedInventory(config(overrides)));
  });
  it("state key (bootstrap): the account administers it; only the GitHub plan and apply roles of its environments use it", () => {
    expect(inventory(one(boot, "aws_kms_key", "key"), ACCOUNT)).toEqual({
      aws: [`arn:aws:iam::${ACCOUNT}:root`],
      principalArns: [APPLY, role("cci-lite-github-plan-prod")].sort(),
      services: [],
    });
    expect(inventory(synthesizedPolicy(synthBootstrap().resource("aws_kms_key").policy), ACCOUNT).principalArns).toEqual(
      [APPLY, role("cci-lite-github-plan-prod")].sort(),
    );
  });
});

describe("Proof 2 bookkeeping", () => {
  it("every case cites an AWS documentation page (or Terraform's, for its own backend)", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    for (const c of cases) expect([c.name, c.cite]).toEqual([c.name, expect.stringMatching(/^https:\/\/(docs\.aws\.amazon\.com|developer\.hashicorp\.com)\//)]);
  });
});
