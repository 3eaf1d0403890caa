/**
 * `network-private-zones`: private networking, existing VPC: no Route 53 private hosted zone associated with the VPC
 * has the private DNS name of a service the stack makes an endpoint for (docs/doctor.md, "The checks"). AWS refuses
 * private DNS on the stack's endpoint then ("there is already a conflicting DNS domain"), and the apply fails.
 * Zones another AWS service manages (an endpoint's own) are not counted.
 */
import { interfaceEndpointServices, type NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, list, unavailableResult } from "./shared";

/** The private DNS names the stack's endpoints take: each service's own names, else `<suffix>.<region>.amazonaws.com`. */
export function endpointDnsNames(n: NetworkFacts, region: string): Set<string> {
  const names = new Set(interfaceEndpointServices(region).map((s) => `${s.suffix}.${region}.amazonaws.com`));
  if (n.services.ok) for (const s of n.services.value) for (const d of s.privateDnsNames ?? []) names.add(d.toLowerCase().replace(/^\*\./, ""));
  return names;
}

export function checkPrivateZones(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-private-zones";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.privateZones;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const names = endpointDnsNames(n, ctx.cfg.region);
  const conflicts = f.value.filter((z) => !z.owningService && names.has(z.name));
  if (conflicts.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(conflicts.map((z) => `${z.name} (${z.id})`))}: a private hosted zone associated with ${vpcId} has the private DNS name of an endpoint the stack creates (conflicting DNS domain)`,
      fix: `disassociate the zone from ${vpcId} (or delete it) before the first apply, or set network.vpcId (with subnetIds, routeTableIds) in ${ctx.configFile} to another VPC`,
    };
  }
  return { id, status: "ok", message: `${f.value.length} private hosted zone(s) on ${vpcId}, none with an endpoint's DNS name` };
}
