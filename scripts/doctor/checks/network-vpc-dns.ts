/**
 * `network-vpc-dns`: private networking (`network.mode` create or existing, docs/network.md), existing VPC: the VPC exists and has DNS support and hostnames on (docs/doctor.md, "The checks").
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, existingOnly, unavailableResult } from "./shared";

export function checkVpcDns(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-vpc-dns";
  const vpcId = ctx.cfg.network.vpcId ?? "";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.vpc;
  if (!f.ok) return unavailableResult(id, f.error);
  if (!f.value.exists) {
    return {
      id,
      status: "problem",
      message: `${vpcId} does not exist in ${ctx.cfg.region}`,
      fix: `set network.vpcId in ${ctx.configFile} to a VPC of this account in ${ctx.cfg.region}`,
    };
  }
  const off = [f.value.dnsSupport ? "" : "enableDnsSupport", f.value.dnsHostnames ? "" : "enableDnsHostnames"].filter(Boolean);
  if (off.length > 0) {
    return {
      id,
      status: "problem",
      message: `${vpcId} has ${off.join(" and ")} off; the endpoints' private DNS needs both, so the functions would resolve the public service names and time out`,
      fix: `turn on ${off.join(" and ")} of ${vpcId} (aws ec2 modify-vpc-attribute, one attribute per call), or set network.vpcId in ${ctx.configFile} to a VPC that has both`,
    };
  }
  return { id, status: "ok", message: `${vpcId} has enableDnsSupport and enableDnsHostnames on` };
}
