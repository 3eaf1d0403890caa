/**
 * What private networking costs (guide §12, §14; docs/network.md "Cost"). Interface endpoints are billed per
 * endpoint per Availability Zone per hour (partial hours as full hours) plus per GB processed (region-wide tiers:
 * first 1 PB $0.01/GB); the S3 gateway endpoint, the VPC, subnets, route tables and security groups cost nothing.
 *
 * Source: AWS PrivateLink pricing, https://aws.amazon.com/privatelink/pricing/ ("Interface Endpoint pricing"),
 * read 2026-11-30: the billing model, the $0.01/GB first tier and the US East hourly rate were confirmed from the
 * stored page; the other regions' hourly rates are the page's regional table as last checked by hand and are not
 * re-verified offline: confirm them in the AWS Pricing Calculator before budgeting.
 */

/** Hours in a billing month for estimates (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** USD per GB processed by interface endpoints (first 1 PB per month per region). */
export const PRICE_PER_GB_USD = 0.01;

/** USD per interface endpoint per Availability Zone per hour, for every region where private networking works. */
export const ENDPOINT_AZ_HOUR_USD: Readonly<Record<string, number>> = {
  "us-east-1": 0.01,
  "us-east-2": 0.01,
  "us-west-2": 0.01,
  "ca-central-1": 0.011,
  "eu-central-1": 0.012,
  "eu-west-1": 0.011,
  "eu-west-2": 0.011,
  "ap-south-1": 0.011,
  "ap-northeast-1": 0.014,
  "ap-northeast-2": 0.013,
  "ap-southeast-1": 0.013,
  "ap-southeast-2": 0.013,
};

export interface EndpointCost {
  readonly region: string;
  readonly interfaceEndpoints: number;
  /** Endpoint × zone pairs billed by the hour. */
  readonly endpointZones: number;
  readonly hourlyUsd: number;
  /** The fixed monthly part: endpoint-zones × hours × rate. */
  readonly monthlyUsd: number;
}

/** The fixed monthly cost of `interfaceEndpoints` endpoints in `zones` zones of `region`. */
export function endpointCost(region: string, interfaceEndpoints: number, zones: number): EndpointCost {
  const rate = ENDPOINT_AZ_HOUR_USD[region];
  if (rate === undefined) throw new Error(`no interface endpoint price for ${region} in modules/network/endpoint-prices.ts`);
  const endpointZones = interfaceEndpoints * zones;
  const hourlyUsd = endpointZones * rate;
  return { region, interfaceEndpoints, endpointZones, hourlyUsd, monthlyUsd: Math.round(hourlyUsd * HOURS_PER_MONTH * 100) / 100 };
}

/** The parts of a synthesized stack (`cdk.tf.json`, parsed) that {@link endpointCostOfStack} reads. */
export interface SynthesizedStack {
  readonly provider?: { readonly aws?: Record<string, unknown> | readonly Record<string, unknown>[] };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * The endpoint cost of a synthesized stack (`cdk.tf.json`, parsed): its interface endpoints, each in as many zones
 * as it has subnets, at the AWS provider's region. Undefined when the stack has no interface endpoint.
 */
export function endpointCostOfStack(stack: SynthesizedStack): EndpointCost | undefined {
  const endpoints = Object.values(stack.resource?.aws_vpc_endpoint ?? {}).filter((e) => e.vpc_endpoint_type === "Interface");
  if (endpoints.length === 0) return undefined;
  const region = [stack.provider?.aws ?? []].flat()[0]?.region;
  const zones = endpoints.map((e) => (Array.isArray(e.subnet_ids) ? e.subnet_ids.length : 0));
  if (new Set(zones).size !== 1 || zones[0] === 0) throw new Error("interface endpoints with differing or unknown subnet counts");
  return endpointCost(String(region), endpoints.length, zones[0]);
}

/** One line for people: `5 interface endpoints × 2 AZs in eu-central-1: about 87.60 USD/month + 0.01 USD/GB`. */
export function formatEndpointCost(c: EndpointCost): string {
  return `private networking: ${c.interfaceEndpoints} interface endpoints × ${c.endpointZones / c.interfaceEndpoints} AZs in ${c.region}: about ${c.monthlyUsd.toFixed(2)} USD/month (${HOURS_PER_MONTH} h × ${c.endpointZones} endpoint-AZs × ${ENDPOINT_AZ_HOUR_USD[c.region]} USD) + ${PRICE_PER_GB_USD} USD per GB processed; S3 gateway endpoint free`;
}
