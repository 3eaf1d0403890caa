/**
 * The doctor's mode-dependent checks of issue 20: principals that must exist (IAM and QuickSight), the QuickSight
 * edition, and Route 53 private zones in an existing VPC. Each check: a passing and a failing case; each gatherer:
 * its calls against aws-sdk-client-mock.
 */
import { mockClient } from "aws-sdk-client-mock";
import { GetRoleCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeGroupCommand, DescribeUserCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { ListHostedZonesByVPCCommand, Route53Client } from "@aws-sdk/client-route-53";
import { createClients } from "../../scripts/doctor/aws/clients";
import { networkFacts } from "../../scripts/doctor/aws/network";
import { configuredIamPrincipals, iamPrincipalFacts, quicksightPrincipalFacts } from "../../scripts/doctor/aws/principals";
import { checkPrivateZones } from "../../scripts/doctor/checks/network-private-zones";
import { checkPrincipalsExist } from "../../scripts/doctor/checks/principals-exist";
import { checkQuickSightEdition } from "../../scripts/doctor/checks/quicksight-edition";
import { checkQuickSightPrincipals } from "../../scripts/doctor/checks/quicksight-principals";
import { failed, fact, type PrincipalFacts } from "../../scripts/doctor/facts";
import { ACCOUNT, awsError, config, ctx, EXISTING, healthyNetwork, REGION, VPC } from "./fixtures";

const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const WITH_PRINCIPALS = {
  access: { uploaders: [role("recorder")], operators: [], analysts: [role("bi", "444455556666")], administrators: [] },
  tenants: [
    {
      id: "demo-tenant",
      languages: ["en-US" as const],
      readerPrincipals: [`arn:aws:iam::${ACCOUNT}:user/ops/alice`, `arn:aws:iam::${ACCOUNT}:root`],
      uploaderPrincipals: [role("recorder")],
      quicksightGroups: ["demo-readers"],
    },
  ],
};

describe("principals-exist", () => {
  const iam = mockClient(IAMClient);
  beforeEach(() => iam.reset());

  it("collects every configured IAM principal once, with every field that names it", () => {
    expect([...configuredIamPrincipals(config(WITH_PRINCIPALS))]).toEqual([
      [role("recorder"), ["access.uploaders", "tenants[demo-tenant].uploaderPrincipals"]],
      [role("bi", "444455556666"), ["access.analysts"]],
      [`arn:aws:iam::${ACCOUNT}:user/ops/alice`, ["tenants[demo-tenant].readerPrincipals"]],
      [`arn:aws:iam::${ACCOUNT}:root`, ["tenants[demo-tenant].readerPrincipals"]],
    ]);
  });

  it("asks GetRole / GetUser (by name, path dropped) for this account's roles and users only; NoSuchEntity is missing", async () => {
    iam.on(GetRoleCommand, { RoleName: "recorder" }).rejects(awsError("NoSuchEntityException", "The role with name recorder cannot be found.", 404));
    iam.on(GetUserCommand, { UserName: "alice" }).resolves({});
    const cfg = config(WITH_PRINCIPALS);
    const f = await iamPrincipalFacts(createClients(cfg), cfg);
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: "recorder" }]);
    expect(iam.commandCalls(GetUserCommand).map((c) => c.args[0].input)).toEqual([{ UserName: "alice" }]);
    expect(f.ok && f.value.map((p) => [p.arn, p.state])).toEqual([
      [role("recorder"), "missing"],
      [role("bi", "444455556666"), "not-checked"],
      [`arn:aws:iam::${ACCOUNT}:user/ops/alice`, "exists"],
      [`arn:aws:iam::${ACCOUNT}:root`, "not-checked"],
    ]);
    const r = checkPrincipalsExist(f, ctx(cfg));
    expect(r).toMatchObject({
      status: "problem",
      message: expect.stringContaining(`${role("recorder")} (access.uploaders, tenants[demo-tenant].uploaderPrincipals) does not exist`),
    });
    expect(r.fix).toContain("remove them from access.uploaders, tenants[demo-tenant].uploaderPrincipals in config/prod.json");
  });

  it("ok when every one asked exists, counting those not asked", async () => {
    const cfg = config(WITH_PRINCIPALS);
    iam.on(GetRoleCommand).resolves({});
    iam.on(GetUserCommand).resolves({});
    expect(checkPrincipalsExist(await iamPrincipalFacts(createClients(cfg), cfg), ctx(cfg))).toEqual({
      id: "principals-exist",
      status: "ok",
      message: "IAM principals exist: 2 asked, 2 not asked (account roots or other accounts)",
    });
  });

  it("AccessDenied names the IAM action", async () => {
    const cfg = config(WITH_PRINCIPALS);
    iam.on(GetRoleCommand).rejects(awsError("AccessDenied", "User is not authorized to perform: iam:GetRole", 403));
    iam.on(GetUserCommand).resolves({});
    const r = checkPrincipalsExist(await iamPrincipalFacts(createClients(cfg), cfg), ctx(cfg));
    expect(r).toMatchObject({ status: "problem", fix: expect.stringContaining("iam:GetRole") });
  });
});

