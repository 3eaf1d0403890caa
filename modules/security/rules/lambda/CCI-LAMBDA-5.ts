import type { TerraformResource } from "cdktf";
import { type Attrs, asArray, blocks, isAttrs, type Rule, type RuleContext } from "../../rule";
import { isFunction } from "./helpers";

const ANY_IPV4 = "0.0.0.0/0";
const ANY_IPV6 = "::/0";
/** Route targets that lead out of the VPC to the internet. */
const INTERNET_TARGETS = ["gateway_id", "nat_gateway_id", "egress_only_gateway_id", "carrier_gateway_id"];

/** A route's problem, if it is a default route or goes to an internet, NAT or egress-only gateway (`local` is fine). */
function routeProblem(r: Attrs): string | undefined {
  if (r.destination_cidr_block === ANY_IPV4 || r.cidr_block === ANY_IPV4) return `a default route (${ANY_IPV4})`;
  if (r.destination_ipv6_cidr_block === ANY_IPV6 || r.ipv6_cidr_block === ANY_IPV6) return `a default route (${ANY_IPV6})`;
  const target = INTERNET_TARGETS.find((k) => {
    const to = r[k];
    return typeof to === "string" && to !== "" && to !== "local" && !/^vpce-|aws_vpc_endpoint\./.test(to);
  });
  return target ? `a route to ${r[target]} (${target})` : undefined;
}

/** Security group egress that allows any address. */
function openEgress(ctx: RuleContext, sg: TerraformResource): string[] {
  const out: string[] = [];
  for (const e of blocks(ctx.attrs(sg).egress)) {
    if (asArray(e.cidr_blocks).includes(ANY_IPV4) || asArray(e.ipv6_cidr_blocks).includes(ANY_IPV6)) out.push("an inline egress rule to any address");
  }
  for (const r of ctx.attachedTo("aws_vpc_security_group_egress_rule", "security_group_id", sg)) {
    const a = ctx.attrs(r);
    if (a.cidr_ipv4 === ANY_IPV4 || a.cidr_ipv6 === ANY_IPV6) out.push(`egress rule ${r.node.path} to any address`);
  }
  for (const r of ctx.attachedTo("aws_security_group_rule", "security_group_id", sg)) {
    const a = ctx.attrs(r);
    if (a.type === "egress" && (asArray(a.cidr_blocks).includes(ANY_IPV4) || asArray(a.ipv6_cidr_blocks).includes(ANY_IPV6)))
      out.push(`egress rule ${r.node.path} to any address`);
  }
  return out;
}

/**
 * CCI-LAMBDA-5: a function in a VPC has no way to the internet (guide §12 private networking, docs/network.md):
 * its subnets' route tables hold no default route and no route to an internet, NAT or egress-only gateway, its
 * subnets assign no public addresses, no internet or NAT gateway is in its VPC, and its security groups allow no
 * egress to any address. Checks what the stack defines; subnets and route tables given by id (`network.mode`
 * `existing`) are the owner's to keep private (docs/network.md, "Limits").
 */
export const lambdaNoInternetRoute: Rule = {
  id: "CCI-LAMBDA-5",
  rationale: "A function placed in a VPC for privacy reaches AWS only through endpoints, never the internet",
  reference: "Guide §12 (VPC endpoints); AWS FSBP Lambda.3, EC2.2",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    const vpc = ctx.attrs(node).vpc_config;
    const cfg = Array.isArray(vpc) ? vpc[0] : vpc;
    if (!isAttrs(cfg)) return [];
    const out: string[] = [];
    const subnetRefs = asArray(cfg.subnet_ids);
    const subnets = ctx.ofType("aws_subnet").filter((s) => subnetRefs.some((ref) => ctx.refersTo(ref, s)));
    const vpcRefs = new Set(subnets.map((s) => ctx.attrs(s).vpc_id));
    for (const s of subnets) {
      if (ctx.attrs(s).map_public_ip_on_launch === true) out.push(`subnet ${s.node.path} assigns public addresses`);
      for (const assoc of ctx.attachedTo("aws_route_table_association", "subnet_id", s)) {
        const tableRef = ctx.attrs(assoc).route_table_id;
        for (const table of ctx.ofType("aws_route_table").filter((t) => ctx.refersTo(tableRef, t))) {
          for (const r of blocks(ctx.attrs(table).route)) {
            const p = routeProblem(r);
            if (p) out.push(`route table ${table.node.path} of subnet ${s.node.path} has ${p}`);
          }
          for (const r of ctx.attachedTo("aws_route", "route_table_id", table)) {
            const p = routeProblem(ctx.attrs(r));
            if (p) out.push(`route ${r.node.path} in the route table of subnet ${s.node.path} is ${p}`);
          }
        }
      }
    }
    for (const type of ["aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway"]) {
      for (const g of ctx.ofType(type)) {
        const a = ctx.attrs(g);
        const inVpc = [...vpcRefs].some((v) => v === a.vpc_id) || subnets.some((s) => ctx.refersTo(a.subnet_id, s));
        if (inVpc) out.push(`${type} ${g.node.path} is in the function's VPC`);
      }
    }
    const sgRefs = asArray(cfg.security_group_ids);
    for (const sg of ctx.ofType("aws_security_group").filter((g) => sgRefs.some((ref) => ctx.refersTo(ref, g)))) {
      for (const p of openEgress(ctx, sg)) out.push(`security group ${sg.node.path} has ${p}`);
    }
    return out;
  },
};
