/**
 * `network-endpoint-zones`: private networking (`network.mode` create or existing, docs/network.md): every endpoint service is offered in the zones the endpoints go into (docs/doctor.md, "The checks").
 */
import { resolveNetwork } from "../../../modules/config/network";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { type Fact, fact, type NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, list, unavailableResult } from "./shared";

/** The zone ids the endpoints go into: create, the configured (or default) zone ids; existing, the subnets' zones. */
function configuredZoneIds(n: NetworkFacts, cfg: CciLiteConfig): Fact<string[]> {
  const resolved = resolveNetwork(cfg);
  if (resolved.mode === "create") return fact(resolved.subnets.map((s) => s.availabilityZoneId));
  if (!n.existing) return fact([]);
  if (!n.existing.subnets.ok) return n.existing.subnets;
  return fact([...new Set(n.existing.subnets.value.map((s) => s.zoneId))]);
}

export function checkEndpointZones(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-endpoint-zones";
  if (!n.services.ok) return unavailableResult(id, n.services.error);
  if (!n.zones.ok) return unavailableResult(id, n.zones.error);
  const zones = configuredZoneIds(n, ctx.cfg);
  if (!zones.ok) return unavailableResult(id, zones.error);
  const create = ctx.cfg.network.mode === "create";
  if (zones.value.length === 0) return { id, status: "skipped", message: "none of network.subnetIds exists (see network-subnets)" };
  const regionZones = n.zones.value.map((z) => z.zoneId);
  const services = n.services.value.filter((s) => s.exists);
  const everywhere = regionZones.filter((z) => services.every((s) => s.zoneIds.includes(z)));
  const field = create ? "network.availabilityZoneIds" : "network.subnetIds";
  const fix = create
    ? `set network.availabilityZoneIds in ${ctx.configFile} to two or more zones every endpoint service is offered in: ${list(everywhere)}`
    : `set network.subnetIds in ${ctx.configFile} to subnets in zones every endpoint service is offered in: ${list(everywhere)}`;
  const unknown = zones.value.filter((z) => !regionZones.includes(z));
  if (unknown.length > 0) {
    return {
      id,
      status: "problem",
      message: `${field}: ${list(unknown)} is not an Availability Zone of ${ctx.cfg.region} for this account (DescribeAvailabilityZones: ${list(regionZones)})`,
      fix,
    };
  }
  const gaps = services.flatMap((s) => {
    const missing = zones.value.filter((z) => !s.zoneIds.includes(z));
    return missing.length > 0 ? [`${s.serviceName.split(".").pop()} is not offered in ${list(missing)} (only ${list(s.zoneIds)})`] : [];
  });
  if (gaps.length > 0) {
    return { id, status: "problem", message: `${gaps.join("; ")}; creating its endpoint in that zone would fail`, fix };
  }
  return { id, status: "ok", message: `every endpoint service is offered in ${create ? "the zones" : "the subnets' zones"} ${list(zones.value)}` };
}
