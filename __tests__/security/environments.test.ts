/**
 * Environments of one account cannot reach each other (issue 21, M3; modules/bootstrap/environment-scope.ts). The
 * committed examples use two accounts; the `modes` plan target is the shared-account configuration (dev in prod's
 * account, one bootstrap stack, one state bucket): the delivery roles of its real bootstrap plan are simulated against
 * every resource of the synthesized prod and dev stacks (prod with private networking, CloudTrail and GuardDuty, so
 * every resource type is there), and against each environment's state object.
 */
import { loadOfflinePlan, type LoadedPlan } from "../helpers/offline-plan";
import { simulate, type Policy } from "./iam";
import { targetsOf, type Target } from "./environment-targets";
import { one, REGION, role, STATE, STATE_KMS_CTX } from "./plan-policies";
import { stateObjectKey } from "../../modules/bootstrap/environment-scope";

let boot: LoadedPlan;
let prod: Target[];
let dev: Target[];
beforeAll(() => {
  boot = loadOfflinePlan("bootstrap", "modes");
  prod = targetsOf(loadOfflinePlan("cci-lite-prod", "modes"), REGION);
  dev = targetsOf(loadOfflinePlan("cci-lite-dev", "modes"), REGION);
}, 600_000);

type Env = "dev" | "prod";
const applyAs = (env: Env) => (t: Omit<Target, "address">) =>
  simulate({
    principal: role(`cci-lite-github-apply-${env}`),
    action: t.action,
    resource: t.resource,
    identity: [one(boot, "aws_iam_role_policy", `apply_${env}_policy`)],
    boundary: one(boot, "aws_iam_policy", "apply_boundary"),
    resourcePolicy: t.resourcePolicy,
    context: t.context,
  });
// ReadOnlyAccess (AWS managed, not in the plan) reads every object: modelled as s3 reads on everything.
const READ_ONLY: Policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }] };
const planAs = (env: Env) => (action: string, resource: string) =>
  simulate({
    principal: role(`cci-lite-github-plan-${env}`),
    action,
    resource,
    identity: [READ_ONLY, one(boot, "aws_iam_role_policy", `plan-${env}_state-access`)],
    resourcePolicy: one(boot, "aws_s3_bucket_policy", "state"),
  });
const decisions = async (as: (t: Target) => Promise<string>, targets: Target[]) => {
  const out: string[] = [];
  for (const t of targets) out.push(`${t.address} ${t.action} ${t.resource}: ${await as(t)}`);
  return out;
};
const stateOf = (env: Env) => `${STATE}/${stateObjectKey(env)}`;

describe("shared account: the dev roles cannot reach prod", () => {
  it("maps every planned prod resource type to requests (the simulation covers the whole stack)", () => {
    expect(new Set(prod.map((t) => t.address.split(".")[0])).size).toBeGreaterThanOrEqual(45);
    expect(prod.length).toBeGreaterThan(150);
  });

  it("denies the dev apply role every write (and every data read) on every resource of the synthesized prod stack", async () => {
    const got = await decisions(applyAs("dev"), prod);
    expect(got.filter((d) => !d.endsWith(": ExplicitlyDenied"))).toEqual([]);
  }, 120_000);

  it("allows the dev apply role the same requests on dev's own resources (no regression)", async () => {
    const got = await decisions(applyAs("dev"), dev);
    expect(got.filter((d) => !d.endsWith(": Allowed"))).toEqual([]);
  }, 120_000);

  it("and the other way round: prod's apply role is denied dev's resources and keeps all of prod's", async () => {
    expect((await decisions(applyAs("prod"), dev)).filter((d) => !d.endsWith(": ExplicitlyDenied"))).toEqual([]);
    expect((await decisions(applyAs("prod"), prod)).filter((d) => !d.endsWith(": Allowed"))).toEqual([]);
  }, 240_000);

  it("denies the dev apply role prod's state object: no read, no write, no lock, no delete", async () => {
    const apply = applyAs("dev");
    for (const key of [stateOf("prod"), `${stateOf("prod")}.tflock`]) {
      expect(await apply({ action: "s3:GetObject", resource: key })).toBe("ExplicitlyDenied");
      expect(await apply({ action: "s3:PutObject", resource: key, context: STATE_KMS_CTX })).toBe("ExplicitlyDenied");
      expect(await apply({ action: "s3:DeleteObject", resource: key })).toBe("ExplicitlyDenied");
    }
    // Its own state and lock stay writable.
    expect(await apply({ action: "s3:GetObject", resource: stateOf("dev") })).toBe("Allowed");
    expect(await apply({ action: "s3:PutObject", resource: stateOf("dev"), context: STATE_KMS_CTX })).toBe("Allowed");
    expect(await apply({ action: "s3:PutObject", resource: `${stateOf("dev")}.tflock`, context: STATE_KMS_CTX })).toBe("Allowed");
  });

  it("denies the dev plan role reading prod's state (ReadOnlyAccess would), and lets it read dev's", async () => {
    expect(await planAs("dev")("s3:GetObject", stateOf("prod"))).toBe("ExplicitlyDenied");
    expect(await planAs("dev")("s3:GetObjectVersion", stateOf("prod"))).toBe("ExplicitlyDenied");
    expect(await planAs("dev")("s3:GetObject", stateOf("dev"))).toBe("Allowed");
    expect(await planAs("prod")("s3:GetObject", stateOf("dev"))).toBe("ExplicitlyDenied");
    expect(await planAs("prod")("s3:GetObject", stateOf("prod"))).toBe("Allowed");
  });

  it("denies tagging anything as another environment, and new keys or networks without the environment's tag", async () => {
    const apply = applyAs("dev");
    const key = `arn:aws:kms:${REGION}:111122223333:key/0b5e5a0e-0000-4000-8000-0000000000d0`;
    expect(await apply({ action: "kms:CreateKey", resource: "*", context: { "aws:RequestTag/Env": "dev", "aws:RequestTag/Project": "CCI-Lite" } })).toBe(
      "Allowed",
    );
    expect(await apply({ action: "kms:CreateKey", resource: "*" })).toBe("ExplicitlyDenied");
    expect(await apply({ action: "kms:CreateKey", resource: "*", context: { "aws:RequestTag/Env": "prod" } })).toBe("ExplicitlyDenied");
    // Retagging its own key as prod's (then the prod role's) is refused.
    expect(
      await apply({
        action: "kms:TagResource",
        resource: key,
        context: { "aws:ResourceTag/Env": "dev", "aws:ResourceTag/Project": "CCI-Lite", "aws:RequestTag/Env": "prod" },
      }),
    ).toBe("ExplicitlyDenied");
    const vpc = `arn:aws:ec2:${REGION}:111122223333:vpc/vpc-0123456789abcdef0`;
    expect(await apply({ action: "ec2:CreateVpc", resource: vpc, context: { "aws:RequestTag/Env": "dev" } })).toBe("Allowed");
    expect(await apply({ action: "ec2:CreateVpc", resource: vpc })).toBe("ExplicitlyDenied");
  });

  it("lets the dev apply role read a singleton prod owns (the region's GuardDuty detector), never change it", async () => {
    const detector = `arn:aws:guardduty:${REGION}:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0`;
    const prodTags = { "aws:ResourceTag/Env": "prod", "aws:ResourceTag/Project": "CCI-Lite" };
    expect(await applyAs("dev")({ action: "guardduty:GetDetector", resource: detector, context: prodTags })).toBe("Allowed");
    expect(await applyAs("dev")({ action: "guardduty:UpdateDetector", resource: detector, context: prodTags })).toBe("ExplicitlyDenied");
  });
});
