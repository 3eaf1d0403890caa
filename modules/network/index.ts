/**
 * Guide §12, private networking (docs/network.md): the functions run in private subnets and reach AWS only through
 * VPC endpoints: a gateway endpoint for S3 and an interface endpoint (private DNS) for every other service they
 * call (modules/config/network-facts.ts). `create` builds the VPC (private subnets in two or more zones, no internet
 * gateway, no NAT); `existing` uses the given VPC, subnets and route tables. Either way the stack adds two security
 * groups (functions: egress 443 to the endpoints and to S3's prefix list only; endpoints: ingress 443 from the
 * functions only) and endpoint policies that allow only this environment's function roles on this environment's
 * resources, on every endpoint whose service supports one (network-facts `endpointPolicy`). With `privateDns` off
 * (the default in an existing VPC) the endpoints leave the services' public names alone and each function is given
 * `AWS_ENDPOINT_URL_<SERVICE>` for the endpoints of the services it calls (docs/network.md, "Private DNS").
 */
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ValidationError } from "../config/errors";
import type { AwsClient } from "../../lambda-src/contracts/aws-calls";
import type { ResolvedNetwork } from "../config/network";
import { PIPELINE_SERVICES, type PipelineService } from "../config/network-facts";
import { StackContext } from "../constructs/stack-context";
import { policy, render, type Statement } from "../iam/policy";
import { type EndpointPolicyScope, endpointPolicies } from "./endpoint-policies";

export type { EndpointPolicyScope } from "./endpoint-policies";

/** Name tags are `<stem>-<what>`, endpoints those of the stack's region (both from the {@link StackContext}). */
export interface PrivateNetworkProps {
  /** The resolved `network` section (not `off`: then there is no PrivateNetwork). */
  readonly network: Exclude<ResolvedNetwork, { readonly mode: "off" }>;
  /** What each endpoint's policy allows: the function roles and this environment's resources. */
  readonly scope: EndpointPolicyScope;
}

/** What a function needs to run in the network (`vpc_config`) and to be created after the endpoints. */
export interface FunctionNetwork {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Created before the functions (and destroyed after them). */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * Without private DNS: `https://` + each interface endpoint's regional DNS name, by client; each function gets
   * the `AWS_ENDPOINT_URL_<SERVICE>` of the clients it uses. @default none (private DNS on: the public names resolve
   * to the endpoints)
   */
  readonly endpointUrls?: Readonly<Partial<Record<AwsClient, string>>>;
}

/**
 * The endpoint policy document for `service`, or undefined where the service accepts no endpoint policy
 * (network-facts `endpointPolicy.supported: false`): AWS then allows full access through the endpoint, and the
 * function roles' identity policies and the buckets' policies are what limit the calls.
 */
export function endpointPolicyDocument(service: Pick<PipelineService, "endpointPolicy">, statements: readonly Statement[]): string | undefined {
  return service.endpointPolicy.supported ? render(policy(...statements)) : undefined;
}

export class PrivateNetwork extends Construct {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly functionSecurityGroup: SecurityGroup;
  readonly endpointSecurityGroup: SecurityGroup;
  readonly s3Endpoint: VpcEndpoint;
  /** Interface endpoints by service suffix (`transcribe`, `comprehend`, ...). */
  readonly interfaceEndpoints: Readonly<Record<string, VpcEndpoint>>;
  /** Interface endpoints × zones: what the hourly endpoint charge counts. */
  readonly endpointZoneCount: number;
  readonly functionNetwork: FunctionNetwork;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const n = props.network;
    const { region, stem } = StackContext.of(this);
    const name = (what: string) => ({ Name: `${stem}-${what}` });
    let routeTableIds: string[];
    if (n.mode === "create") {
      if (n.subnets.length < 2) throw new ValidationError(this.node.path, "network.subnets", `needs two or more Availability Zones, got ${n.subnets.length}`);
      const vpc = new Vpc(this, "vpc", { cidrBlock: n.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: name("private") });
      // The VPC's default security group would allow all egress to anything that joins it: no rules at all.
      new DefaultSecurityGroup(this, "default-security-group", { vpcId: vpc.id, ingress: [], egress: [], tags: name("default-unused") });
      // One route table for the private subnets: only the local route and the S3 gateway endpoint's. No 0.0.0.0/0.
      const routeTable = new RouteTable(this, "private-routes", { vpcId: vpc.id, tags: name("private") });
      const subnets = n.subnets.map((s, i) => {
        const subnet = new Subnet(this, `private-${i}`, {
          vpcId: vpc.id,
          cidrBlock: s.cidr,
          availabilityZoneId: s.availabilityZoneId,
          mapPublicIpOnLaunch: false,
          tags: name(`private-${s.availabilityZoneId}`),
        });
        new RouteTableAssociation(this, `private-${i}-routes`, { subnetId: subnet.id, routeTableId: routeTable.id });
        return subnet;
      });
      this.vpcId = vpc.id;
      this.subnetIds = subnets.map((s) => s.id);
      routeTableIds = [routeTable.id];
    } else {
      if (n.subnetIds.length < 2) throw new ValidationError(this.node.path, "network.subnetIds", `needs two or more subnets, got ${n.subnetIds.length}`);
      this.vpcId = n.vpcId;
      this.subnetIds = [...n.subnetIds];
      routeTableIds = [...n.routeTableIds];
    }

