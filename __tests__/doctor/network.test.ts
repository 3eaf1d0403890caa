/**
 * The doctor's private-networking checks (network.mode create or existing): each check compliant and
 * non-compliant from plain facts, the EC2 wiring against aws-sdk-client-mock, and the run end to end.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { ListHostedZonesByVPCCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ComprehendClient, ListSentimentDetectionJobsCommand } from "@aws-sdk/client-comprehend";
import { BedrockClient, GetFoundationModelAvailabilityCommand, GetInferenceProfileCommand } from "@aws-sdk/client-bedrock";
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from "@aws-sdk/client-iam";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeAccountSubscriptionCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListTranscriptionJobsCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import type { CciLiteConfigInput } from "../../modules/config/schema";
import { createClients } from "../../scripts/doctor/aws/clients";
import { internetRoute, networkFacts } from "../../scripts/doctor/aws/network";
import { credentialErrors, networkChecks, runChecks } from "../../scripts/doctor/checks";
import { checkEndpointPolicies } from "../../scripts/doctor/checks/network-endpoint-policy";
import { checkEndpointServices } from "../../scripts/doctor/checks/network-endpoint-services";
import { checkEndpointZones } from "../../scripts/doctor/checks/network-endpoint-zones";
import { checkPrivateDnsConflicts } from "../../scripts/doctor/checks/network-private-dns";
import { checkRouteTables } from "../../scripts/doctor/checks/network-route-tables";
import { checkSubnets } from "../../scripts/doctor/checks/network-subnets";
import { checkVpcDns } from "../../scripts/doctor/checks/network-vpc-dns";
import { type EndpointServiceFacts, fact, failed, type NetworkFacts } from "../../scripts/doctor/facts";
import { main } from "../../scripts/doctor/index";
import {
  ACCOUNT,
  awsError,
  CREATE,
  config,
  ctx,
  EXISTING,
  healthyFacts,
  healthyNetwork,
  RAW_CONFIG,
  REGION,
  RTB,
  SUBNETS,
  SUFFIXES,
  service,
  serviceName,
  VPC,
  ZONES,
} from "./fixtures";

const createCtx = () => ctx(config(CREATE));
const existingCtx = () => ctx(config(EXISTING));
const withExisting = (patch: Partial<NonNullable<NetworkFacts["existing"]>>): NetworkFacts => {
  const n = healthyNetwork(true);
  return { ...n, existing: { ...n.existing!, ...patch } };
};

describe("network checks: which run", () => {
  it("none with network.mode off (the default); three with create; eight with existing", () => {
    expect(runChecks(healthyFacts(), ctx()).filter((r) => r.id.startsWith("network"))).toEqual([]);
    expect(networkChecks(healthyNetwork(), createCtx()).map((r) => [r.id, r.status])).toEqual([
      ["network-endpoint-services", "ok"],
      ["network-endpoint-policy", "ok"],
      ["network-endpoint-zones", "ok"],
    ]);
    const existing = networkChecks(healthyNetwork(true), existingCtx());
    expect(existing.map((r) => r.id)).toEqual([
      "network-endpoint-services",
      "network-endpoint-policy",
      "network-endpoint-zones",
      "network-vpc-dns",
      "network-subnets",
      "network-route-tables",
      "network-private-dns",
      "network-private-zones",
    ]);
    expect(existing.filter((r) => r.status !== "ok")).toEqual([]);
  });

  it("runChecks includes them after the bucket checks, and an expired credential in them ends the run", () => {
    const facts = { ...healthyFacts(), network: healthyNetwork() };
    expect(
      runChecks(facts, createCtx())
        .slice(-3)
        .map((r) => r.id),
    ).toEqual(["network-endpoint-services", "network-endpoint-policy", "network-endpoint-zones"]);
    const expired = {
      ...facts,
      network: {
        ...facts.network,
        zones: failed<readonly { zoneName: string; zoneId: string }[]>({
          kind: "credentials" as const,
          action: "ec2:DescribeAvailabilityZones",
          message: "expired",
        }),
      },
    };
    expect(credentialErrors(expired).map((e) => e.action)).toEqual(["ec2:DescribeAvailabilityZones"]);
  });
});

describe("network-endpoint-services", () => {
  it("ok when every interface endpoint service exists", () => {
    const r = checkEndpointServices(healthyNetwork(), createCtx());
    expect(r.status).toBe("ok");
    expect(r.message).toContain("transcribe, comprehend, bedrock-runtime, ssm, lambda");
  });
  it("problem naming the missing service and network.mode when one does not exist in the region", () => {
    const r = checkEndpointServices(healthyNetwork(false, { comprehend: { exists: false, zoneIds: [] } }), createCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain(`${serviceName("comprehend")}: no such VPC endpoint service in ${REGION}`);
    expect(r.fix).toContain('set network.mode to "off" in config/prod.json');
  });
  it("problem when a service requires acceptance", () => {
    const r = checkEndpointServices(healthyNetwork(false, { ssm: { acceptanceRequired: true } }), createCtx());
    expect(r).toMatchObject({ status: "problem", message: expect.stringContaining(serviceName("ssm")) });
  });
  it("access denied names the EC2 action and the doctor's policy", () => {
    const n = {
      ...healthyNetwork(),
      services: failed<readonly EndpointServiceFacts[]>({ kind: "access-denied" as const, action: "ec2:DescribeVpcEndpointServices", message: "denied" }),
    };
    expect(checkEndpointServices(n, createCtx())).toMatchObject({ status: "problem", fix: expect.stringContaining("allow ec2:DescribeVpcEndpointServices") });
  });
});

describe("network-endpoint-policy", () => {
  it("ok when every service the stack gives a policy supports one", () => {
    const r = checkEndpointPolicies(healthyNetwork(), createCtx());
    expect(r.status).toBe("ok");
    expect(r.message).toContain("transcribe, comprehend, bedrock-runtime, ssm, lambda");
  });
  it("problem naming the service, network.mode and the facts field when a service refuses endpoint policies", () => {
    const r = checkEndpointPolicies(healthyNetwork(false, { transcribe: { policySupported: false } }), createCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toMatch(/^transcribe: the endpoint service supports no endpoint policy \(VpcEndpointPolicySupported: false\)/);
    expect(r.fix).toContain('set network.mode to "off" in config/prod.json');
    expect(r.fix).toContain("endpointPolicy.supported: false for transcribe in modules/config/network-facts.ts");
  });
});

describe("network-endpoint-zones", () => {
  it("create: ok when every service is offered in the configured (default) zone ids", () => {
    expect(checkEndpointZones(healthyNetwork(), createCtx())).toMatchObject({ status: "ok", message: expect.stringContaining("euc1-az1, euc1-az2") });
  });
  it("create: problem naming the service, the zone and network.availabilityZoneIds with the zones that work", () => {
    const r = checkEndpointZones(healthyNetwork(false, { comprehend: { zoneIds: ["euc1-az1", "euc1-az3"] } }), createCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("comprehend is not offered in euc1-az2 (only euc1-az1, euc1-az3)");
    expect(r.fix).toBe("set network.availabilityZoneIds in config/prod.json to two or more zones every endpoint service is offered in: euc1-az3, euc1-az1");
  });
  it("create: problem when a configured zone id is not a zone of the region for this account", () => {
    const c = ctx(config({ network: { mode: "create", availabilityZoneIds: ["euc1-az1", "euc1-az4"] } }));
    const r = checkEndpointZones(healthyNetwork(), c);
    expect(r).toMatchObject({ status: "problem", message: expect.stringContaining("network.availabilityZoneIds: euc1-az4 is not an Availability Zone") });
  });
  it("existing: the subnets' zones decide, and the fix names network.subnetIds", () => {
    expect(checkEndpointZones(healthyNetwork(true), existingCtx()).status).toBe("ok");
    const n = { ...healthyNetwork(true, { "bedrock-runtime": { zoneIds: ["euc1-az2", "euc1-az3"] } }) };
    const r = checkEndpointZones(n, existingCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain("bedrock-runtime is not offered in euc1-az1");
    expect(r.fix).toContain("set network.subnetIds in config/prod.json to subnets in zones every endpoint service is offered in: euc1-az2, euc1-az3");
  });
});

describe("network-vpc-dns", () => {
  it("ok with both DNS attributes on", () => {
    expect(checkVpcDns(healthyNetwork(true), existingCtx()).status).toBe("ok");
  });
  it("problem naming the attribute that is off and network.vpcId", () => {
    const r = checkVpcDns(withExisting({ vpc: fact({ exists: true, dnsSupport: true, dnsHostnames: false }) }), existingCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain(`${VPC} has enableDnsHostnames off`);
    expect(r.fix).toContain("set network.vpcId in config/prod.json");
  });
  it("problem when the VPC does not exist", () => {
    const r = checkVpcDns(withExisting({ vpc: fact({ exists: false }) }), existingCtx());
    expect(r).toMatchObject({ status: "problem", message: `${VPC} does not exist in ${REGION}` });
  });
  it("skipped outside existing mode", () => {
    expect(checkVpcDns(healthyNetwork(), createCtx()).status).toBe("skipped");
  });
});

describe("network-subnets", () => {
  it("ok when every subnet exists in the VPC, in two zones", () => {
    expect(checkSubnets(healthyNetwork(true), existingCtx()).message).toContain(`are in ${VPC}, in 2 zones`);
  });
  it("problem for a missing subnet and one in another VPC, naming network.subnetIds", () => {
    const r = checkSubnets(
      withExisting({ subnets: fact([{ id: SUBNETS[0], vpcId: "vpc-0ffffffffffffffff", zoneId: "euc1-az1", zoneName: "eu-central-1c" }]) }),
      existingCtx(),
    );
    expect(r.status).toBe("problem");
    expect(r.message).toBe(`${SUBNETS[1]} does not exist in ${REGION}; ${SUBNETS[0]} (in vpc-0ffffffffffffffff) is not in ${VPC}`);
    expect(r.fix).toContain("set network.subnetIds in config/prod.json");
  });
  it("problem when all subnets are in one zone", () => {
    const one = SUBNETS.map((id) => ({ id, vpcId: VPC, zoneId: "euc1-az1", zoneName: "eu-central-1c" }));
    expect(checkSubnets(withExisting({ subnets: fact(one) }), existingCtx()).message).toContain("two or more zones");
  });
  it("problem for two subnets in one zone beside a third zone (DuplicateSubnetsInSameZone), naming network.subnetIds", () => {
    const three = [...SUBNETS, "subnet-0cccccccccccccccc"];
    const subnets = three.map((id, i) => ({ id, vpcId: VPC, zoneId: i === 2 ? "euc1-az2" : "euc1-az1", zoneName: "eu-central-1x" }));
    const r = checkSubnets(withExisting({ subnets: fact(subnets) }), ctx(config({ ...EXISTING, network: { ...EXISTING.network, subnetIds: three } } as never)));
    expect(r).toMatchObject({ status: "problem", message: expect.stringContaining("DuplicateSubnetsInSameZone") });
    expect(r.message).toContain(`${SUBNETS[0]}, ${SUBNETS[1]} (all in euc1-az1)`);
    expect(r.fix).toContain("each in a different Availability Zone");
  });
});

describe("network-route-tables", () => {
  it("ok when the route tables are in the VPC without a default route out", () => {
    expect(checkRouteTables(healthyNetwork(true), existingCtx()).status).toBe("ok");
  });
  it("problem for a default route to an internet gateway, naming network.routeTableIds", () => {
    const r = checkRouteTables(withExisting({ routeTables: fact([{ id: RTB, vpcId: VPC, internetRoutes: ["0.0.0.0/0 → igw-0123"] }]) }), existingCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain(`${RTB}: 0.0.0.0/0 → igw-0123`);
    expect(r.fix).toContain("set network.routeTableIds in config/prod.json");
  });
  it("problem for another S3 gateway endpoint on a configured route table (RouteAlreadyExists); this environment's own is fine", () => {
    const gateway = (tags: Record<string, string>, tables: string[]) => ({
      id: "vpce-0s3",
      serviceName: serviceName("s3"),
      state: "available",
      privateDns: false,
      tags,
      type: "Gateway",
      routeTableIds: tables,
    });
    const r = checkRouteTables(withExisting({ endpoints: fact([gateway({}, [RTB, "rtb-0other"])]) }), existingCtx());
    expect(r).toMatchObject({ status: "problem", message: expect.stringContaining(`vpce-0s3 (${RTB})`) });
    expect(r.message).toContain("RouteAlreadyExists");
    expect(r.fix).toContain("set network.routeTableIds in config/prod.json");
    expect(checkRouteTables(withExisting({ endpoints: fact([gateway({}, ["rtb-0other"])]) }), existingCtx()).status).toBe("ok");
    expect(checkRouteTables(withExisting({ endpoints: fact([gateway({ Project: "CCI-Lite", Env: "prod" }, [RTB])]) }), existingCtx()).status).toBe("ok");
  });
  it("problem for a route table that is missing or in another VPC", () => {
    expect(checkRouteTables(withExisting({ routeTables: fact([]) }), existingCtx()).message).toBe(`${RTB} does not exist in ${REGION}`);
    const other = checkRouteTables(withExisting({ routeTables: fact([{ id: RTB, vpcId: "vpc-0ffffffffffffffff", internetRoutes: [] }]) }), existingCtx());
    expect(other.message).toContain("is not in");
  });
  it("internetRoute: default routes to internet, egress-only or NAT gateways count; local, endpoint and blackhole routes do not", () => {
    expect(internetRoute({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" })).toBe("0.0.0.0/0 → igw-1");
    expect(internetRoute({ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" })).toBe("0.0.0.0/0 → nat-1");
    expect(internetRoute({ DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1" })).toBe("::/0 → eigw-1");
    expect(internetRoute({ DestinationCidrBlock: "10.42.0.0/16", GatewayId: "local" })).toBeUndefined();
    expect(internetRoute({ DestinationPrefixListId: "pl-6ea54007", GatewayId: "vpce-1" })).toBeUndefined();
    expect(internetRoute({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "blackhole" })).toBeUndefined();
    expect(internetRoute({ DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-1" })).toBeUndefined();
  });
});

describe("network-private-dns", () => {
  const endpoint = (tags: Record<string, string>, state = "available", privateDns = true) => ({
    id: "vpce-0123",
    serviceName: serviceName("ssm"),
    state,
    privateDns,
    tags,
  });
  it("ok with no endpoint, one without private DNS, a deleted one, or this environment's own", () => {
    expect(checkPrivateDnsConflicts(healthyNetwork(true), existingCtx()).status).toBe("ok");
    expect(checkPrivateDnsConflicts(withExisting({ endpoints: fact([endpoint({}, "available", false)]) }), existingCtx()).status).toBe("ok");
    expect(checkPrivateDnsConflicts(withExisting({ endpoints: fact([endpoint({}, "deleted")]) }), existingCtx()).status).toBe("ok");
    const own = checkPrivateDnsConflicts(withExisting({ endpoints: fact([endpoint({ Project: "CCI-Lite", Env: "prod" })]) }), existingCtx());
    expect(own).toMatchObject({ status: "ok", message: expect.stringContaining("already applied") });
  });
  it("problem for another endpoint with private DNS for the same service, naming network.vpcId", () => {
    const r = checkPrivateDnsConflicts(withExisting({ endpoints: fact([endpoint({ Project: "Other" }, "Available")]) }), existingCtx());
    expect(r.status).toBe("problem");
    expect(r.message).toContain(`vpce-0123 (${serviceName("ssm")}) already has private DNS in ${VPC}`);
    expect(r.fix).toContain("set network.vpcId (with subnetIds and routeTableIds) in config/prod.json");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The EC2 wiring and the whole run, against aws-sdk-client-mock.

const ec2 = mockClient(EC2Client);
const route53 = mockClient(Route53Client);
const detail = (suffix: string, patch: object = {}) => ({
  ServiceName: serviceName(suffix),
  ServiceType: [{ ServiceType: "Interface" as const }],
  AvailabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
  Owner: "amazon",
  PrivateDnsName: `${suffix}.${REGION}.amazonaws.com`,
  VpcEndpointPolicySupported: true,
  AcceptanceRequired: false,
  ...patch,
});

function ec2Healthy(): void {
  ec2.reset();
  ec2.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: ZONES.map((z) => ({ ZoneName: z.zoneName, ZoneId: z.zoneId, RegionName: REGION, State: "available" })),
  });
  for (const s of SUFFIXES) ec2.on(DescribeVpcEndpointServicesCommand, { ServiceNames: [serviceName(s)] }).resolves({ ServiceDetails: [detail(s)] });
  ec2.on(DescribeVpcAttributeCommand, { Attribute: "enableDnsSupport" }).resolves({ VpcId: VPC, EnableDnsSupport: { Value: true } });
  ec2.on(DescribeVpcAttributeCommand, { Attribute: "enableDnsHostnames" }).resolves({ VpcId: VPC, EnableDnsHostnames: { Value: true } });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: SUBNETS[0], VpcId: VPC, AvailabilityZone: "eu-central-1c", AvailabilityZoneId: "euc1-az1" },
      { SubnetId: SUBNETS[1], VpcId: VPC, AvailabilityZone: "eu-central-1a", AvailabilityZoneId: "euc1-az2" },
    ],
  });
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [{ RouteTableId: RTB, VpcId: VPC, Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" }] }],
  });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  route53.reset();
  route53.on(ListHostedZonesByVPCCommand).resolves({
    HostedZoneSummaries: [{ HostedZoneId: "Z0123456789ABCDEFGHIJ", Name: "corp.example.internal.", Owner: { OwningAccount: ACCOUNT } }],
    MaxItems: 100,
  });
}

describe("networkFacts (EC2 wiring)", () => {
  beforeEach(ec2Healthy);
  const clients = (input: Partial<CciLiteConfigInput>) => createClients(config(input));

  it("off: no EC2 call at all", async () => {
    expect(await networkFacts(clients({}), config())).toBeUndefined();
    expect(ec2.calls()).toHaveLength(0);
  });

  it("create: one DescribeVpcEndpointServices per interface service, zone names mapped to ids, no VPC calls", async () => {
    const n = await networkFacts(clients(CREATE), config(CREATE));
    expect(n?.existing).toBeUndefined();
    expect(ec2.commandCalls(DescribeVpcEndpointServicesCommand).map((c) => c.args[0].input)).toEqual(SUFFIXES.map((s) => ({ ServiceNames: [serviceName(s)] })));
    expect(n?.services).toEqual(fact(SUFFIXES.map((s) => service(s, { zoneIds: ["euc1-az2", "euc1-az3", "euc1-az1"] }))));
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  it("prefers the service's own AvailabilityZoneIds, and InvalidServiceName means the service does not exist", async () => {
    ec2
      .on(DescribeVpcEndpointServicesCommand, { ServiceNames: [serviceName("ssm")] })
      .resolves({ ServiceDetails: [detail("ssm", { AvailabilityZoneIds: ["euc1-az1"] })] });
    ec2
      .on(DescribeVpcEndpointServicesCommand, { ServiceNames: [serviceName("comprehend")] })
      .rejects(awsError("InvalidServiceName", "The Vpc Endpoint Service does not exist"));
    const n = await networkFacts(clients(CREATE), config(CREATE));
    const byName = new Map((n?.services.ok ? n.services.value : []).map((s) => [s.serviceName, s]));
    expect(byName.get(serviceName("ssm"))?.zoneIds).toEqual(["euc1-az1"]);
    expect(byName.get(serviceName("comprehend"))).toEqual({ serviceName: serviceName("comprehend"), exists: false, zoneIds: [] });
  });

  it("an access-denied DescribeVpcEndpointServices becomes a fact error naming the action", async () => {
    ec2.on(DescribeVpcEndpointServicesCommand).rejects(awsError("UnauthorizedOperation", "You are not authorized to perform this operation.", 403));
    const n = await networkFacts(clients(CREATE), config(CREATE));
    expect(n?.services).toEqual(failed(expect.objectContaining({ kind: "access-denied", action: "ec2:DescribeVpcEndpointServices" })));
  });

  it("existing: asks for both DNS attributes, filters subnets, route tables and endpoints by the configured ids", async () => {
    const n = await networkFacts(clients(EXISTING), config(EXISTING));
    expect(n?.existing).toEqual(healthyNetwork(true).existing);
    expect(
      ec2
        .commandCalls(DescribeVpcAttributeCommand)
        .map((c) => c.args[0].input.Attribute)
        .sort(),
    ).toEqual(["enableDnsHostnames", "enableDnsSupport"]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0].args[0].input).toEqual({ Filters: [{ Name: "subnet-id", Values: SUBNETS }] });
    expect(ec2.commandCalls(DescribeRouteTablesCommand)[0].args[0].input).toEqual({ Filters: [{ Name: "route-table-id", Values: [RTB] }] });
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0].args[0].input.Filters).toEqual([
      { Name: "vpc-id", Values: [VPC] },
      { Name: "service-name", Values: [...SUFFIXES.map(serviceName), serviceName("s3")] },
    ]);
  });

  it("existing: a missing VPC is a fact, not an error", async () => {
    ec2.on(DescribeVpcAttributeCommand).rejects(awsError("InvalidVpcID.NotFound", `The vpc ID '${VPC}' does not exist`));
    const n = await networkFacts(clients(EXISTING), config(EXISTING));
    expect(n?.existing?.vpc).toEqual(fact({ exists: false }));
  });
});

describe("npm run doctor with private networking", () => {
  const sts = mockClient(STSClient);
  const lambda = mockClient(LambdaClient);
  const iam = mockClient(IAMClient);
  const quicksight = mockClient(QuickSightClient);
  const bedrock = mockClient(BedrockClient);
  const guardduty = mockClient(GuardDutyClient);
  const transcribe = mockClient(TranscribeClient);
  const comprehend = mockClient(ComprehendClient);
  const s3 = mockClient(S3Client);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-network-"));
    ec2Healthy();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me` });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
    lambda.on(GetFunctionConcurrencyCommand).rejects(awsError("ResourceNotFoundException", "Function not found", 404));
    iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
    quicksight.on(DescribeAccountSubscriptionCommand).resolves({ AccountInfo: { AccountSubscriptionStatus: "ACCOUNT_CREATED", Edition: "ENTERPRISE" } });
    bedrock.on(GetInferenceProfileCommand).resolves({ status: "ACTIVE" } as never);
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves({
      modelId: "m",
      authorizationStatus: "AUTHORIZED",
      entitlementAvailability: "AVAILABLE",
      agreementAvailability: { status: "AVAILABLE" },
      regionAvailability: "AVAILABLE",
    });
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException", "The role cannot be found", 404));
    iam.on(GetRoleCommand, { RoleName: "aws-quicksight-service-role-v0" }).resolves({ Role: { RoleName: "aws-quicksight-service-role-v0" } as never });
    transcribe.on(ListTranscriptionJobsCommand).resolves({});
    comprehend.on(ListSentimentDetectionJobsCommand).resolves({});
    s3.on(HeadBucketCommand).rejects(awsError("NotFound", "NotFound", 404));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(doc: object): Promise<{ code: number; out: string[] }> {
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(doc));
    const out: string[] = [];
    const code = await main([], { io: { stdout: (l) => out.push(...l.split("\n")), stderr: (l) => out.push(l) }, defaultConfigDir: dir });
    return { code, out };
  }

  it("existing VPC, healthy: eight network lines, all ok, exit 0", async () => {
    const { code, out } = await run({ ...RAW_CONFIG, ...EXISTING });
    expect(out.filter((l) => / network-/.test(l)).map((l) => l.slice(0, 8).trim())).toEqual(Array(8).fill("ok"));
    expect(code).toBe(0);
  });

  it("a zone Comprehend does not offer: one PROBLEM line naming network.availabilityZoneIds, exit 1", async () => {
    ec2
      .on(DescribeVpcEndpointServicesCommand, { ServiceNames: [serviceName("comprehend")] })
      .resolves({ ServiceDetails: [detail("comprehend", { AvailabilityZones: ["eu-central-1a", "eu-central-1b"] })] });
    const { code, out } = await run({ ...RAW_CONFIG, ...CREATE });
    const problems = out.filter((l) => l.startsWith("PROBLEM"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PROBLEM network-endpoint-zones +comprehend is not offered in euc1-az1 .*fix: set network\.availabilityZoneIds in /);
    expect(code).toBe(1);
  });
});
