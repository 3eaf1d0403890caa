/**
 * `network-private-dns`: private networking (`network.mode` create or existing, docs/network.md), existing VPC with
 * `network.privateDns` on: no other endpoint already holds the private DNS names of these services (docs/doctor.md,
 * "The checks"). With it off the stack's endpoints take no public names, so nothing can conflict.
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, list, privateDnsOnly, SHARED_VPC_NOTE, taggedByProject, unavailableResult } from "./shared";

/** VPC endpoint states in which the endpoint still holds its private DNS names. */
const LIVE_ENDPOINT = new Set(["pendingacceptance", "pending", "available", "modifying"]);

export function checkPrivateDnsConflicts(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-private-dns";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const off = privateDnsOnly(id, ctx);
  if (off) return off;
  const f = n.existing.endpoints;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const live = f.value.filter((e) => e.privateDns && LIVE_ENDPOINT.has(e.state.toLowerCase()));
  const ours = live.filter((e) => taggedByProject(e.tags, ctx.cfg.environment));
  const others = live.filter((e) => !taggedByProject(e.tags, ctx.cfg.environment));
  if (others.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(others.map((e) => `${e.id} (${e.serviceName})`))} already has private DNS in ${vpcId}; the stack's endpoint for the same service would fail to create (conflicting private DNS)`,
      fix: `set network.privateDns to false in ${ctx.configFile} (the functions then call the stack's endpoints by their own names), or set network.vpcId (with subnetIds and routeTableIds) to a VPC without these endpoints, or delete them (or turn off their private DNS) before the first apply`,
    };
  }
  return ours.length > 0
    ? { id, status: "ok", message: `the private-DNS endpoints in ${vpcId} are this environment's own (${list(ours.map((e) => e.id))}): already applied` }
    : { id, status: "ok", message: `no other interface endpoint with private DNS for these services in ${vpcId}; ${SHARED_VPC_NOTE}` };
}
