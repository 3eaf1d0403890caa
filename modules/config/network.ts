/**
 * The `network` section's cross-field rules and its resolved form (guide §12, docs/network.md). Checked offline
 * against modules/config/network-facts.ts: every endpoint the functions need must exist in the region.
 */
import { azIdPrefix, calledBy, DEFAULT_AZ_IDS, servicesWithoutEndpoint } from "./network-facts";
import { DEFAULT_VPC_CIDR } from "./sections";

export interface NetworkInput {
  readonly mode: "off" | "create" | "existing";
  readonly cidr?: string;
  readonly availabilityZoneIds?: readonly string[];
  readonly availabilityZoneCount?: number;
  readonly vpcId?: string;
  readonly subnetIds?: readonly string[];
  readonly routeTableIds?: readonly string[];
  readonly privateDns?: boolean;
}

interface Issue {
  readonly path: (string | number)[];
  readonly message: string;
}

const CREATE_ONLY = ["cidr", "availabilityZoneIds", "availabilityZoneCount"] as const;
const EXISTING_ONLY = ["vpcId", "subnetIds", "routeTableIds"] as const;

/**
 * Whether the interface endpoints take the services' public names in the VPC (`network.privateDns`): by default in a
 * VPC of the stack's own (`create`), not in a VPC shared with other workloads (`existing`), whose own calls would
 * otherwise reach endpoints whose policies refuse them.
 */
export const privateDnsOf = (n: Pick<NetworkInput, "mode" | "privateDns">): boolean => n.privateDns ?? n.mode === "create";

/** Problems of `network` in the context of the whole configuration (region, Bedrock region). */
export function networkIssues(c: { readonly region: string; readonly bedrock: { readonly region?: string }; readonly network: NetworkInput }): Issue[] {
  const n = c.network;
  const issues: Issue[] = [];
  const at = (field: string, message: string) => issues.push({ path: ["network", field], message });
  if (n.mode === "off") {
    for (const f of [...CREATE_ONLY, ...EXISTING_ONLY, "privateDns"] as const)
      if (n[f] !== undefined) at(f, `is only used with mode "create" or "existing" (mode is "off")`);
    return issues;
  }
  for (const f of n.mode === "create" ? EXISTING_ONLY : CREATE_ONLY) if (n[f] !== undefined) at(f, `is not used with mode "${n.mode}"`);
  for (const s of servicesWithoutEndpoint(c.region)) {
    at(
      "mode",
      `${s.suffix} (called by ${calledBy(s.suffix)}) has no VPC endpoint com.amazonaws.${c.region}.${s.suffix} in ${c.region}: private networking cannot work there`,
    );
  }
  if (c.bedrock.region !== undefined && c.bedrock.region !== c.region) {
    issues.push({
      path: ["bedrock", "region"],
      message: `is ${c.bedrock.region}, but with network.mode "${n.mode}" the functions reach Bedrock only through the bedrock-runtime endpoint in ${c.region}: leave it unset or set it to ${c.region}`,
    });
  }
  if (n.mode === "create") {
    const prefix = azIdPrefix(c.region);
    if (n.availabilityZoneIds) {
      const seen = new Set<string>();
      n.availabilityZoneIds.forEach((id, i) => {
        if (prefix && !id.startsWith(`${prefix}-`))
          issues.push({ path: ["network", "availabilityZoneIds", i], message: `${id} is not a zone of ${c.region} (its ids start with ${prefix}-)` });
        if (seen.has(id)) issues.push({ path: ["network", "availabilityZoneIds", i], message: `${id} is listed twice` });
        seen.add(id);
      });
      if (n.availabilityZoneCount !== undefined) at("availabilityZoneCount", "is not used when availabilityZoneIds is set");
    }
  } else {
    for (const f of EXISTING_ONLY) if (n[f] === undefined) at(f, `is required with mode "existing"`);
    for (const f of ["subnetIds", "routeTableIds"] as const) {
      const ids = n[f] ?? [];
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup) at(f, `lists ${dup} twice`);
    }
  }
  return issues;
}

export type ResolvedNetwork =
  | { readonly mode: "off" }
  | {
      readonly mode: "create";
      readonly cidr: string;
      /** {@link privateDnsOf}. */
      readonly privateDns: boolean;
      /** One private subnet per zone id, with its CIDR block. */
      readonly subnets: readonly { readonly availabilityZoneId: string; readonly cidr: string }[];
    }
  | {
      readonly mode: "existing";
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      readonly routeTableIds: readonly string[];
      /** {@link privateDnsOf}. */
      readonly privateDns: boolean;
    };

/** The `i`-th of the four blocks of prefix + 2 in `cidr` (IPv4). */
export function quarterOf(cidr: string, i: number): string {
  const [address, bits] = cidr.split("/");
  const prefix = Number(bits);
  const base = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const start = network + i * (size / 4);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix + 2}`;
}

/** The `network` section with its defaults applied (the configuration must have passed validation). */
export function resolveNetwork(c: { readonly region: string; readonly network: NetworkInput }): ResolvedNetwork {
  const n = c.network;
  if (n.mode === "off") return { mode: "off" };
  if (n.mode === "existing") {
    const { vpcId, subnetIds, routeTableIds } = n;
    if (vpcId === undefined || subnetIds === undefined || routeTableIds === undefined) {
      const missing = EXISTING_ONLY.filter((f) => n[f] === undefined).map((f) => `network.${f}`);
      throw new Error(`network.mode "existing" needs ${missing.join(", ")} (the configuration must pass validation first)`);
    }
    return { mode: "existing", vpcId, subnetIds: [...subnetIds], routeTableIds: [...routeTableIds], privateDns: privateDnsOf(n) };
  }
  const cidr = n.cidr ?? DEFAULT_VPC_CIDR;
  const zones = n.availabilityZoneIds ?? (DEFAULT_AZ_IDS[c.region as keyof typeof DEFAULT_AZ_IDS] ?? []).slice(0, n.availabilityZoneCount ?? 2);
  return {
    mode: "create",
    cidr,
    privateDns: privateDnsOf(n),
    subnets: zones.map((availabilityZoneId, i) => ({ availabilityZoneId, cidr: quarterOf(cidr, i) })),
  };
}
