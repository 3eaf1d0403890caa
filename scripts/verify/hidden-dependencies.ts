/**
 * Proof 1: no hidden creation order (docs/security.md, "Proof: no hidden creation order").
 *
 * Names and ARNs are often written as strings so that policies are readable and known at plan time. Terraform
 * orders creation only by references (`${type.name.attr}`) and `depends_on`, so a string naming another resource
 * of the same stack is a dependency Terraform cannot see: the two may be created in either order, and AWS rejects
 * many such requests when the target does not exist yet (a metric filter on a missing log group, a principal that
 * does not exist yet in a resource policy, ...).
 *
 * `analyzeStack` works on one synthesized stack document (`cdk.tf.json`, parsed) and reports:
 * - rule "names-target": resource R's configuration contains a literal identity (name, ARN, URL) of another
 *   resource T, and there is no dependency path R → T (references and `depends_on`, transitively), unless the use
 *   is one of the few that AWS accepts before T exists (ALLOWED_USES);
 * - rule "delivery-needs-policy": R makes an AWS service deliver to T (alarm/budget → topic, event target →
 *   function/queue/topic, bucket notification → queue, trail → bucket), by literal or by reference, and there is
 *   no path from R to T's resource policy (topic/queue/bucket policy, Lambda permission), which the service needs.
 *
 * Pure: no AWS, no Terraform, no file access in `analyzeStack`. Tables are per resource type, so a new type is one line.
 * The tables: ./identities.ts (how each type is named), ./allowed-uses.ts (ALLOWED_USES), the deliveries below;
 * reading a stack document: ./stack-document.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CdktfManifest } from "../delivery/matrix";
import { ALLOWED_USES, fieldName, type Use } from "./allowed-uses";
import { type ArnContext, IDENTITY_RULES, type Identity, matches } from "./identities";
import { interpolations, literalPart, providerRegions, renderPath, type Resource, type StackDocument, type StringLeaf, stringLeaves } from "./stack-document";

export { ALLOWED_USES, type AllowedUse, fieldName, type Use } from "./allowed-uses";
export { type ArnContext, type FieldReader, IDENTITY_RULES, type Identity, type IdentityKind, type IdentityRule } from "./identities";
export type { StackDocument } from "./stack-document";

export type Rule = "names-target" | "delivery-needs-policy";

export interface Finding {
  /** The resource whose configuration names the other one: `<type>.<name>`. */
  readonly from: string;
  /** The resource it needs first: `<type>.<name>`. */
  readonly to: string;
  /** The string found (a literal identity, or for "delivery-needs-policy" the value naming the delivery target). */
  readonly literal: string;
  /** Where in `from`'s configuration; `field#Statement[0].Principal.AWS` goes into a JSON-encoded string. */
  readonly path: string;
  readonly rule: Rule;
  /** "delivery-needs-policy": the delivery target whose policy `to` is. */
  readonly via?: string;
}

export interface AnalyzeOptions {
  /** Account id for ARNs. @default the AWS provider's `allowed_account_ids[0]` */
  readonly account?: string;
  /** Region for ARNs. @default the AWS provider's `region` (per provider alias) */
  readonly region?: string;
  /** @default "aws" */
  readonly partition?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Deliveries: an AWS service writes to the target with the target's resource policy, so that policy comes first.
// ---------------------------------------------------------------------------------------------------------------

/** Fields (numeric indices dropped) through which a service delivers to another resource, by resource type. */
export const DELIVERY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  aws_budgets_budget: ["notification.subscriber_sns_topic_arns"],
  aws_cloudwatch_metric_alarm: ["alarm_actions", "ok_actions", "insufficient_data_actions"],
  aws_cloudwatch_event_target: ["arn", "dead_letter_config.arn"],
  aws_s3_bucket_notification: ["queue.queue_arn", "topic.topic_arn", "lambda_function.lambda_function_arn"],
  aws_cloudtrail: ["s3_bucket_name", "sns_topic_name"],
};

/** Resource policies and the attribute that attaches each to its resource. */
export const POLICY_ATTACHMENTS: Readonly<Record<string, string>> = {
  aws_sns_topic_policy: "arn",
  aws_sqs_queue_policy: "queue_url",
  aws_s3_bucket_policy: "bucket",
  aws_lambda_permission: "function_name",
};

