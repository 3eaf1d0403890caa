/**
 * `npm run doctor`: private networking as facts (EC2 Describe* calls; `network.mode` create or existing).
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  type Route,
} from "@aws-sdk/client-ec2";
import { ListHostedZonesByVPCCommand, type VPCRegion } from "@aws-sdk/client-route-53";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { errorName } from "../../aws-errors";
import {
  type EndpointServiceFacts,
  type ExistingNetworkFacts,
  type Fact,
  failed,
  fact,
  interfaceEndpointServices,
  type NetworkFacts,
  type PrivateZoneFacts,
  type RouteTableFacts,
  type VpcEndpointFacts,
  type ZoneFacts,
} from "../facts";
import { attempt, classifyError, type DoctorClients } from "./clients";

/** A default route (IPv4 or IPv6) to an internet, egress-only internet or NAT gateway, as `0.0.0.0/0 → igw-…`. */
export function internetRoute(r: Route): string | undefined {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
  if (destination !== "0.0.0.0/0" && destination !== "::/0") return undefined;
  if (r.State === "blackhole") return undefined;
  const target = r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? (r.GatewayId?.startsWith("igw-") ? r.GatewayId : undefined);
  return target ? `${destination} → ${target}` : undefined;
}

/**
 * `network.mode` create or existing: the interface endpoint services (one DescribeVpcEndpointServices per service:
 * an unknown name fails the whole call with InvalidServiceName), the region's zones, and for `existing` the VPC,
 * subnets, route tables and endpoints the stack would build on.
 */
export async function networkFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<NetworkFacts | undefined> {
  const n = cfg.network;
  if (n.mode === "off") return undefined;
  const region = cfg.region;
  const zones = await attempt("ec2:DescribeAvailabilityZones", region, async (): Promise<ZoneFacts[]> => {
    const r = await clients.ec2.send(new DescribeAvailabilityZonesCommand({}));
    return (r.AvailabilityZones ?? []).map((z) => ({ zoneName: z.ZoneName ?? "", zoneId: z.ZoneId ?? "" }));
  });
  const idOf = new Map((zones.ok ? zones.value : []).map((z) => [z.zoneName, z.zoneId]));
  const wanted = interfaceEndpointServices(region);
  const action = "ec2:DescribeVpcEndpointServices";
  const perService = await Promise.all(
    wanted.map(async (s): Promise<Fact<EndpointServiceFacts>> => {
      try {
        const r = await clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [s.serviceName] }));
        const d = (r.ServiceDetails ?? []).find((x) => x.ServiceName === s.serviceName);
        if (!d) return fact({ serviceName: s.serviceName, exists: false, zoneIds: [] });
        const zoneIds = d.AvailabilityZoneIds?.length ? d.AvailabilityZoneIds : (d.AvailabilityZones ?? []).map((name) => idOf.get(name) ?? name);
        return fact({
          serviceName: s.serviceName,
          exists: true,
          policySupported: d.VpcEndpointPolicySupported,
          zoneIds,
          privateDns: Boolean(d.PrivateDnsName || d.PrivateDnsNames?.length),
          privateDnsNames: [...new Set([d.PrivateDnsName, ...(d.PrivateDnsNames ?? []).map((x) => x.PrivateDnsName)].filter((x): x is string => Boolean(x)))],
          acceptanceRequired: d.AcceptanceRequired,
        });
      } catch (e) {
        if (errorName(e) === "InvalidServiceName") return fact({ serviceName: s.serviceName, exists: false, zoneIds: [] });
        return failed(classifyError(e, action, region));
      }
    }),
  );
  const firstError = perService.find((f) => !f.ok);
  const services: Fact<EndpointServiceFacts[]> =
    firstError && !firstError.ok ? failed(firstError.error) : fact(perService.flatMap((f) => (f.ok ? [f.value] : [])));
  if (n.mode !== "existing" || !n.vpcId) return { services, zones };
  const vpcId = n.vpcId;
  const [vpc, subnets, routeTables, endpoints, privateZones] = await Promise.all([
    (async (): Promise<ExistingNetworkFacts["vpc"]> => {
      try {
        const ask = (Attribute: "enableDnsSupport" | "enableDnsHostnames") => clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }));
        const [support, hostnames] = await Promise.all([ask("enableDnsSupport"), ask("enableDnsHostnames")]);
        return fact({ exists: true, dnsSupport: support.EnableDnsSupport?.Value === true, dnsHostnames: hostnames.EnableDnsHostnames?.Value === true });
      } catch (e) {
        if (errorName(e) === "InvalidVpcID.NotFound" || errorName(e) === "InvalidVpcID.Malformed") return fact({ exists: false });
        return failed(classifyError(e, "ec2:DescribeVpcAttribute", region));
      }
    })(),
    attempt("ec2:DescribeSubnets", region, async () => {
      const r = await clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "subnet-id", Values: [...(n.subnetIds ?? [])] }] }));
      return (r.Subnets ?? []).map((x) => ({
        id: x.SubnetId ?? "",
        vpcId: x.VpcId ?? "",
        zoneName: x.AvailabilityZone ?? "",
        zoneId: x.AvailabilityZoneId ?? idOf.get(x.AvailabilityZone ?? "") ?? x.AvailabilityZone ?? "",
      }));
    }),
    attempt("ec2:DescribeRouteTables", region, async (): Promise<RouteTableFacts[]> => {
      const r = await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "route-table-id", Values: [...(n.routeTableIds ?? [])] }] }));
      return (r.RouteTables ?? []).map((t) => ({
        id: t.RouteTableId ?? "",
        vpcId: t.VpcId ?? "",
        internetRoutes: (t.Routes ?? []).map(internetRoute).filter((x): x is string => x !== undefined),
      }));
    }),
    attempt("ec2:DescribeVpcEndpoints", region, async (): Promise<VpcEndpointFacts[]> => {
      const out: VpcEndpointFacts[] = [];
      let NextToken: string | undefined;
      do {
        const r = await clients.ec2.send(
          new DescribeVpcEndpointsCommand({
            Filters: [
              { Name: "vpc-id", Values: [vpcId] },
              // The interface services, and S3: a gateway endpoint already on the route tables is RouteAlreadyExists.
              { Name: "service-name", Values: [...wanted.map((s) => s.serviceName), `com.amazonaws.${region}.s3`] },
            ],
            NextToken,
          }),
        );
        for (const e of r.VpcEndpoints ?? []) {
          out.push({
            id: e.VpcEndpointId ?? "",
            serviceName: e.ServiceName ?? "",
            state: e.State ?? "",
            privateDns: e.PrivateDnsEnabled === true,
            tags: Object.fromEntries((e.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
            type: e.VpcEndpointType ?? "Interface",
            routeTableIds: e.RouteTableIds ?? [],
          });
        }
        NextToken = r.NextToken;
      } while (NextToken);
      return out;
    }),
    attempt("route53:ListHostedZonesByVPC", "global", async (): Promise<PrivateZoneFacts[]> => {
      const out: PrivateZoneFacts[] = [];
      let NextToken: string | undefined;
      do {
        const r = await clients.route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: region as VPCRegion, NextToken }));
        for (const z of r.HostedZoneSummaries ?? []) {
          const owningService = z.Owner?.OwningService;
          out.push({ id: z.HostedZoneId ?? "", name: (z.Name ?? "").replace(/\.$/, "").toLowerCase(), ...(owningService ? { owningService } : {}) });
        }
        NextToken = r.NextToken;
      } while (NextToken);
      return out;
    }),
  ]);
  return { services, zones, existing: { vpc, subnets, routeTables, endpoints, privateZones } };
}