    this.functionSecurityGroup = new SecurityGroup(this, "functions", {
      name: `${stem}-functions`,
      description: "CCI Lite functions: HTTPS to the VPC endpoints only",
      vpcId: this.vpcId,
      tags: name("functions"),
    });
    this.endpointSecurityGroup = new SecurityGroup(this, "endpoints", {
      name: `${stem}-endpoints`,
      description: "CCI Lite interface endpoints: HTTPS from the functions only",
      vpcId: this.vpcId,
      tags: name("endpoints"),
    });
    const policies = endpointPolicies(props.scope);
    const s3 = PIPELINE_SERVICES.find((s) => s.endpointType === "Gateway" && s.suffix === "s3");
    if (!s3) throw new Error("modules/config/network-facts.ts: PIPELINE_SERVICES has no S3 gateway endpoint");
    this.s3Endpoint = new VpcEndpoint(this, "s3", {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds,
      policy: endpointPolicyDocument(s3, policies.s3),
      tags: name("s3"),
    });
    const endpoints: Record<string, VpcEndpoint> = {};
    for (const s of PIPELINE_SERVICES.filter((x) => x.endpointType === "Interface")) {
      if (!policies[s.suffix]) throw new Error(`modules/network/endpoint-policies.ts: no endpoint policy for ${s.suffix}`);
      endpoints[s.suffix] = new VpcEndpoint(this, `endpoint-${s.suffix}`, {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${region}.${s.suffix}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: n.privateDns,
        subnetIds: [...this.subnetIds],
        securityGroupIds: [this.endpointSecurityGroup.id],
        policy: endpointPolicyDocument(s, policies[s.suffix]),
        tags: name(s.suffix),
      });
    }
    this.interfaceEndpoints = endpoints;
    this.endpointZoneCount = Object.keys(endpoints).length * this.subnetIds.length;

    const egressToEndpoints = new VpcSecurityGroupEgressRule(this, "functions-to-endpoints", {
      securityGroupId: this.functionSecurityGroup.id,
      description: "HTTPS to the interface endpoints",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: this.endpointSecurityGroup.id,
    });
    const egressToS3 = new VpcSecurityGroupEgressRule(this, "functions-to-s3", {
      securityGroupId: this.functionSecurityGroup.id,
      description: "HTTPS to S3 through the gateway endpoint (its prefix list)",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      prefixListId: this.s3Endpoint.prefixListId,
    });
    const ingressFromFunctions = new VpcSecurityGroupIngressRule(this, "endpoints-from-functions", {
      securityGroupId: this.endpointSecurityGroup.id,
      description: "HTTPS from the CCI Lite functions",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: this.functionSecurityGroup.id,
    });
    this.functionNetwork = {
      subnetIds: this.subnetIds,
      securityGroupIds: [this.functionSecurityGroup.id],
      dependsOn: [this.s3Endpoint, ...Object.values(endpoints), egressToEndpoints, egressToS3, ingressFromFunctions],
      // The first DNS entry is the endpoint's regional name (`vpce-<id>-<suffix>.<service>.<region>.vpce.amazonaws.com`,
      // any zone); the zonal names and, with private DNS, the public name follow it.
      ...(n.privateDns
        ? {}
        : { endpointUrls: Object.fromEntries(Object.entries(endpoints).map(([suffix, e]) => [suffix, `https://${e.dnsEntry.get(0).dnsName}`])) }),
    };
  }
}