describe("quicksight-principals", () => {
  const qs = mockClient(QuickSightClient);
  beforeEach(() => qs.reset());
  const cfg = () =>
    config({
      ...WITH_PRINCIPALS,
      quicksight: { enabled: true, principalArn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/admin`, operatorsGroup: "ops" },
    });

  it("asks DescribeUser and DescribeGroup in the principal's (identity) region; a missing group is a problem naming the field", async () => {
    qs.on(DescribeUserCommand).resolves({});
    qs.on(DescribeGroupCommand, { GroupName: "ops" }).resolves({});
    qs.on(DescribeGroupCommand, { GroupName: "demo-readers" }).rejects(awsError("ResourceNotFoundException", "Group not found", 404));
    const f = await quicksightPrincipalFacts(createClients(cfg()), cfg());
    expect(qs.commandCalls(DescribeUserCommand)[0].args[0].input).toEqual({ AwsAccountId: ACCOUNT, Namespace: "default", UserName: "admin" });
    expect(await qs.commandCalls(DescribeGroupCommand)[0].thisValue.config.region()).toBe("us-east-1");
    const r = checkQuickSightPrincipals(f, ctx(cfg()));
    expect(r).toMatchObject({
      status: "problem",
      message: expect.stringContaining("group/default/demo-readers (tenants[demo-tenant].quicksightGroups) does not exist"),
    });
    expect(r.fix).toContain("namespace default");
  });

  it("ok when all exist; skipped with QuickSight off", async () => {
    qs.on(DescribeUserCommand).resolves({});
    qs.on(DescribeGroupCommand).resolves({});
    expect(checkQuickSightPrincipals(await quicksightPrincipalFacts(createClients(cfg()), cfg()), ctx(cfg())).status).toBe("ok");
    expect(checkQuickSightPrincipals(undefined, ctx(config({ quicksight: { enabled: false } }))).status).toBe("skipped");
  });
});

describe("quicksight-edition", () => {
  const q = (edition: string | undefined) => fact({ subscribed: true, status: "ACCOUNT_CREATED", ...(edition ? { edition } : {}) });
  it("ok for ENTERPRISE and ENTERPRISE_AND_Q", () => {
    expect(checkQuickSightEdition(q("ENTERPRISE"), ctx()).status).toBe("ok");
    expect(checkQuickSightEdition(q("ENTERPRISE_AND_Q"), ctx()).status).toBe("ok");
  });
  it("STANDARD (or no edition) is a problem: row-level security needs Enterprise", () => {
    expect(checkQuickSightEdition(q("STANDARD"), ctx())).toMatchObject({
      status: "problem",
      message: expect.stringContaining("STANDARD"),
      fix: expect.stringContaining("quicksight.enabled: false"),
    });
    expect(checkQuickSightEdition(q(undefined), ctx()).status).toBe("problem");
  });
  it("skipped without a subscription or with QuickSight off", () => {
    expect(checkQuickSightEdition(fact({ subscribed: false }), ctx()).status).toBe("skipped");
    expect(checkQuickSightEdition(q("STANDARD"), ctx(config({ quicksight: { enabled: false } }))).status).toBe("skipped");
  });
});

describe("network-private-zones (existing VPC)", () => {
  const existingCtx = () => ctx(config(EXISTING));
  const withZones = (zones: { id: string; name: string; owningService?: string }[]) => {
    const n = healthyNetwork(true);
    return { ...n, existing: { ...n.existing!, privateZones: fact(zones) } };
  };
  it("a private zone named like an endpoint's private DNS name is a problem naming the zone", () => {
    const r = checkPrivateZones(withZones([{ id: "Z1", name: `transcribe.${REGION}.amazonaws.com` }]), existingCtx());
    expect(r).toMatchObject({
      status: "problem",
      message: expect.stringContaining(`transcribe.${REGION}.amazonaws.com (Z1)`),
      fix: expect.stringContaining("network.vpcId"),
    });
  });
  it("other zones, and zones another AWS service manages, are fine", () => {
    const r = checkPrivateZones(
      withZones([
        { id: "Z2", name: "corp.example.internal" },
        { id: "Z3", name: `bedrock-runtime.${REGION}.amazonaws.com`, owningService: "vpce.amazonaws.com" },
      ]),
      existingCtx(),
    );
    expect(r).toMatchObject({ status: "ok" });
  });
  it("an access-denied listing is a problem naming the action", () => {
    const n = healthyNetwork(true);
    const denied = {
      ...n,
      existing: { ...n.existing!, privateZones: failed<never>({ kind: "access-denied", action: "route53:ListHostedZonesByVPC", message: "denied" }) },
    };
    expect(checkPrivateZones(denied, existingCtx()).fix).toContain("route53:ListHostedZonesByVPC");
  });

  const route53 = mockClient(Route53Client);
  it("the gatherer pages ListHostedZonesByVPC for the VPC and region, names lower-cased without the trailing dot", async () => {
    route53.reset();
    route53
      .on(ListHostedZonesByVPCCommand)
      .resolvesOnce({
        HostedZoneSummaries: [{ HostedZoneId: "Z1", Name: "Transcribe.EU-Central-1.amazonaws.com.", Owner: { OwningAccount: ACCOUNT } }],
        MaxItems: 1,
        NextToken: "t",
      })
      .resolves({ HostedZoneSummaries: [{ HostedZoneId: "Z2", Name: "x.internal.", Owner: { OwningService: "vpce.amazonaws.com" } }], MaxItems: 1 });
    const cfg = config(EXISTING);
    const n = await networkFacts(createClients(cfg), cfg);
    expect(route53.commandCalls(ListHostedZonesByVPCCommand).map((c) => c.args[0].input)).toEqual([
      { VPCId: VPC, VPCRegion: REGION, NextToken: undefined },
      { VPCId: VPC, VPCRegion: REGION, NextToken: "t" },
    ]);
    expect(n?.existing?.privateZones).toEqual(
      fact<PrincipalFacts[] | object[]>([
        { id: "Z1", name: `transcribe.${REGION}.amazonaws.com` },
        { id: "Z2", name: "x.internal", owningService: "vpce.amazonaws.com" },
      ]),
    );
  });
});
