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
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CdktfManifest } from "../delivery/matrix";

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

/** A parsed `cdk.tf.json` (only the parts the analysis reads). */
export interface StackDocument {
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
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
// Identities: how each resource type is named by others. One entry per type.
// ---------------------------------------------------------------------------------------------------------------

export type IdentityKind = "name" | "arn" | "url";

export interface Identity {
  readonly value: string;
  /**
   * "name": matches a string equal to it. "arn" / "url": also matches as a prefix followed by `/`, `:` or `*`
   * (object ARNs, log-stream ARNs, wildcards).
   */
  readonly kind: IdentityKind;
}

export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Reads a configured attribute as a literal (following `${type.name.attr}` to the referenced resource). */
export type FieldReader = (field: string) => string | undefined;

export interface IdentityRule {
  /** Top-level fields that name the resource itself (not scanned in its own configuration). */
  readonly own: readonly string[];
  readonly ids: (get: FieldReader, c: ArnContext) => (Identity | undefined)[];
}

const name = (v?: string): Identity | undefined => (v ? { value: v, kind: "name" } : undefined);
const arn = (v?: string | false): Identity | undefined => (v ? { value: v, kind: "arn" } : undefined);
const url = (v?: string | false): Identity | undefined => (v ? { value: v, kind: "url" } : undefined);
/** `/` for an unset IAM path. */
const iamPath = (p?: string) => (p && p !== "" ? p : "/");

export const IDENTITY_RULES: Readonly<Record<string, IdentityRule>> = {
  aws_s3_bucket: {
    own: ["bucket"],
    ids: (g, c) => [name(g("bucket")), arn(g("bucket") && `arn:${c.partition}:s3:::${g("bucket")}`), url(g("bucket") && `s3://${g("bucket")}`)],
  },
  aws_s3_access_point: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:s3:${c.region}:${g("account_id") ?? c.account}:accesspoint/${g("name")}`)],
  },
  aws_sqs_queue: {
    own: ["name"],
    ids: (g, c) => [
      name(g("name")),
      arn(g("name") && `arn:${c.partition}:sqs:${c.region}:${c.account}:${g("name")}`),
      url(g("name") && `https://sqs.${c.region}.amazonaws.com/${c.account}/${g("name")}`),
    ],
  },
  aws_sns_topic: { own: ["name"], ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:sns:${c.region}:${c.account}:${g("name")}`)] },
  aws_cloudwatch_log_group: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:${g("name")}`)],
  },
  aws_lambda_function: {
    own: ["function_name"],
    ids: (g, c) => [name(g("function_name")), arn(g("function_name") && `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${g("function_name")}`)],
  },
  aws_cloudwatch_event_rule: {
    own: ["name"],
    ids: (g, c) => {
      const bus = g("event_bus_name");
      const rulePath = bus && bus !== "default" ? `${bus}/${g("name")}` : g("name");
      return [name(g("name")), arn(g("name") && `arn:${c.partition}:events:${c.region}:${c.account}:rule/${rulePath}`)];
    },
  },
  aws_cloudwatch_metric_alarm: {
    own: ["alarm_name"],
    ids: (g, c) => [arn(g("alarm_name") && `arn:${c.partition}:cloudwatch:${c.region}:${c.account}:alarm:${g("alarm_name")}`)],
  },
  aws_iam_role: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:iam::${c.account}:role${iamPath(g("path"))}${g("name")}`)],
  },
  aws_iam_user: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:iam::${c.account}:user${iamPath(g("path"))}${g("name")}`)],
  },
  aws_iam_group: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:group${iamPath(g("path"))}${g("name")}`)] },
  aws_iam_policy: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:policy${iamPath(g("path"))}${g("name")}`)] },
  aws_iam_openid_connect_provider: {
    own: ["url"],
    ids: (g, c) => {
      const url = g("url");
      return [arn(url && `arn:${c.partition}:iam::${c.account}:oidc-provider/${url.replace(/^https:\/\//, "")}`)];
    },
  },
  aws_iam_saml_provider: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:saml-provider/${g("name")}`)] },
  aws_kms_alias: { own: ["name"], ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:kms:${c.region}:${c.account}:${g("name")}`)] },
  aws_athena_workgroup: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:athena:${c.region}:${c.account}:workgroup/${g("name")}`)],
  },
  aws_glue_catalog_database: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:glue:${c.region}:${g("catalog_id") ?? c.account}:database/${g("name")}`)],
  },
  aws_glue_catalog_table: {
    own: ["name"],
    ids: (g, c) => [
      name(g("name")),
      arn(g("name") && g("database_name") && `arn:${c.partition}:glue:${c.region}:${g("catalog_id") ?? c.account}:table/${g("database_name")}/${g("name")}`),
    ],
  },
  aws_glue_crawler: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:glue:${c.region}:${c.account}:crawler/${g("name")}`)],
  },
  aws_ssm_parameter: {
    own: ["name"],
    ids: (g, c) => {
      const n = g("name");
      return [name(n), arn(n && `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter/${n.replace(/^\//, "")}`)];
    },
  },
  aws_quicksight_data_source: {
    own: ["data_source_id"],
    ids: (g, c) => [
      name(g("data_source_id")),
      arn(g("data_source_id") && `arn:${c.partition}:quicksight:${c.region}:${g("aws_account_id") ?? c.account}:datasource/${g("data_source_id")}`),
    ],
  },
  aws_quicksight_data_set: {
    own: ["data_set_id"],
    ids: (g, c) => [arn(g("data_set_id") && `arn:${c.partition}:quicksight:${c.region}:${g("aws_account_id") ?? c.account}:dataset/${g("data_set_id")}`)],
  },
  aws_cloudtrail: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:cloudtrail:${c.region}:${c.account}:trail/${g("name")}`)],
  },
  aws_dynamodb_table: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:dynamodb:${c.region}:${c.account}:table/${g("name")}`)],
  },
  aws_sfn_state_machine: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:states:${c.region}:${c.account}:stateMachine:${g("name")}`)],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Allowed uses: the short list of places where AWS accepts a name before the named resource exists.
// ---------------------------------------------------------------------------------------------------------------

/** Where a string was found. */
export interface Use {
  readonly fromType: string;
  /** Path in the resource configuration, numeric indices included (e.g. ["notification", 0, "subscriber_sns_topic_arns", 0]). */
  readonly configPath: readonly (string | number)[];
  /** For a string inside a JSON-encoded attribute: the path inside the parsed JSON. */
  readonly jsonPath?: readonly (string | number)[];
}

export interface AllowedUse {
  readonly id: string;
  readonly where: string;
  readonly reason: string;
  readonly doc: string;
  readonly matches: (use: Use) => boolean;
}

/** Attributes holding identity policies (attached to a principal), by resource type. */
const IDENTITY_POLICY_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role_policy: "policy",
  aws_iam_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
  aws_iam_role: "inline_policy.policy",
};

/** Drops numeric indices: ["notification", 0, "x"] → "notification.x". */
export function fieldName(path: readonly (string | number)[]): string {
  return path.filter((p) => typeof p === "string").join(".");
}

/** The statement element (`Resource`, `Principal`, `Condition`, ...) a JSON path points into, if any. */
function statementElement(jsonPath?: readonly (string | number)[]): string | undefined {
  if (jsonPath?.[0] !== "Statement") return undefined;
  const at = typeof jsonPath[1] === "number" ? 2 : 1;
  return typeof jsonPath[at] === "string" ? (jsonPath[at] as string) : undefined;
}

export const ALLOWED_USES: readonly AllowedUse[] = [
  {
    id: "identity-policy-resource",
    where:
      "Statement[].Resource / NotResource of an identity policy (aws_iam_role_policy, aws_iam_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role inline_policy)",
    reason:
      "IAM stores an identity policy without resolving its resource ARNs (they are patterns matched per request); the permission simply applies once the resource exists",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
    matches: (u) =>
      IDENTITY_POLICY_ATTRIBUTES[u.fromType] === fieldName(u.configPath) && ["Resource", "NotResource"].includes(statementElement(u.jsonPath) ?? ""),
  },
  {
    id: "endpoint-policy-resource",
    where: "Statement[].Resource of a VPC endpoint policy (aws_vpc_endpoint.policy)",
    reason:
      "an endpoint policy is evaluated per request like an identity policy's resource patterns; EC2 stores it without resolving the resources it names (the functions that use the endpoint, and the resources they reach, are created after it)",
    doc: "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
    matches: (u) => u.fromType === "aws_vpc_endpoint" && fieldName(u.configPath) === "policy" && statementElement(u.jsonPath) === "Resource",
  },
  {
    id: "policy-condition-value",
    where: "Statement[].Condition values of any policy document (aws:PrincipalArn, aws:SourceArn, kms:EncryptionContext:*, kms:ResourceAliases, ...)",
    reason: "condition values are strings compared with the request context when a request is evaluated; no service checks that they name an existing resource",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
    matches: (u) => statementElement(u.jsonPath) === "Condition",
  },
  {
    id: "lambda-permission-source",
    where: "aws_lambda_permission.source_arn / source_account",
    reason: "Lambda writes it into the function policy as an AWS:SourceArn / AWS:SourceAccount condition, evaluated when the service invokes",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html",
    matches: (u) => u.fromType === "aws_lambda_permission" && ["source_arn", "source_account"].includes(fieldName(u.configPath)),
  },
  {
    id: "lambda-environment",
    where: "aws_lambda_function.environment.variables.*",
    reason: "environment variables are opaque strings to Lambda; the code uses them only when invoked, after the apply",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
    matches: (u) => u.fromType === "aws_lambda_function" && fieldName(u.configPath).startsWith("environment.variables."),
  },
  {
    id: "metric-dimensions",
    where: "aws_cloudwatch_metric_alarm dimensions (and metric_query[].metric.dimensions)",
    reason:
      "a metric is identified by namespace, name and dimensions, not by a resource; an alarm on a metric with no data yet is created in INSUFFICIENT_DATA",
    doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    matches: (u) => u.fromType === "aws_cloudwatch_metric_alarm" && /^(dimensions|metric_query\.metric\.dimensions)\./.test(fieldName(u.configPath)),
  },
];

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

/** Keys that are Terraform meta-arguments or cdktf metadata, not configuration sent to AWS. */
const META_KEYS = new Set(["//", "depends_on", "provider", "lifecycle", "count", "for_each", "provisioner", "connection"]);

interface Resource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly config: Record<string, unknown>;
}

interface StringLeaf {
  readonly value: string;
  readonly configPath: (string | number)[];
  readonly jsonPath?: (string | number)[];
}

/** `${...}` blocks of a Terraform string (balanced braces; `$${` is an escaped literal). */
function interpolations(s: string): { start: number; end: number; body: string }[] {
  const out: { start: number; end: number; body: string }[] = [];
  for (let i = 0; i < s.length - 1; i++) {
    if (s[i] !== "$" || s[i + 1] !== "{") continue;
    if (i > 0 && s[i - 1] === "$") continue; // $${ → literal
    let depth = 0;
    let j = i + 1;
    for (; j < s.length; j++) {
      if (s[j] === "{") depth++;
      else if (s[j] === "}" && --depth === 0) break;
    }
    out.push({ start: i, end: j, body: s.slice(i + 2, j) });
    i = j;
  }
  return out;
}

/** The string with interpolations replaced by a character no identity contains. */
function literalPart(s: string): string {
  let out = "";
  let at = 0;
  for (const x of interpolations(s)) {
    out += `${s.slice(at, x.start)}\u0000`;
    at = x.end + 1;
  }
  return out + s.slice(at);
}

/** Every string leaf of a configuration; JSON-encoded objects/arrays are parsed and walked too. */
function stringLeaves(value: unknown, configPath: (string | number)[], jsonPath: (string | number)[] | undefined, out: StringLeaf[]): void {
  if (typeof value === "string") {
    const t = value.trim();
    if (!jsonPath && (t.startsWith("{") || t.startsWith("["))) {
      try {
        const parsed = JSON.parse(t);
        if (parsed && typeof parsed === "object") {
          stringLeaves(parsed, configPath, [], out);
          return;
        }
      } catch {
        /* not JSON: scan as a string */
      }
    }
    out.push({ value, configPath, jsonPath });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (jsonPath) stringLeaves(v, configPath, [...jsonPath, i], out);
      else stringLeaves(v, [...configPath, i], undefined, out);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!jsonPath && configPath.length === 0 && META_KEYS.has(k)) continue;
      if (jsonPath) stringLeaves(v, configPath, [...jsonPath, k], out);
      else stringLeaves(v, [...configPath, k], undefined, out);
    }
  }
}

function renderPath(configPath: readonly (string | number)[], jsonPath?: readonly (string | number)[]): string {
  const render = (p: readonly (string | number)[]) => p.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
  return jsonPath ? `${render(configPath)}#${render(jsonPath)}` : render(configPath);
}

function matches(s: string, id: Identity): boolean {
  if (s === id.value) return true;
  if (id.kind === "name" || !s.startsWith(id.value)) return false;
  return "/:*".includes(s[id.value.length]);
}

/** An `aws` provider block of a parsed `cdk.tf.json` (the fields read here). */
interface AwsProviderBlock {
  readonly alias?: string;
  readonly region?: string;
  readonly allowed_account_ids?: readonly string[];
}

function providerRegions(doc: StackDocument): { defaultRegion?: string; account?: string; byAlias: Record<string, string> } {
  const raw = doc.provider?.aws;
  const blocks = (Array.isArray(raw) ? raw : raw ? [raw] : []) as AwsProviderBlock[];
  const byAlias: Record<string, string> = {};
  let defaultRegion: string | undefined;
  let account: string | undefined;
  for (const b of blocks) {
    if (b.alias) {
      if (b.region) byAlias[b.alias] = b.region;
    } else {
      defaultRegion = b.region;
      account = b.allowed_account_ids?.[0];
    }
    account ??= b.allowed_account_ids?.[0];
  }
  return { defaultRegion, account, byAlias };
}

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
