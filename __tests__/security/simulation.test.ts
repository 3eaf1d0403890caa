/**
 * IAM simulation over the policies of the real offline plan of the default configuration (`terraform show -json`):
 * identity, bucket, access point, key and trust policies, exactly as Terraform would send them. The requests AWS
 * services make on their own (Proof 2) are in service-requests.test.ts.
 */
import { loadOfflinePlan, plannedResources, type LoadedPlan } from "../helpers/offline-plan";
import { synthApp } from "../helpers/synth";
import { ACCOUNT, simulate, simulateWebIdentity, type Policy } from "./iam";
import { resultKey } from "../../lambda-src/contracts/storage-layout";
import { fileRecordId } from "../../lambda-src/core/s3-key";
import {
  AP,
  INPUT,
  KEY,
  KMS_CTX,
  one as planned,
  REGION,
  RESULTS,
  role,
  STATE,
  STATE_KEY,
  STATE_KMS_CTX,
  synthesizedPolicy,
  unknownOnlyByKeyArn,
} from "./plan-policies";

const ROLES = {
  start: role("cci-lite-prod-start-fn"),
  analyze: role("cci-lite-prod-analyze-fn"),
  reconcile: role("cci-lite-prod-reconcile-fn"),
  transcribe: role("cci-lite-prod-transcribe-access"),
  tenant: role("cci-lite-prod-demo-tenant-reader"),
  plan: role("cci-lite-github-plan-prod"),
  apply: role("cci-lite-github-apply-prod"),
  applyDev: role("cci-lite-github-apply-dev"),
};
const RESULTS_AP = AP("cci-lite-prod-demo-tenant-results");
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const ALIAS_CTX = { "kms:ResourceAliases": ["alias/cci-lite-prod-master-key"] };
const JOB = `arn:aws:transcribe:${REGION}:${ACCOUNT}:transcription-job/cci-lite-prod-demo-tenant-abc`;

let app: LoadedPlan;
let boot: LoadedPlan;
/** The shared-account bootstrap (dev in prod's account, the `modes` target): both environments' roles. */
let shared: LoadedPlan;
const parse = (text: string): Policy => JSON.parse(text);
const one = (plan: LoadedPlan, type: string, addressPart: string, attr = "policy"): Policy => planned(plan, type, addressPart, attr);
const identity = (h: string): Policy[] => [one(app, "aws_iam_role_policy", h)];
const inputPolicy = () => one(app, "aws_s3_bucket_policy", "storage_input");
const resultsPolicy = () => one(app, "aws_s3_bucket_policy", "storage_results");

beforeAll(() => {
  app = loadOfflinePlan("cci-lite-prod");
  boot = loadOfflinePlan("bootstrap-prod");
  shared = loadOfflinePlan("bootstrap", "modes");
}, 600_000);

describe("plan: every IAM and resource policy is known before apply", () => {
  const POLICY_ATTRS: Array<[string, string]> = [
    ["aws_iam_role", "assume_role_policy"],
    ["aws_iam_role_policy", "policy"],
    ["aws_s3_bucket_policy", "policy"],
    ["aws_s3_access_point", "policy"],
    ["aws_kms_key", "policy"],
    ["aws_sns_topic_policy", "policy"],
    ["aws_sqs_queue_policy", "policy"],
  ];
  // The upload encryption denies name the customer key by its ARN (S3 compares the key-id header with an ARN), so
  // the bucket policies and the input access points are unknown in a first plan, until the key exists; in every
  // later plan they are known. Nothing else may be unknown, and nothing else in them.
  const KEY_ARN_NAMED = (type: string, address: string) =>
    type === "aws_s3_bucket_policy" || (type === "aws_s3_access_point" && address.includes("input-access-point"));
  it.each(["cci-lite-prod", "bootstrap"])("%s: each policy document is known JSON in `terraform show -json` (upload denies: all but the key ARN)", (stack) => {
    const plan = stack === "bootstrap" ? boot : app;
    let seen = 0;
    for (const [type, attr] of POLICY_ATTRS) {
      for (const r of plannedResources(plan, type)) {
        const unknown = r.afterUnknown?.[attr] === true;
        if (unknown) expect([r.address, KEY_ARN_NAMED(type, r.address) && unknownOnlyByKeyArn(plan, r.address, attr)]).toEqual([r.address, true]);
        const doc = unknown ? planned(plan, type, r.address.split(".")[1], attr) : parse(r.after[attr]);
        expect(doc.Statement.length).toBeGreaterThan(0);
        expect(JSON.stringify(doc)).not.toContain("${");
        seen++;
      }
    }
    // bootstrap (prod's account): 2 trusts (plan, apply), 2 role policies, 1 bucket policy, 1 key; application: 5 trusts, 5 role policies, 2 bucket
    // policies, 2 access points, 1 key, 1 topic, 3 queues.
    expect(seen).toBe(stack === "bootstrap" ? 6 : 19);
  });
});

