/**
 * `network-endpoint-services`: private networking (`network.mode` create or existing, docs/network.md): every interface endpoint service exists in the region and accepts endpoints without manual acceptance (docs/doctor.md, "The checks").
 */
import type { NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, list, NETWORK_DOC, unavailableResult } from "./shared";

export function checkEndpointServices(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-endpoint-services";
  if (!n.services.ok) return unavailableResult(id, n.services.error);
  const region = ctx.cfg.region;
  const missing = n.services.value.filter((s) => !s.exists).map((s) => s.serviceName);
  if (missing.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(missing)}: no such VPC endpoint service in ${region} (DescribeVpcEndpointServices: InvalidServiceName); the functions could not reach the service privately`,
      fix: `set network.mode to "off" in ${ctx.configFile}, or set region to a region where every service has an endpoint (${NETWORK_DOC})`,
    };
  }
  const manual = n.services.value.filter((s) => s.acceptanceRequired).map((s) => s.serviceName);
  if (manual.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(manual)} requires acceptance of each endpoint connection (AcceptanceRequired); the endpoints would stay pendingAcceptance`,
      fix: `set network.mode to "off" in ${ctx.configFile} and ask AWS Support about the endpoint service`,
    };
  }
  return {
    id,
    status: "ok",
    message: `every interface endpoint service exists in ${region}: ${n.services.value.map((s) => s.serviceName.split(".").pop()).join(", ")}`,
  };
}
