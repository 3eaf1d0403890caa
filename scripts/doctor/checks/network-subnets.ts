/**
 * `network-subnets`: private networking (`network.mode` create or existing, docs/network.md), existing VPC: the subnets exist, are in the VPC and span two or more zones, one subnet per zone (docs/doctor.md, "The checks").
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, list, unavailableResult } from "./shared";

export function checkSubnets(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-subnets";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.subnets;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const wanted = ctx.cfg.network.subnetIds ?? [];
  const found = new Map(f.value.map((s) => [s.id, s]));
  const fix = `set network.subnetIds in ${ctx.configFile} to two or more subnets of ${vpcId}, each in a different Availability Zone`;
  const missing = wanted.filter((x) => !found.has(x));
  const elsewhere = f.value.filter((s) => s.vpcId !== vpcId).map((s) => `${s.id} (in ${s.vpcId})`);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${list(missing)} does not exist in ${ctx.cfg.region}`);
  if (elsewhere.length > 0) problems.push(`${list(elsewhere)} is not in ${vpcId}`);
  const inVpc = f.value.filter((s) => s.vpcId === vpcId);
  const zones = new Set(inVpc.map((s) => s.zoneId));
  if (problems.length === 0 && zones.size < 2) problems.push(`the subnets are all in ${list([...zones])}; the endpoints and functions need two or more zones`);
  // An interface endpoint takes one subnet per zone: two in one zone fail its creation (DuplicateSubnetsInSameZone).
  const shared = [...zones].filter((z) => inVpc.filter((s) => s.zoneId === z).length > 1);
  if (problems.length === 0 && shared.length > 0) {
    problems.push(
      `${list(shared.map((z) => `${list(inVpc.filter((s) => s.zoneId === z).map((s) => s.id))} (all in ${z})`))}: an interface endpoint takes one subnet per zone (DuplicateSubnetsInSameZone)`,
    );
  }
  if (problems.length > 0) return { id, status: "problem", message: problems.join("; "), fix };
  return { id, status: "ok", message: `${list(wanted)} are in ${vpcId}, in ${zones.size} zones (${list([...zones])})` };
}
