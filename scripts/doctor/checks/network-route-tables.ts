/**
 * `network-route-tables`: private networking (`network.mode` create or existing, docs/network.md), existing VPC: the route tables exist, are in the VPC and have no default route to the internet (docs/doctor.md, "The checks").
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, list, NETWORK_DOC, unavailableResult } from "./shared";

export function checkRouteTables(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-route-tables";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.routeTables;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const wanted = ctx.cfg.network.routeTableIds ?? [];
  const found = new Set(f.value.map((r) => r.id));
  const missing = wanted.filter((x) => !found.has(x));
  const elsewhere = f.value.filter((r) => r.vpcId !== vpcId).map((r) => `${r.id} (in ${r.vpcId})`);
  if (missing.length > 0 || elsewhere.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`${list(missing)} does not exist in ${ctx.cfg.region}`] : []),
      ...(elsewhere.length > 0 ? [`${list(elsewhere)} is not in ${vpcId}`] : []),
    ];
    return {
      id,
      status: "problem",
      message: problems.join("; "),
      fix: `set network.routeTableIds in ${ctx.configFile} to the route tables of ${vpcId}'s subnetIds`,
    };
  }
  const open = f.value.flatMap((r) => r.internetRoutes.map((route) => `${r.id}: ${route}`));
  if (open.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(open)}: a default route to the internet; private networking means the functions reach AWS only through the endpoints`,
      fix: `remove those routes, or set network.routeTableIds in ${ctx.configFile} to route tables without a default route to an internet or NAT gateway (${NETWORK_DOC})`,
    };
  }
  return { id, status: "ok", message: `${list(wanted)} are in ${vpcId}, with no default route to an internet or NAT gateway` };
}