// ---------------------------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------------------------

/** A literal use that an ALLOWED_USES entry accepts (reported by `analyze` so the allow-list can be reviewed). */
export interface AllowedFinding {
  readonly from: string;
  readonly to: string;
  readonly literal: string;
  readonly path: string;
  readonly allowedBy: string;
}

/** Analyzes one stack document. Returns every finding; an empty list is the proof. */
export function analyzeStack(doc: StackDocument, options: AnalyzeOptions = {}): Finding[] {
  return analyze(doc, options).findings;
}

/** `analyzeStack`, plus the literal uses the allow-list accepted. */
export function analyze(doc: StackDocument, options: AnalyzeOptions = {}): { findings: Finding[]; allowed: AllowedFinding[] } {
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [n, config] of Object.entries(byName ?? {})) resources.push({ type, name: n, address: `${type}.${n}`, config: config ?? {} });
  }
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const prov = providerRegions(doc);
  const account = options.account ?? prov.account;
  const partition = options.partition ?? "aws";
  if (!account) throw new Error("no account id: the AWS provider has no allowed_account_ids; pass options.account");
  const regionOf = (r: Resource): string => {
    const alias = typeof r.config.provider === "string" ? r.config.provider.replace(/^aws\./, "") : undefined;
    const region = options.region ?? (alias ? prov.byAlias[alias] : undefined) ?? prov.defaultRegion;
    if (!region) throw new Error(`no region for ${r.address}: the AWS provider has no region; pass options.region`);
    return region;
  };

  // References: ${type.name...} anywhere in a string, plus depends_on.
  const referencesIn = (s: string): string[] => {
    const found: string[] = [];
    for (const x of interpolations(s)) {
      for (const m of x.body.matchAll(/(?<![\w.])([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
        const address = `${m[1]}.${m[2]}`;
        if (byAddress.has(address)) found.push(address);
      }
    }
    return found;
  };
  const edges = new Map<string, Set<string>>();
  const leavesOf = new Map<string, StringLeaf[]>();
  for (const r of resources) {
    const out = new Set<string>();
    for (const d of (r.config.depends_on ?? []) as string[]) {
      const address = d.replace(/^\$\{(.*)\}$/, "$1");
      if (byAddress.has(address)) out.add(address);
    }
    const leaves: StringLeaf[] = [];
    stringLeaves(r.config, [], undefined, leaves);
    leavesOf.set(r.address, leaves);
    for (const leaf of leaves) for (const a of referencesIn(leaf.value)) out.add(a);
    out.delete(r.address);
    edges.set(r.address, out);
  }
  const leavesOfResource = (r: Resource): StringLeaf[] => {
    const leaves = leavesOf.get(r.address);
    if (!leaves) throw new Error(`no string leaves collected for ${r.address}`);
    return leaves;
  };
  const reachCache = new Map<string, Set<string>>();
  const reachable = (from: string): Set<string> => {
    let seen = reachCache.get(from);
    if (seen) return seen;
    seen = new Set<string>();
    const todo = [...(edges.get(from) ?? [])];
    for (let a = todo.pop(); a !== undefined; a = todo.pop()) {
      if (seen.has(a)) continue;
      seen.add(a);
      todo.push(...(edges.get(a) ?? []));
    }
    reachCache.set(from, seen);
    return seen;
  };

  // Identities, with attributes read through references (e.g. a table's database_name).
  const read = (r: Resource, field: string, depth = 0): string | undefined => {
    const v = r.config[field];
    if (typeof v !== "string") return undefined;
    const xs = interpolations(v);
    if (xs.length === 0) return v;
    const m = /^\$\{([a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)\.([a-z_]+)\}$/.exec(v);
    const target = m ? byAddress.get(m[1]) : undefined;
    return m && target && depth < 5 ? read(target, m[2], depth + 1) : undefined;
  };
  const identities: { address: string; id: Identity }[] = [];
  for (const r of resources) {
    const rule = IDENTITY_RULES[r.type];
    if (!rule) continue;
    const ctx: ArnContext = { partition, region: regionOf(r), account };
    for (const id of rule.ids((f) => read(r, f), ctx)) if (id) identities.push({ address: r.address, id });
  }

  const findings: Finding[] = [];
  const allowed: AllowedFinding[] = [];
  const seenFinding = new Set<string>();
  const add = (f: Finding) => {
    const key = `${f.rule}|${f.from}|${f.to}|${f.path}`;
    if (!seenFinding.has(key)) {
      seenFinding.add(key);
      findings.push(f);
    }
  };

  // Rule "names-target".
  for (const r of resources) {
    const own = new Set(IDENTITY_RULES[r.type]?.own ?? []);
    for (const leaf of leavesOfResource(r)) {
      if (!leaf.jsonPath && leaf.configPath.length === 1 && own.has(leaf.configPath[0] as string)) continue;
      const literal = literalPart(leaf.value);
      for (const { address, id } of identities) {
        if (address === r.address || !matches(literal, id)) continue;
        if (reachable(r.address).has(address)) continue;
        const use: Use = { fromType: r.type, configPath: leaf.configPath, jsonPath: leaf.jsonPath };
        const allowedBy = ALLOWED_USES.find((a) => a.matches(use));
        if (allowedBy) {
          allowed.push({ from: r.address, to: address, literal: leaf.value, path: renderPath(leaf.configPath, leaf.jsonPath), allowedBy: allowedBy.id });
          continue;
        }
        add({ from: r.address, to: address, literal: leaf.value, path: renderPath(leaf.configPath, leaf.jsonPath), rule: "names-target" });
      }
    }
  }

  // Rule "delivery-needs-policy".
  const policiesOf = (target: string): string[] => {
    const ids = identities.filter((i) => i.address === target).map((i) => i.id);
    return resources
      .filter((p) => POLICY_ATTACHMENTS[p.type])
      .filter((p) => {
        const v = p.config[POLICY_ATTACHMENTS[p.type]];
        if (typeof v !== "string") return false;
        return referencesIn(v).includes(target) || ids.some((id) => matches(literalPart(v), id));
      })
      .map((p) => p.address);
  };
  for (const r of resources) {
    const fields = DELIVERY_FIELDS[r.type];
    if (!fields) continue;
    for (const leaf of leavesOfResource(r)) {
      if (leaf.jsonPath || !fields.includes(fieldName(leaf.configPath))) continue;
      const literal = literalPart(leaf.value);
      const targets = new Set([...referencesIn(leaf.value), ...identities.filter((i) => matches(literal, i.id)).map((i) => i.address)]);
      targets.delete(r.address);
      for (const target of targets) {
        for (const policy of policiesOf(target)) {
          if (policy === r.address || reachable(r.address).has(policy)) continue;
          add({ from: r.address, to: policy, literal: leaf.value, path: renderPath(leaf.configPath), rule: "delivery-needs-policy", via: target });
        }
      }
    }
  }
  return { findings, allowed };
}

/** One line per (rule, from, to), listing where and what, for test failures and the command line. */
export function formatFindings(findings: readonly Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.rule}|${f.from}|${f.to}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()]
    .map((fs) => {
      const f = fs[0];
      const what = f.rule === "names-target" ? `names ${f.to} without a dependency on it` : `delivers to ${f.via} before its policy ${f.to} exists`;
      const literals = new Set(fs.map((x) => x.literal));
      const where =
        literals.size === 1
          ? `${fs.map((x) => x.path).join(", ")} = ${JSON.stringify(f.literal)}`
          : fs.map((x) => `${x.path} = ${JSON.stringify(x.literal)}`).join(", ");
      return `${f.from} ${what}: ${where}`;
    })
    .join("\n");
}

/** Runs the analysis on every stack of a synthesized app (`cdktf.out/`, or any `App` outdir). */
export function verifySynthOutput(outdir: string): { stack: string; findings: Finding[] }[] {
  const manifest: CdktfManifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  return Object.entries(manifest.stacks).map(([stack, s]) => ({
    stack,
    findings: analyzeStack(JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8"))),
  }));
}

if (require.main === module) {
  // npx tsx scripts/verify/hidden-dependencies.ts [cdktf.out]   (after `npm run synth`); exit code 1 on findings.
  let total = 0;
  for (const { stack, findings } of verifySynthOutput(process.argv[2] ?? "cdktf.out")) {
    total += findings.length;
    console.log(`${stack}: ${findings.length} finding(s)${findings.length ? `\n${formatFindings(findings).replace(/^/gm, "  ")}` : ""}`);
  }
  process.exit(total ? 1 : 0);
}