describe("guide §3.3: pipeline writers encrypt with the key over TLS (uploads: service-requests.test.ts)", () => {
  it("allows the start role to write an error record to the results bucket with the key ARN over TLS, and not with aws:kms alone", async () => {
    const write = (ctx: Record<string, string>) =>
      simulate({
        principal: ROLES.start,
        action: "s3:PutObject",
        resource: `${RESULTS}/demo-tenant/2026/11/25/c1.json`,
        identity: identity("start"),
        resourcePolicy: resultsPolicy(),
        context: ctx,
      });
    expect(await write(KMS_CTX)).toBe("Allowed");
    expect(await write({ "s3:x-amz-server-side-encryption": "aws:kms" })).toBe("ExplicitlyDenied");
    expect(await write({ ...KMS_CTX, "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });
});

describe("start role: starts jobs, nothing more", () => {
  const as = (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: Policy) =>
    simulate({ principal: ROLES.start, action, resource, identity: identity("start"), resourcePolicy, context });

  it("allows reading uploaded audio under <tenant>/calls/", async () => {
    expect(await as("s3:GetObject", `${INPUT}/demo-tenant/calls/c1.wav`, {}, inputPolicy())).toBe("Allowed");
  });
  it("allows starting a Transcribe job that writes to the results bucket", async () => {
    expect(await as("transcribe:StartTranscriptionJob", "*", { "transcribe:OutputBucketName": "cci-lite-prod-results-111122223333-eu-central-1" })).toBe(
      "Allowed",
    );
  });
  it("denies starting a Transcribe job that writes to another bucket", async () => {
    expect(await as("transcribe:StartTranscriptionJob", "*", { "transcribe:OutputBucketName": "attacker-bucket" })).toBe("ImplicitlyDenied");
  });
  it("allows passing the Transcribe data-access role to Transcribe", async () => {
    expect(await as("iam:PassRole", ROLES.transcribe, { "iam:PassedToService": "transcribe.amazonaws.com" })).toBe("Allowed");
  });
  it("denies passing the data-access role to any other service", async () => {
    expect(await as("iam:PassRole", ROLES.transcribe, { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("ImplicitlyDenied");
  });
  it("denies iam:PassRole on any role but the data-access role", async () => {
    expect(await as("iam:PassRole", ROLES.apply, { "iam:PassedToService": "transcribe.amazonaws.com" })).toBe("ImplicitlyDenied");
  });
  it("denies the start role s3:DeleteBucket on the input bucket", async () => {
    expect(await as("s3:DeleteBucket", INPUT, {}, inputPolicy())).toBe("ImplicitlyDenied");
  });
  it("denies the start role deleting uploaded audio", async () => {
    expect(await as("s3:DeleteObject", `${INPUT}/demo-tenant/calls/c1.wav`, {}, inputPolicy())).toBe("ImplicitlyDenied");
  });
  it("allows the start role reading a call's record (read before a rejection is written: aws/records.ts commitRecord)", async () => {
    expect(await as("s3:GetObject", `${RESULTS}/demo-tenant/2026/11/25/c1.json`, {}, resultsPolicy())).toBe("Allowed");
    expect(await as("s3:ListBucket", RESULTS, {}, resultsPolicy())).toBe("Allowed");
  });
  it("allows the start role reading and writing a rejected non-audio file's own record (file!<name>, core/s3-key.ts fileRecordId)", async () => {
    const key = `${RESULTS}/${resultKey("demo-tenant", new Date(Date.UTC(2026, 10, 25)), fileRecordId("c1.json"))}`;
    expect(key).toBe(`${RESULTS}/demo-tenant/2026/11/25/file!c1.json.json`);
    expect(await as("s3:GetObject", key, {}, resultsPolicy())).toBe("Allowed");
    expect(await as("s3:PutObject", key, KMS_CTX, resultsPolicy())).toBe("Allowed");
  });
  it("denies the start role reading transcripts, query results or the pipeline's own state", async () => {
    expect(await as("s3:GetObject", `${RESULTS}/tmp/demo-tenant/job.json`, {}, resultsPolicy())).toBe("ImplicitlyDenied");
    expect(await as("s3:GetObject", `${RESULTS}/athena-results/demo-tenant/q-1.csv`, {}, resultsPolicy())).toBe("ImplicitlyDenied");
    expect(await as("s3:GetObject", `${RESULTS}/cci-lite/reconcile/state.json`, {}, resultsPolicy())).toBe("ImplicitlyDenied");
  });
  it("denies the start role writing under tmp/ (Transcribe's output)", async () => {
    expect(await as("s3:PutObject", `${RESULTS}/tmp/demo-tenant/job.json`, KMS_CTX, resultsPolicy())).toBe("ExplicitlyDenied");
  });
  it("denies the start role reading the Terraform state bucket", async () => {
    expect(await as("s3:GetObject", `${STATE}/cci-lite/prod/terraform.tfstate`)).toBe("ImplicitlyDenied");
  });
});

describe("analyze and reconcile roles: read transcripts, write results", () => {
  for (const h of ["analyze", "reconcile"] as const) {
    const as = (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: Policy) =>
      simulate({ principal: ROLES[h], action, resource, identity: identity(h), resourcePolicy, context });

    it(`allows ${h} reading a transcript under tmp/ and writing a result under <tenant>/`, async () => {
      expect(await as("s3:GetObject", `${RESULTS}/tmp/demo-tenant/job.json`, {}, resultsPolicy())).toBe("Allowed");
      expect(await as("s3:PutObject", `${RESULTS}/demo-tenant/2026/11/25/c1.json`, KMS_CTX, resultsPolicy())).toBe("Allowed");
    });
    it(`allows ${h} the pipeline's own objects: job claims, reconcile's lease and state`, async () => {
      expect(await as("s3:GetObject", `${RESULTS}/cci-lite/jobs/cci-lite-prod-demo-tenant-c1-0123456789abcdef.json`, {}, resultsPolicy())).toBe("Allowed");
      expect(await as("s3:PutObject", `${RESULTS}/cci-lite/jobs/cci-lite-prod-demo-tenant-c1-0123456789abcdef.json`, KMS_CTX, resultsPolicy())).toBe("Allowed");
      expect(await as("s3:PutObject", `${RESULTS}/cci-lite/reconcile/lease.json`, KMS_CTX, resultsPolicy())).toBe("Allowed");
    });
    it(`denies ${h} writing under tmp/ or athena-results/`, async () => {
      expect(await as("s3:PutObject", `${RESULTS}/tmp/demo-tenant/job.json`, KMS_CTX, resultsPolicy())).toBe("ExplicitlyDenied");
      expect(await as("s3:PutObject", `${RESULTS}/athena-results/x.csv`, KMS_CTX, resultsPolicy())).toBe("ExplicitlyDenied");
    });
    it(`denies ${h} writing to the input bucket; only analyze reads the audio (one byte, IfMatch the job's ETag: the exact upload)`, async () => {
      expect(await as("s3:GetObject", `${INPUT}/demo-tenant/calls/c1.wav`, {}, inputPolicy())).toBe(h === "analyze" ? "Allowed" : "ImplicitlyDenied");
      expect(await as("s3:GetObject", `${INPUT}/demo-tenant/other/c1.wav`, {}, inputPolicy())).toBe("ImplicitlyDenied");
      expect(await as("s3:PutObject", `${INPUT}/demo-tenant/calls/c2.wav`, KMS_CTX, inputPolicy())).toBe("ImplicitlyDenied");
    });
    it(`denies ${h} s3:DeleteBucket on the results bucket and any iam:PassRole`, async () => {
      expect(await as("s3:DeleteBucket", RESULTS, {}, resultsPolicy())).toBe("ImplicitlyDenied");
      expect(await as("iam:PassRole", ROLES.transcribe, { "iam:PassedToService": "transcribe.amazonaws.com" })).toBe("ImplicitlyDenied");
    });
    it(`allows ${h} reading only this deployment's Transcribe jobs`, async () => {
      expect(await as("transcribe:GetTranscriptionJob", JOB)).toBe("Allowed");
      expect(await as("transcribe:GetTranscriptionJob", `arn:aws:transcribe:${REGION}:${ACCOUNT}:transcription-job/other-app-job`)).toBe("ImplicitlyDenied");
    });
    it(`allows ${h} writing the "job settled" markers under cci-lite/`, async () => {
      expect(await as("s3:PutObject", `${RESULTS}/cci-lite/reconcile/done/2026-11-25T09/cci-lite-prod-demo-tenant-abc`, KMS_CTX, resultsPolicy())).toBe(
        "Allowed",
      );
    });
  }
  it("allows analyze invoking only the configured Bedrock model, in any destination region only through the profile", async () => {
    const as = (action: string, resource: string, context: Record<string, string> = {}) =>
      simulate({ principal: ROLES.analyze, action, resource, identity: identity("analyze"), context });
    const profile = `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0`;
    const model = (region: string, id = "anthropic.claude-haiku-4-5-20251001-v1:0") => `arn:aws:bedrock:${region}::foundation-model/${id}`;
    const through = (arn: string) => ({ "bedrock:InferenceProfileArn": arn });
    expect(await as("bedrock:InvokeModel", profile)).toBe("Allowed");
    // The profile routes to its destination regions, including ones AWS adds later.
    for (const region of ["eu-west-1", "eu-north-1", "eu-west-2"]) expect(await as("bedrock:InvokeModel", model(region), through(profile))).toBe("Allowed");
    // The foundation model directly (no profile) or through another profile: denied.
    expect(await as("bedrock:InvokeModel", model("eu-west-1"))).toBe("ImplicitlyDenied");
    expect(await as("bedrock:InvokeModel", model("us-east-1"), through(profile.replace("inference-profile/eu.", "inference-profile/us.")))).toBe(
      "ImplicitlyDenied",
    );
    expect(await as("bedrock:InvokeModel", model(REGION, "anthropic.claude-opus-4-1-20250805-v1:0"), through(profile))).toBe("ImplicitlyDenied");
    expect(await as("bedrock:InvokeModel", `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0`)).toBe(
      "ImplicitlyDenied",
    );
  });
  it("reconcile only detects: it may invoke the analyze function and nothing else; no models, no deletes", async () => {
    const as = (action: string, resource: string) => simulate({ principal: ROLES.reconcile, action, resource, identity: identity("reconcile") });
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    expect(await as("lambda:InvokeFunction", fn("cci-lite-prod-analyze"))).toBe("Allowed");
    expect(await as("lambda:InvokeFunction", fn("cci-lite-prod-start"))).toBe("ImplicitlyDenied");
    expect(await as("lambda:InvokeFunction", fn("cci-lite-prod-reconcile"))).toBe("ImplicitlyDenied");
    expect(await as("bedrock:InvokeModel", `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await as("comprehend:DetectSentiment", "*")).toBe("ImplicitlyDenied");
    expect(await as("s3:DeleteObject", `${INPUT}/demo-tenant/calls/c1.wav`)).toBe("ImplicitlyDenied");
  });
  it("denies reconcile starting Transcribe jobs", async () => {
    expect(
      await simulate({
        principal: ROLES.reconcile,
        action: "transcribe:StartTranscriptionJob",
        resource: "*",
        identity: identity("reconcile"),
        context: { "transcribe:OutputBucketName": "cci-lite-prod-results-111122223333-eu-central-1" },
      }),
    ).toBe("ImplicitlyDenied");
  });
});

describe("Transcribe data-access role: reads audio, writes only under tmp/", () => {
  const as = (action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: Policy) =>
    simulate({ principal: ROLES.transcribe, action, resource, identity: identity("transcribe-access"), resourcePolicy, context });
  it("allows writing its transcript under tmp/ with aws:kms", async () => {
    expect(await as("s3:PutObject", `${RESULTS}/tmp/demo-tenant/job.json`, KMS_CTX, resultsPolicy())).toBe("Allowed");
  });
  it("denies writing anywhere outside tmp/ (bucket policy deny)", async () => {
    expect(await as("s3:PutObject", `${RESULTS}/demo-tenant/2026/11/25/forged.json`, KMS_CTX, resultsPolicy())).toBe("ExplicitlyDenied");
  });
  it("allows reading input audio under <tenant>/calls/ only", async () => {
    expect(await as("s3:GetObject", `${INPUT}/demo-tenant/calls/c1.wav`, {}, inputPolicy())).toBe("Allowed");
    expect(await as("s3:GetObject", `${INPUT}/notes.txt`, {}, inputPolicy())).toBe("ImplicitlyDenied");
  });
  it("denies reading results", async () => {
    expect(await as("s3:GetObject", `${RESULTS}/demo-tenant/2026/11/25/c1.json`, {}, resultsPolicy())).toBe("ImplicitlyDenied");
  });
});

describe("trust policies and the key policy", () => {
  const trustOf = (part: string) => one(app, "aws_iam_role", part, "assume_role_policy");
  it("lets Transcribe assume the data-access role only for this account", async () => {
    const assume = (account: string) =>
      simulate({
        principal: "transcribe.amazonaws.com",
        action: "sts:AssumeRole",
        resource: ROLES.transcribe,
        resourcePolicy: trustOf("transcribe-access"),
        context: { "aws:SourceAccount": account, "aws:SourceArn": `arn:aws:transcribe:${REGION}:${account}:transcription-job/x` },
      });
    expect(await assume(ACCOUNT)).toBe("Allowed");
    expect(await assume("999999999999")).toBe("ImplicitlyDenied");
  });
  it("lets Lambda assume a function role only on behalf of this account", async () => {
    const assume = (account: string) =>
      simulate({
        principal: "lambda.amazonaws.com",
        action: "sts:AssumeRole",
        resource: ROLES.start,
        resourcePolicy: trustOf("functions_start_role"),
        context: { "aws:SourceAccount": account },
      });
    expect(await assume(ACCOUNT)).toBe("Allowed");
    expect(await assume("999999999999")).toBe("ImplicitlyDenied");
  });
  it("lets only the granted principals use the customer key (key policy, aws:PrincipalArn)", async () => {
    const keyPolicy = one(app, "aws_kms_key", "key");
    const anyKms: Policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
    expect(
      await simulate({
        principal: ROLES.analyze,
        action: "kms:Decrypt",
        resource: KEY,
        identity: identity("analyze"),
        resourcePolicy: keyPolicy,
        context: ALIAS_CTX,
      }),
    ).toBe("Allowed");
    expect(
      await simulate({
        principal: role("someone-else"),
        action: "kms:Decrypt",
        resource: KEY,
        identity: [anyKms],
        resourcePolicy: keyPolicy,
        context: ALIAS_CTX,
      }),
    ).toBe("ImplicitlyDenied");
  });
});

describe("delivery roles (bootstrap stack)", () => {
  const applyTrust = () => one(boot, "aws_iam_role", "apply_prod_role", "assume_role_policy");
  const planTrust = () => one(boot, "aws_iam_role", "plan-prod_role", "assume_role_policy");
  const claims = (sub: string, aud = "sts.amazonaws.com") => ({
    "token.actions.githubusercontent.com:sub": sub,
    "token.actions.githubusercontent.com:aud": aud,
  });

  /** A subject in the github stack's template: repo, context, then the workflow file and ref (modules/iam/github-oidc.ts). */
  const sub = (repo: string, context: string, file = "apply.yml", ref = "refs/heads/main", workflowRepo = "conversant/cci-lite") =>
    `repo:${repo}:${context}:job_workflow_ref:${workflowRepo}/.github/workflows/${file}@${ref}`;
  const REPO = "conversant/cci-lite";

  it("lets the apply role be assumed by apply.yml on main in the prod environment (name-only and id-bearing repo claim)", () => {
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "environment:prod")))).toBe("Allowed");
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub("conversant@1234/cci-lite@5678", "environment:prod")))).toBe("Allowed");
  });
  it("never lets another workflow, or apply.yml from another branch or a pull request, assume the apply role in prod", () => {
    for (const [file, ref] of [
      ["plan.yml", "refs/heads/main"],
      ["drift.yml", "refs/heads/main"],
      ["evil.yml", "refs/heads/main"],
      ["apply.yml", "refs/heads/feature"],
      ["apply.yml", "refs/pull/7/merge"],
      ["apply.yml", "refs/heads/main-old"],
    ]) {
      expect({ file, ref, decision: simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "environment:prod", file, ref))) }).toEqual({
        file,
        ref,
        decision: "ImplicitlyDenied",
      });
    }
    // The default subject (no job_workflow_ref: the template was reset) is refused too.
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims("repo:conversant/cci-lite:environment:prod"))).toBe("ImplicitlyDenied");
  });
  it("never lets a pull request or the main branch outside the environment assume the apply role", () => {
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "pull_request", "apply.yml", "refs/pull/7/merge")))).toBe("ImplicitlyDenied");
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "ref:refs/heads/main")))).toBe("ImplicitlyDenied");
  });
  it("never lets another repository, another environment, another repository's workflow or another audience assume the apply role", () => {
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub("evil/cci-lite", "environment:prod")))).toBe("ImplicitlyDenied");
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub("conversant/cci-lite-fork", "environment:prod")))).toBe("ImplicitlyDenied");
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "environment:staging")))).toBe("ImplicitlyDenied");
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "environment:prod", "apply.yml", "refs/heads/main", "evil/x")))).toBe(
      "ImplicitlyDenied",
    );
    expect(simulateWebIdentity(applyTrust(), OIDC, ROLES.apply, claims(sub(REPO, "environment:prod"), "sts.evil.example"))).toBe("ImplicitlyDenied");
  });
  it("lets plan.yml on pull requests and apply.yml and drift.yml on main assume the plan role, nothing else", () => {
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub(REPO, "pull_request", "plan.yml", "refs/pull/7/merge")))).toBe("Allowed");
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub(REPO, "ref:refs/heads/main", "apply.yml")))).toBe("Allowed");
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub(REPO, "ref:refs/heads/main", "drift.yml")))).toBe("Allowed");
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub("evil/cci-lite", "pull_request", "plan.yml", "refs/pull/7/merge")))).toBe(
      "ImplicitlyDenied",
    );
    // A branch's own workflow, pushed: neither its context nor its ref is trusted.
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub(REPO, "ref:refs/heads/feature", "plan.yml", "refs/heads/feature")))).toBe(
      "ImplicitlyDenied",
    );
    expect(simulateWebIdentity(planTrust(), OIDC, ROLES.plan, claims(sub(REPO, "ref:refs/heads/main", "evil.yml")))).toBe("ImplicitlyDenied");
  });

  // ReadOnlyAccess (AWS managed, not in the plan) is modelled by read actions; writes come only from the inline policy.
  const readOnly: Policy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "kms:Describe*", "kms:Get*", "kms:List*"], Resource: "*" }],
  };
  const plan = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    simulate({
      principal: ROLES.plan,
      action,
      resource,
      identity: [readOnly, one(boot, "aws_iam_role_policy", "plan-prod_state-access")],
      resourcePolicy: one(boot, "aws_s3_bucket_policy", "state"),
      context: { ...(action === "s3:PutObject" ? STATE_KMS_CTX : {}), ...context },
    });
  it("denies the plan role writing or deleting lock objects (plans run with -lock=false)", async () => {
    expect(await plan("s3:PutObject", `${STATE}/cci-lite/prod/terraform.tfstate.tflock`)).toBe("ExplicitlyDenied");
    expect(await plan("s3:DeleteObject", `${STATE}/cci-lite/prod/terraform.tfstate.tflock`)).toBe("ExplicitlyDenied");
  });
  it("gives the plan role the state key to read the state, never kms:Encrypt (plans write nothing)", () => {
    const useKey = one(boot, "aws_iam_role_policy", "plan-prod_state-access").Statement.find((st: { Sid?: string }) => st.Sid === "UseStateKey");
    expect(useKey.Action).toContain("kms:Decrypt");
    expect(useKey.Action).not.toContain("kms:Encrypt");
  });
  it("denies the plan role overwriting or deleting the state itself", async () => {
    expect(await plan("s3:PutObject", `${STATE}/cci-lite/prod/terraform.tfstate`)).toBe("ExplicitlyDenied");
    expect(await plan("s3:DeleteObject", `${STATE}/cci-lite/prod/terraform.tfstate`)).toBe("ExplicitlyDenied");
  });
  it("denies the plan role changing buckets, roles or the key", async () => {
    expect(await plan("s3:DeleteBucket", STATE)).toBe("ImplicitlyDenied");
    expect(await plan("s3:PutBucketPolicy", STATE)).toBe("ImplicitlyDenied");
    expect(
      await simulate({
        principal: ROLES.plan,
        action: "iam:CreateRole",
        resource: role("x"),
        identity: [readOnly, one(boot, "aws_iam_role_policy", "plan-prod_state-access")],
      }),
    ).toBe("ImplicitlyDenied");
  });
  it("denies the plan role reading call data even though ReadOnlyAccess would", async () => {
    expect(
      await simulate({
        principal: ROLES.plan,
        action: "s3:GetObject",
        resource: `${RESULTS}/demo-tenant/2026/11/25/c1.json`,
        identity: [readOnly, one(boot, "aws_iam_role_policy", "plan-prod_state-access")],
      }),
    ).toBe("ExplicitlyDenied");
  });
});

describe("apply role: policy and permission boundary instead of AdministratorAccess", () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/cci-lite-delivery-boundary`;
  const OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const STATE_ALIAS = { "kms:ResourceAliases": ["alias/cci-lite-tfstate"] };
  const applyAs =
    (policyPart: string, principal: string, plan = boot) =>
    (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      simulate({
        principal,
        action,
        resource,
        identity: [one(plan, "aws_iam_role_policy", policyPart)],
        boundary: one(plan, "aws_iam_policy", "apply_boundary"),
        context,
      });
  const apply = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    applyAs("apply_prod_policy", ROLES.apply)(action, resource, context);
  const withBoundary = { "iam:PermissionsBoundary": BOUNDARY };

  it("attaches no AWS managed policy to the apply roles; each carries the boundary", () => {
    const attachments = plannedResources(boot, "aws_iam_role_policy_attachment").map((r) => r.after.policy_arn);
    // Only the plan roles (one per environment of the account) get ReadOnlyAccess.
    expect(attachments).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const sharedAttachments = plannedResources(shared, "aws_iam_role_policy_attachment").map((r) => r.after.policy_arn);
    expect(sharedAttachments).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const roles = plannedResources(shared, "aws_iam_role").filter((r) => r.after.name.startsWith("cci-lite-github-apply-"));
    expect(roles.map((r) => r.after.name).sort()).toEqual(["cci-lite-github-apply-dev", "cci-lite-github-apply-prod"]);
    for (const r of roles) expect(r.afterUnknown?.permissions_boundary ?? r.after.permissions_boundary).toBeTruthy();
  });
  it("cannot iam:UpdateAssumeRolePolicy, PutRolePolicy or DeleteRolePermissionsBoundary on itself (or the other delivery roles)", async () => {
    for (const target of [ROLES.apply, ROLES.applyDev, ROLES.plan]) {
      expect(await apply("iam:UpdateAssumeRolePolicy", target)).toBe("ExplicitlyDenied");
      expect(await apply("iam:PutRolePolicy", target, withBoundary)).toBe("ExplicitlyDenied");
      expect(await apply("iam:AttachRolePolicy", target, withBoundary)).toBe("ExplicitlyDenied");
      expect(await apply("iam:DeleteRolePermissionsBoundary", target)).toBe("ExplicitlyDenied");
      expect(await apply("iam:PutRolePermissionsBoundary", target, withBoundary)).toBe("ExplicitlyDenied");
    }
  });
  it("cannot change the boundary policy, the OIDC provider, or escape the boundary through new roles or users", async () => {
    expect(await apply("iam:CreatePolicyVersion", BOUNDARY)).toBe("ExplicitlyDenied");
    expect(await apply("iam:DeletePolicy", BOUNDARY)).toBe("ExplicitlyDenied");
    expect(await apply("iam:UpdateOpenIDConnectProviderThumbprint", OIDC_PROVIDER)).toBe("ExplicitlyDenied");
    expect(await apply("iam:DeleteOpenIDConnectProvider", OIDC_PROVIDER)).toBe("ExplicitlyDenied");
    expect(await apply("iam:CreateRole", role("cci-lite-prod-escape"))).not.toBe("Allowed");
    expect(await apply("iam:CreateRole", role("cci-lite-prod-escape"), { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" })).toBe(
      "ExplicitlyDenied",
    );
    expect(await apply("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/backdoor`)).toBe("ExplicitlyDenied");
    expect(await apply("iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/someone`)).toBe("ExplicitlyDenied");
    expect(await apply("iam:PutRolePolicy", role("Admin"), withBoundary)).toBe("ImplicitlyDenied");
  });
  it("cannot s3:PutBucketPolicy, DeleteBucket or weaken the state bucket's protections", async () => {
    for (const action of [
      "s3:PutBucketPolicy",
      "s3:DeleteBucketPolicy",
      "s3:DeleteBucket",
      "s3:PutBucketVersioning",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ])
      expect([action, await apply(action, STATE)]).toEqual([action, "ExplicitlyDenied"]);
    expect(await apply("s3:DeleteObjectVersion", `${STATE}/cci-lite/prod/terraform.tfstate`)).toBe("ExplicitlyDenied");
  });
  it("cannot kms:PutKeyPolicy or ScheduleKeyDeletion on the state key, nor move its alias", async () => {
    expect(await apply("kms:PutKeyPolicy", STATE_KEY, STATE_ALIAS)).toBe("ExplicitlyDenied");
    expect(await apply("kms:ScheduleKeyDeletion", STATE_KEY, STATE_ALIAS)).toBe("ExplicitlyDenied");
    expect(await apply("kms:DisableKey", STATE_KEY, STATE_ALIAS)).toBe("ExplicitlyDenied");
    expect(await apply("kms:DeleteAlias", `arn:aws:kms:${REGION}:${ACCOUNT}:alias/cci-lite-tfstate`)).toBe("ExplicitlyDenied");
    expect(await apply("kms:UpdateAlias", `arn:aws:kms:${REGION}:${ACCOUNT}:alias/cci-lite-tfstate`)).toBe("ExplicitlyDenied");
  });
  it("can still write the state and its lock (Terraform's S3 backend)", async () => {
    expect(await apply("s3:PutObject", `${STATE}/cci-lite/prod/terraform.tfstate`, STATE_KMS_CTX)).toBe("Allowed");
    expect(await apply("s3:PutObject", `${STATE}/cci-lite/prod/terraform.tfstate.tflock`, STATE_KMS_CTX)).toBe("Allowed");
    expect(await apply("s3:DeleteObject", `${STATE}/cci-lite/prod/terraform.tfstate.tflock`)).toBe("Allowed");
  });
  it("can create, update and delete the app stack's resources", async () => {
    expect(await apply("s3:CreateBucket", INPUT)).toBe("Allowed");
    expect(await apply("s3:PutBucketPolicy", INPUT)).toBe("Allowed");
    expect(await apply("s3:DeleteBucket", RESULTS)).toBe("Allowed");
    expect(await apply("lambda:CreateFunction", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cci-lite-prod-start`)).toBe("Allowed");
    expect(await apply("iam:PassRole", role("cci-lite-prod-start-fn"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("Allowed");
    // Passed to Lambda only, and only GuardDuty's service-linked role may be created (issue 21).
    expect(await apply("iam:PassRole", role("cci-lite-prod-start-fn"), { "iam:PassedToService": "ec2.amazonaws.com" })).toMatch(/Denied$/);
    const slr = (service: string, name: string) => `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${service}/${name}`;
    expect(
      await apply("iam:CreateServiceLinkedRole", slr("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty"), {
        "iam:AWSServiceName": "guardduty.amazonaws.com",
      }),
    ).toBe("Allowed");
    expect(
      await apply("iam:CreateServiceLinkedRole", slr("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"), {
        "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com",
      }),
    ).toMatch(/Denied$/);
    expect(await apply("iam:CreateRole", role("cci-lite-prod-start-fn"), withBoundary)).toBe("Allowed");
    expect(await apply("iam:PutRolePolicy", role("cci-lite-prod-start-fn"), withBoundary)).toBe("Allowed");
    expect(await apply("iam:DeleteRole", role("cci-lite-prod-start-fn"))).toBe("Allowed");
    // Terraform sends the provider's default tags with CreateKey; a key without the environment's tag is refused
    // (modules/bootstrap/environment-scope.ts, environments.test.ts).
    expect(await apply("kms:CreateKey", "*", { "aws:RequestTag/Env": "prod", "aws:RequestTag/Project": "CCI-Lite" })).toBe("Allowed");
    // Key actions also need the key policy (the app key's, which lets the account's IAM policies decide).
    const onAppKey = (action: string) =>
      simulate({
        principal: ROLES.apply,
        action,
        resource: KEY,
        identity: [one(boot, "aws_iam_role_policy", "apply_prod_policy")],
        boundary: one(boot, "aws_iam_policy", "apply_boundary"),
        resourcePolicy: one(app, "aws_kms_key", "key"),
        context: ALIAS_CTX,
      });
    expect(await onAppKey("kms:PutKeyPolicy")).toBe("Allowed");
    expect(await onAppKey("kms:ScheduleKeyDeletion")).toBe("Allowed");
    expect(await apply("sqs:CreateQueue", `arn:aws:sqs:${REGION}:${ACCOUNT}:cci-lite-prod-intake`)).toBe("Allowed");
    expect(await apply("events:PutRule", `arn:aws:events:${REGION}:${ACCOUNT}:rule/cci-lite-prod-reconcile`)).toBe("Allowed");
    expect(await apply("glue:CreateDatabase", `arn:aws:glue:${REGION}:${ACCOUNT}:database/cci_lite_prod`)).toBe("Allowed");
    expect(await apply("athena:CreateWorkGroup", `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/cci-lite-prod`)).toBe("Allowed");
  });
  it("per-stack environment and role: the dev apply role manages only dev's roles; prod's apply role only prod's", async () => {
    // Separate accounts (as committed): prod's account has no dev role, and prod's role manages no dev names.
    expect(await apply("iam:CreateRole", role("cci-lite-dev-start-fn"), withBoundary)).toBe("ImplicitlyDenied");
    // One shared account (the `modes` target): not allowed, and explicitly denied (environments.test.ts).
    const dev = applyAs("apply_dev_policy", ROLES.applyDev, shared);
    expect(await dev("iam:CreateRole", role("cci-lite-dev-start-fn"), withBoundary)).toBe("Allowed");
    expect(await dev("iam:CreateRole", role("cci-lite-prod-start-fn"), withBoundary)).toBe("ExplicitlyDenied");
    expect(await dev("iam:PassRole", role("cci-lite-prod-start-fn"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("ExplicitlyDenied");
    expect(await applyAs("apply_prod_policy", ROLES.apply, shared)("iam:CreateRole", role("cci-lite-dev-start-fn"), withBoundary)).toBe("ExplicitlyDenied");
    const devTrust = one(shared, "aws_iam_role", "apply_dev_role", "assume_role_policy");
    const apply_ = "job_workflow_ref:conversant/cci-lite/.github/workflows/apply.yml@refs/heads/main";
    const sub = (env: string) => ({
      "token.actions.githubusercontent.com:sub": `repo:conversant/cci-lite:environment:${env}:${apply_}`,
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    });
    expect(simulateWebIdentity(devTrust, OIDC, ROLES.applyDev, sub("dev"))).toBe("Allowed");
    expect(simulateWebIdentity(devTrust, OIDC, ROLES.applyDev, sub("prod"))).toBe("ImplicitlyDenied");
    const prodTrust = one(boot, "aws_iam_role", "apply_prod_role", "assume_role_policy");
    expect(simulateWebIdentity(prodTrust, OIDC, ROLES.apply, sub("dev"))).toBe("ImplicitlyDenied");
  });
});

describe("tenant isolation (guide §13)", () => {
  const tenantIdentity = () => identity("demo-tenant_reader_policy");
  const apPolicy = () => one(app, "aws_s3_access_point", "demo-tenant_results-access-point");
  const viaAp = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    simulate({ principal: ROLES.tenant, action, resource, identity: tenantIdentity(), resourcePolicy: apPolicy(), context });

  it("allows tenant A reading its own results through its access point", async () => {
    expect(await viaAp("s3:GetObject", `${RESULTS_AP}/object/demo-tenant/2026/11/25/c1.json`)).toBe("Allowed");
  });
  it("allows tenant A listing its own prefix through its access point, and denies listing tenant B's", async () => {
    expect(await viaAp("s3:ListBucket", RESULTS_AP, { "s3:prefix": "demo-tenant/2026/" })).toBe("Allowed");
    expect(await viaAp("s3:ListBucket", RESULTS_AP, { "s3:prefix": "other-tenant/" })).toBe("ExplicitlyDenied");
    expect(await viaAp("s3:ListBucket", RESULTS_AP, { "s3:prefix": "" })).toBe("ExplicitlyDenied");
  });
  // The simulator's action data lists s3:DataAccessPointArn for no request on a bucket's object ARN, so it ignores the
  // key (iam.ts rejects that): the statement is checked as planned instead.
  it("the buckets delegate to the tenants' own access points only (s3:DataAccessPointArn), never another access point of the account", () => {
    for (const [bucket, ap] of [
      [resultsPolicy(), RESULTS_AP],
      [inputPolicy(), AP("cci-lite-prod-demo-tenant-input")],
    ] as const) {
      const st = bucket.Statement.find((x: any) => x.Sid === "DelegateToThisAccountsAccessPoints");
      expect(st.Condition).toEqual({ StringEquals: { "s3:DataAccessPointAccount": ACCOUNT, "s3:DataAccessPointArn": [ap] } });
    }
  });
  it("denies tenant A reading tenant B's objects through its own access point", async () => {
    expect(await viaAp("s3:GetObject", `${RESULTS_AP}/object/other-tenant/2026/11/25/c1.json`)).toBe("ExplicitlyDenied");
  });
  it("denies tenant A reading results from the bucket directly (outside Athena)", async () => {
    expect(
      await simulate({
        principal: ROLES.tenant,
        action: "s3:GetObject",
        resource: `${RESULTS}/demo-tenant/2026/11/25/c1.json`,
        identity: tenantIdentity(),
        resourcePolicy: resultsPolicy(),
      }),
    ).toBe("ImplicitlyDenied");
  });
  it("lets Athena read tenant A's prefix for tenant A, never tenant B's", async () => {
    const athena = { "aws:CalledVia": ["athena.amazonaws.com"] };
    expect(
      await simulate({
        principal: ROLES.tenant,
        action: "s3:GetObject",
        resource: `${RESULTS}/demo-tenant/2026/11/25/c1.json`,
        identity: tenantIdentity(),
        resourcePolicy: resultsPolicy(),
        context: athena,
      }),
    ).toBe("Allowed");
    expect(
      await simulate({
        principal: ROLES.tenant,
        action: "s3:GetObject",
        resource: `${RESULTS}/other-tenant/2026/11/25/c1.json`,
        identity: tenantIdentity(),
        resourcePolicy: resultsPolicy(),
        context: athena,
      }),
    ).toBe("ImplicitlyDenied");
  });
  it("denies tenant A any write: results, input audio, or through its access point", async () => {
    expect(await viaAp("s3:PutObject", `${RESULTS_AP}/object/demo-tenant/2026/11/25/forged.json`, KMS_CTX)).toBe("ImplicitlyDenied");
    expect(
      await simulate({
        principal: ROLES.tenant,
        action: "s3:PutObject",
        resource: `${RESULTS}/demo-tenant/x.json`,
        identity: tenantIdentity(),
        resourcePolicy: resultsPolicy(),
        context: KMS_CTX,
      }),
    ).toBe("ImplicitlyDenied");
    expect(
      await simulate({
        principal: ROLES.tenant,
        action: "s3:PutObject",
        resource: `${INPUT}/demo-tenant/calls/x.wav`,
        identity: tenantIdentity(),
        resourcePolicy: inputPolicy(),
        context: KMS_CTX,
      }),
    ).toBe("ImplicitlyDenied");
  });
  it("lets tenant A query only its own Athena workgroup", async () => {
    const wg = (name: string) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
    expect(
      await simulate({ principal: ROLES.tenant, action: "athena:StartQueryExecution", resource: wg("cci-lite-prod-demo-tenant"), identity: tenantIdentity() }),
    ).toBe("Allowed");
    expect(await simulate({ principal: ROLES.tenant, action: "athena:StartQueryExecution", resource: wg("cci-lite-prod"), identity: tenantIdentity() })).toBe(
      "ImplicitlyDenied",
    );
  });
  describe("tenant tables (issue 12 item 7): a reader queries its own table without a tenant filter", () => {
    const glue = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;
    const read = (action: string, resource: string) => simulate({ principal: ROLES.tenant, action, resource, identity: tenantIdentity() });
    const table = (name: string) => plannedResources(app, "aws_glue_catalog_table").find((r) => r.after.name === name)?.after;
    /** The S3 prefix of every partition Athena projects for `t` on one day: what a query without a filter lists. */
    const projectedPrefixes = (t: any): string[] =>
      t.parameters["projection.tenant.values"].split(",").map((v: string) =>
        t.parameters["storage.location.template"]
          .replace("${tenant}", v)
          .replace("${call_date}", "2026/11/25")
          .replace(`s3://${RESULTS.split(":::")[1]}/`, ""),
      );
    const athenaLists = (prefix: string) =>
      simulate({
        principal: ROLES.tenant,
        action: "s3:ListBucket",
        resource: RESULTS,
        identity: tenantIdentity(),
        resourcePolicy: resultsPolicy(),
        context: { "aws:CalledVia": ["athena.amazonaws.com"], "s3:prefix": prefix },
      });

    it("lets tenant A read its own table's definition and partitions (catalog, database, table)", async () => {
      for (const action of ["glue:GetTable", "glue:GetPartitions"]) {
        expect(await read(action, glue("table/cci_lite_prod/call_results_demo_tenant"))).toBe("Allowed");
        expect(await read(action, glue("database/cci_lite_prod"))).toBe("Allowed");
        expect(await read(action, glue("catalog"))).toBe("Allowed");
      }
    });
    it("denies tenant A the shared table (it projects every tenant) and any other table", async () => {
      for (const action of ["glue:GetTable", "glue:GetPartitions"]) {
        expect(await read(action, glue("table/cci_lite_prod/call_results"))).toBe("ImplicitlyDenied");
        expect(await read(action, glue("table/cci_lite_prod/call_results_other_tenant"))).toBe("ImplicitlyDenied");
        expect(await read(action, glue("table/cci_lite_prod/crawled_results"))).toBe("ImplicitlyDenied");
      }
    });
    it("plans tenant A's table over its prefix only, so every partition a query without a filter lists is allowed", async () => {
      const own = table("call_results_demo_tenant");
      expect(own.storage_descriptor[0].location).toBe(`s3://${RESULTS.split(":::")[1]}/demo-tenant/`);
      expect(projectedPrefixes(own)).toEqual(["demo-tenant/2026/11/25/"]);
      for (const prefix of projectedPrefixes(own)) expect(await athenaLists(prefix)).toBe("Allowed");
      // The shared table projects every tenant and `unassigned/`: the same query over it is denied for tenant A.
      const denied = [];
      for (const prefix of projectedPrefixes(table("call_results"))) if ((await athenaLists(prefix)) !== "Allowed") denied.push(prefix);
      expect(denied).toEqual(["unassigned/2026/11/25/"]);
    });
  });

  describe("two tenants (in-process synth of acme and globex)", () => {
    const s = synthApp({ tenants: [{ id: "acme" }, { id: "globex" }] });
    const rolePolicy = (t: string): Policy => parse(s.resource("aws_iam_role_policy", `tenants_${t}_reader_policy`).policy);
    const ap = (t: string): Policy => parse(s.resource("aws_s3_access_point", `tenants_${t}_results-access-point`).policy);
    const acme = role("cci-lite-prod-acme-reader");
    const globexAp = AP("cci-lite-prod-globex-results");

    it("denies tenant A (acme) reading tenant B's (globex) objects through B's access point", async () => {
      expect(
        await simulate({
          principal: acme,
          action: "s3:GetObject",
          resource: `${globexAp}/object/globex/2026/11/25/c1.json`,
          identity: [rolePolicy("acme")],
          resourcePolicy: ap("globex"),
        }),
      ).toBe("ImplicitlyDenied");
    });
    it("denies tenant A listing tenant B's prefix through B's access point", async () => {
      expect(
        await simulate({
          principal: acme,
          action: "s3:ListBucket",
          resource: globexAp,
          identity: [rolePolicy("acme")],
          resourcePolicy: ap("globex"),
          context: { "s3:prefix": "globex/" },
        }),
      ).toBe("ImplicitlyDenied");
    });
    it("lets tenant A (acme) read its own table, never tenant B's (globex)", async () => {
      const table = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/cci_lite_prod/${name}`;
      const getTable = (name: string) => simulate({ principal: acme, action: "glue:GetTable", resource: table(name), identity: [rolePolicy("acme")] });
      expect(s.resource("aws_glue_catalog_table", "tenant-table-globex").name).toBe("call_results_globex");
      expect(await getTable("call_results_acme")).toBe("Allowed");
      expect(await getTable("call_results_globex")).toBe("ImplicitlyDenied");
      expect(await getTable("call_results")).toBe("ImplicitlyDenied");
    });
    it("denies tenant A writing into tenant B's upload prefix through B's input access point", async () => {
      const input = synthesizedPolicy(s.resource("aws_s3_access_point", "tenants_globex_input-access-point").policy);
      const inAp = AP("cci-lite-prod-globex-input");
      expect(
        await simulate({
          principal: acme,
          action: "s3:PutObject",
          resource: `${inAp}/object/globex/calls/x.wav`,
          identity: [rolePolicy("acme")],
          resourcePolicy: input,
          context: KMS_CTX,
        }),
      ).toBe("ImplicitlyDenied");
      // Even an account principal allowed s3:PutObject everywhere cannot leave the prefix of the access point.
      const everywhere: Policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] };
      expect(
        await simulate({
          principal: role("uploader"),
          action: "s3:PutObject",
          resource: `${inAp}/object/acme/calls/x.wav`,
          identity: [everywhere],
          resourcePolicy: input,
          context: KMS_CTX,
        }),
      ).toBe("ExplicitlyDenied");
    });
  });
});
