/**
 * Private networking through real offline Terraform (plan, provider 5.100.0): the plan target `modes`
 * (helpers/plan-targets.ts), whose prod environment uses `network.mode: "create"` and whose dev environment uses
 * `"existing"`; the default configuration (network off) is the target every other suite reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { analyzeStack, formatFindings } from "../../scripts/verify/hidden-dependencies";
import { endpointCostOfStack, formatEndpointCost } from "../../modules/network/endpoint-prices";
import { type LoadedPlan, loadOfflinePlan, PLAN_TIMEOUT_MS, plannedResources } from "../helpers/offline-plan";
import { EXISTING_NETWORK as EXISTING } from "../helpers/plan-targets";

const INTERFACE_SERVICES = ["bedrock-runtime", "comprehend", "lambda", "ssm", "transcribe"];

let create: LoadedPlan;
let existing: LoadedPlan;
let off: LoadedPlan;

beforeAll(() => {
  create = loadOfflinePlan("cci-lite-prod", "modes");
  existing = loadOfflinePlan("cci-lite-dev", "modes");
  off = loadOfflinePlan("cci-lite-prod");
}, PLAN_TIMEOUT_MS);

const plannedAfter = (p: LoadedPlan, type: string) => plannedResources(p, type).map((r) => r.after);
const stackJson = (p: LoadedPlan) => JSON.parse(fs.readFileSync(path.join(p.synthDir, "cdk.tf.json"), "utf8"));

describe("network.mode create", () => {
  it("validates and plans only creations", () => {
    expect(create.counts).toMatchObject({ update: 0, delete: 0, replace: 0 });
  });
  it("plans a VPC with DNS for private endpoints and private subnets in two zones, and no way to the internet", () => {
    const [vpc] = plannedAfter(create, "aws_vpc");
    expect(vpc).toMatchObject({ cidr_block: "10.42.0.0/16", enable_dns_support: true, enable_dns_hostnames: true });
    const subnets = plannedAfter(create, "aws_subnet");
    expect(subnets.map((s) => s.availability_zone_id).sort()).toEqual(["euc1-az1", "euc1-az2"]);
    for (const s of subnets) expect(s.map_public_ip_on_launch).toBe(false);
    for (const t of ["aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway", "aws_route", "aws_eip"])
      expect(create.resourcesByType[t]).toBeUndefined();
    const [table] = plannedAfter(create, "aws_route_table");
    expect(table.route ?? []).toEqual([]);
    expect(create.resourcesByType.aws_route_table_association).toBe(2);
    // The VPC's default security group loses its rules.
    expect(plannedAfter(create, "aws_default_security_group")[0]).toMatchObject({ ingress: [], egress: [] });
  });
  it("plans the S3 gateway endpoint and an interface endpoint with private DNS for every other service the functions call", () => {
    const endpoints = plannedAfter(create, "aws_vpc_endpoint");
    const gateway = endpoints.filter((e) => e.vpc_endpoint_type === "Gateway");
    expect(gateway.map((e) => e.service_name)).toEqual(["com.amazonaws.eu-central-1.s3"]);
    const iface = endpoints.filter((e) => e.vpc_endpoint_type === "Interface");
    expect(iface.map((e) => e.service_name.replace("com.amazonaws.eu-central-1.", "")).sort()).toEqual(INTERFACE_SERVICES);
    for (const e of iface) expect(e.private_dns_enabled).toBe(true);
    for (const e of endpoints) expect(JSON.parse(e.policy).Statement.length).toBeGreaterThan(0);
  });
  it("plans the two security groups and their HTTPS-only rules", () => {
    expect(
      plannedAfter(create, "aws_security_group")
        .map((g) => g.name)
        .sort(),
    ).toEqual(["cci-lite-prod-endpoints", "cci-lite-prod-functions"]);
    for (const g of plannedAfter(create, "aws_security_group")) expect([g.ingress ?? [], g.egress ?? []]).toEqual([[], []]);
    const rules = [...plannedAfter(create, "aws_vpc_security_group_egress_rule"), ...plannedAfter(create, "aws_vpc_security_group_ingress_rule")];
    expect(rules).toHaveLength(3);
    for (const r of rules) expect(r).toMatchObject({ ip_protocol: "tcp", from_port: 443, to_port: 443 });
    for (const r of rules) expect(r.cidr_ipv4 ?? r.cidr_ipv6 ?? null).toBeNull();
  });
  it("gives each function a vpc_config with both subnets and the functions' security group, and its role the ENI actions", () => {
    const fns = plannedResources(create, "aws_lambda_function");
    expect(fns).toHaveLength(3);
    // Subnet and security group ids are known after apply: the plan shows the block, the configuration the references.
    for (const f of fns) expect(f.after.vpc_config).toHaveLength(1);
    const subnets = Object.keys(stackJson(create).resource.aws_subnet).map((id) => `\${aws_subnet.${id}.id}`);
    const sg = Object.keys(stackJson(create).resource.aws_security_group).find((id) => id.includes("functions"));
    const configured = Object.values<any>(stackJson(create).resource.aws_lambda_function);
    expect(configured).toHaveLength(3);
    for (const f of configured) expect(f.vpc_config).toEqual({ subnet_ids: subnets, security_group_ids: [`\${aws_security_group.${sg}.id}`] });
    for (const p of plannedAfter(create, "aws_iam_role_policy").filter((x) => x.name.endsWith("-least-privilege"))) {
      const actions = JSON.parse(p.policy).Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
      expect(actions).toEqual(expect.arrayContaining(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces"]));
    }
  });
  it("keeps the creation order visible to Terraform (no hidden dependencies)", () => {
    expect(formatFindings(analyzeStack(stackJson(create)))).toBe("");
  });
  it("prints the monthly endpoint estimate for the synth summary", () => {
    const cost = endpointCostOfStack(stackJson(create));
    expect(cost).toMatchObject({ region: "eu-central-1", interfaceEndpoints: 5, endpointZones: 10, monthlyUsd: 87.6 });
    expect(formatEndpointCost(cost!)).toMatch(/^private networking: 5 interface endpoints × 2 AZs in eu-central-1: about 87\.60 USD\/month/);
  });
});

describe("network.mode existing", () => {
  it("creates no VPC, subnet or route table, and puts the endpoints and functions into the given ones", () => {
    expect(existing.counts).toMatchObject({ update: 0, delete: 0, replace: 0 });
    for (const t of ["aws_vpc", "aws_subnet", "aws_route_table", "aws_internet_gateway", "aws_nat_gateway"])
      expect(existing.resourcesByType[t]).toBeUndefined();
    const endpoints = plannedAfter(existing, "aws_vpc_endpoint");
    expect(endpoints).toHaveLength(6);
    for (const e of endpoints) expect(e.vpc_id).toBe(EXISTING.vpcId);
    expect(endpoints.find((e) => e.vpc_endpoint_type === "Gateway")?.route_table_ids).toEqual(EXISTING.routeTableIds);
    for (const e of endpoints.filter((x) => x.vpc_endpoint_type === "Interface")) expect(e.subnet_ids.sort()).toEqual(EXISTING.subnetIds);
    for (const f of plannedAfter(existing, "aws_lambda_function")) expect(f.vpc_config[0].subnet_ids.sort()).toEqual(EXISTING.subnetIds);
    expect(formatFindings(analyzeStack(stackJson(existing)))).toBe("");
  });
  it("turns private DNS off (the default in a shared VPC) and plans each function's endpoint variables from its endpoints' DNS names", () => {
    for (const e of plannedAfter(existing, "aws_vpc_endpoint").filter((x) => x.vpc_endpoint_type === "Interface")) expect(e.private_dns_enabled).toBe(false);
    // The variables are known after apply (like KMS_KEY_ARN); the planned configuration shows what they are made of.
    for (const f of plannedResources(existing, "aws_lambda_function")) expect(f.afterUnknown.environment).toEqual([{ variables: true }]);
    const configured = Object.fromEntries(
      (existing.json.configuration.root_module.resources as any[])
        .filter((r) => r.type === "aws_lambda_function")
        .map((r) => {
          const vars: Record<string, string> = r.expressions.environment[0].variables.constant_value;
          const urls = Object.entries(vars).filter(([k]) => k.startsWith("AWS_ENDPOINT_URL"));
          return [r.address.replace(/^aws_lambda_function\.functions_([a-z]+)_function_\w+$/, "$1"), Object.fromEntries(urls)];
        }),
    );
    const endpoint = (suffix: string) => {
      const ep = (existing.json.configuration.root_module.resources as any[]).find(
        (r) => r.type === "aws_vpc_endpoint" && r.expressions.service_name.constant_value === `com.amazonaws.eu-central-1.${suffix}`,
      );
      return `https://\${${ep.address}.dns_entry[0].dns_name}`;
    };
    expect(configured).toEqual({
      start: { AWS_ENDPOINT_URL_SSM: endpoint("ssm"), AWS_ENDPOINT_URL_TRANSCRIBE: endpoint("transcribe") },
      analyze: {
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint("bedrock-runtime"),
        AWS_ENDPOINT_URL_COMPREHEND: endpoint("comprehend"),
        AWS_ENDPOINT_URL_TRANSCRIBE: endpoint("transcribe"),
      },
      reconcile: { AWS_ENDPOINT_URL_LAMBDA: endpoint("lambda"), AWS_ENDPOINT_URL_TRANSCRIBE: endpoint("transcribe") },
    });
  });
});

describe("network.mode off (the default configuration's plan)", () => {
  it("has no network resource, no vpc_config, no endpoint deny and no ENI permission", () => {
    for (const t of ["aws_vpc", "aws_subnet", "aws_vpc_endpoint", "aws_security_group", "aws_route_table", "aws_default_security_group"])
      expect(off.resourcesByType[t]).toBeUndefined();
    for (const f of plannedAfter(off, "aws_lambda_function")) expect(f.vpc_config ?? []).toEqual([]);
    expect(off.text).not.toContain("aws:SourceVpce");
    expect(off.text).not.toContain("ec2:CreateNetworkInterface");
    expect(endpointCostOfStack(stackJson(off))).toBeUndefined();
  });
});
