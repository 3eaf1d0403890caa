/**
 * `network-endpoint-policy`: private networking (`network.mode` create or existing, docs/network.md): the endpoint services take the endpoint policies the stack attaches (docs/doctor.md, "The checks").
 */
import { interfaceEndpointServices, type NetworkFacts } from "../facts";
import { type CheckContext, type CheckResult, list, NETWORK_DOC, unavailableResult } from "./shared";

export function checkEndpointPolicies(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-endpoint-policy";
  if (!n.services.ok) return unavailableResult(id, n.services.error);
  const wanted = new Map(interfaceEndpointServices(ctx.cfg.region).map((s) => [s.serviceName, s]));
  const refused: string[] = [];
  const withPolicy: string[] = [];
  const without: string[] = [];
  for (const f of n.services.value.filter((x) => x.exists)) {
    const s = wanted.get(f.serviceName);
    if (!s) continue;
    if (!s.endpointPolicy.supported) without.push(s.suffix);
    else if (f.policySupported === false) refused.push(s.suffix);
    else withPolicy.push(s.suffix);
  }
  if (refused.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(refused)}: the endpoint service supports no endpoint policy (VpcEndpointPolicySupported: false), but the stack attaches one, so creating the endpoint would fail`,
      fix: `set network.mode to "off" in ${ctx.configFile}; or set endpointPolicy.supported: false for ${list(refused)} in modules/config/network-facts.ts, so the stack attaches no policy there (${NETWORK_DOC})`,
    };
  }
  const none = without.length > 0 ? `; without a policy by design (AWS's full-access default): ${list(without)}` : "";
  return { id, status: "ok", message: `endpoint policies supported where the stack attaches one: ${list(withPolicy)}${none}` };
}
