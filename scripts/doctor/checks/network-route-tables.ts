/**
 * `network-route-tables`: private networking (`network.mode` create or existing, docs/network.md), existing VPC: the route tables exist, are in the VPC, have no default route to the internet and no other S3 gateway endpoint (docs/doctor.md, "The checks").
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, list, NETWORK_DOC, taggedByProject, unavailableResult } from "./shared";

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
  // The stack's S3 gateway endpoint adds the S3 route to these tables; another S3 gateway endpoint already on one of
  // them makes its creation fail (RouteAlreadyExists).
  const endpoints = n.existing.endpoints;
  if (endpoints.ok) {
    const s3 = `com.amazonaws.${ctx.cfg.region}.s3`;
    const taken = endpoints.value.filter(
      (e) =>
        e.type === "Gateway" &&
        e.serviceName === s3 &&
        !taggedByProject(e.tags, ctx.cfg.environment) &&
        (e.routeTableIds ?? []).some((r) => wanted.includes(r)),
    );
    if (taken.length > 0) {
      return {
        id,
        status: "problem",
        message: `${list(taken.map((e) => `${e.id} (${list((e.routeTableIds ?? []).filter((r) => wanted.includes(r)))})`))}: an S3 gateway endpoint already serves these route tables; the stack's own would fail (RouteAlreadyExists)`,
        fix: `set network.routeTableIds in ${ctx.configFile} to route tables without an S3 gateway endpoint, or remove that endpoint from them before the first apply`,
      };
    }
  }
  return { id, status: "ok", message: `${list(wanted)} are in ${vpcId}, with no default route to an internet or NAT gateway` };
}
