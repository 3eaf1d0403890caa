/**
 * The creatability proof's machinery (issue 20): the requests an apply of a synthesized stack makes
 * (modules/bootstrap/resource-actions.ts, ARNs from the synthesized resources) and their simulation against the apply
 * role's policy and the permission boundary of the bootstrap stack synthesized from the same configuration.
 */
import { TERRAFORM_BUILTIN_TYPES } from "../../modules/bootstrap/apply-access";
import { ENVIRONMENT_TAG_KEY, PROJECT_TAG } from "../../modules/bootstrap/environment-scope";
import { type ArnParts, type AttributeReader, CRUD_PHASES, type CrudPhase, RESOURCE_ACTIONS } from "../../modules/bootstrap/resource-actions";
import { peopleAttachments } from "../../modules/config/people-policies";
import type { SynthesizedMode } from "../helpers/modes";
import { actionFacts, type Decision, type Policy, simulate } from "./iam";

export interface StackResource {
  readonly type: string;
  readonly id: string;
  readonly address: string;
  readonly config: Record<string, any>;
}

export const resourcesOf = (doc: any): StackResource[] =>
  Object.entries<Record<string, any>>(doc.resource ?? {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, config]) => ({ type, id, address: `${type}.${id}`, config })),
  );

const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/** Reads attributes as literals, following `${type.id.attr}` to the referenced resource (its name, or its ARN). */
export function attributeReader(doc: any, c: ArnParts, config: Record<string, any>, depth = 0): AttributeReader {
  return (field) => {
    const v = config[field];
    if (typeof v !== "string") return undefined;
    const m = REFERENCE.exec(v);
    if (!m) return v.includes("${") ? undefined : v;
    const [, type, id, attr] = m;
    const target = doc.resource?.[type]?.[id];
    if (!target || depth > 4) return undefined;
    const get = attributeReader(doc, c, target, depth + 1);
    if (attr === "arn") {
      const row = RESOURCE_ACTIONS[type];
      const arn = row?.arn(get, c);
      return arn && !arn.endsWith("/*") && !arn.endsWith(":*") ? arn : undefined;
    }
    if (attr === "name" || attr === "id") return get("name") ?? get("bucket") ?? get("function_name");
    return get(attr);
  };
}

export interface ApplyRequest {
  readonly mode: string;
  readonly address: string;
  readonly phase: CrudPhase;
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string>>;
  /** A resource policy IAM evaluates with the request (the key policy for the key's own actions). */
  readonly resourcePolicy?: Policy;
}

/** The account, region and partition of a synthesized stack (its provider block). */
export function arnParts(m: SynthesizedMode): ArnParts {
  return { partition: "aws", region: m.config.region, account: m.config.accountId };
}

/** Every request an apply of the mode's application stack makes, per resource and phase. */
export function applyRequests(m: SynthesizedMode, boundaryArn: string): ApplyRequest[] {
  const c = arnParts(m);
  const resources = resourcesOf(m.app);
  // Roles the stack creates carry the boundary: IAM sees it as iam:PermissionsBoundary on requests naming them.
  const bounded = new Set(
    resources
      .filter((r) => r.type === "aws_iam_role" && r.config.permissions_boundary)
      .map((r) => RESOURCE_ACTIONS.aws_iam_role.arn(attributeReader(m.app, c, r.config), c)),
  );
  // A role outside the stack is named in an attachment by its name only; IAM authorizes on its ARN, path included.
  const outside = new Map(
    peopleAttachments(m.config, `${m.config.namePrefix}-${m.config.environment}`).flatMap((a) => a.roleArns.map((r) => [r.split("/").pop(), r])),
  );
  const out: ApplyRequest[] = [];
  for (const r of resources.filter((x) => !TERRAFORM_BUILTIN_TYPES.has(x.type))) {
    const row = RESOURCE_ACTIONS[r.type];
    if (!row) throw new Error(`${r.address}: no row in RESOURCE_ACTIONS (modules/bootstrap/resource-actions.ts) for ${r.type}`);
    const get = attributeReader(m.app, c, r.config);
    const named = r.type === "aws_iam_role_policy_attachment" ? outside.get(get("role")) : undefined;
    const arn = named ?? row.arn(get, c);
    const rowContext = row.context?.(get) ?? {};
    const resourcePolicy = r.type === "aws_kms_key" && typeof r.config.policy === "string" ? (JSON.parse(r.config.policy) as Policy) : undefined;
    const add = (phase: CrudPhase, action: string, resource: string, context: Record<string, string>) => {
      const withBoundary: Record<string, string> = bounded.has(resource) && action.startsWith("iam:") ? { "iam:PermissionsBoundary": boundaryArn } : {};
      out.push({ mode: m.name, address: r.address, phase, action, resource, context: { ...withBoundary, ...context }, resourcePolicy });
    };
    // The provider's default tags (main.ts awsProvider): sent with every create, carried by the resource afterwards.
    const tags = (kind: "RequestTag" | "ResourceTag") => ({
      [`aws:${kind}/${PROJECT_TAG.key}`]: PROJECT_TAG.value,
      [`aws:${kind}/${ENVIRONMENT_TAG_KEY}`]: m.config.environment,
    });
    for (const phase of CRUD_PHASES)
      for (const action of row[phase] ?? []) add(phase, action, arn, { ...tags(phase === "create" ? "RequestTag" : "ResourceTag"), ...rowContext });
    for (const extra of row.also?.(get, c, r.config) ?? []) add("create", extra.action, extra.resource ?? arn, { ...(extra.context ?? {}) });
  }
  // aws_iam_role creates with its boundary.
  return out.map((q) =>
    q.address.startsWith("aws_iam_role.") && ["iam:CreateRole", "iam:PutRolePermissionsBoundary"].includes(q.action)
      ? { ...q, context: { ...q.context, "iam:PermissionsBoundary": boundaryArn } }
      : q,
  );
}

export interface ApplyPrincipal {
  readonly arn: string;
  readonly identity: readonly Policy[];
  readonly boundary: Policy;
}

/** The mode's apply role (bootstrap stack of the same configuration): its policy and the boundary it carries. */
export function applyPrincipal(m: SynthesizedMode, boundary = boundaryPolicy(m)): ApplyPrincipal {
  const name = `${m.config.namePrefix}-github-apply-${m.config.environment}`;
  const policies = resourcesOf(m.bootstrap).filter((r) => r.type === "aws_iam_role_policy" && r.config.name === "apply-app-stack");
  if (policies.length !== 1) throw new Error(`expected one apply-app-stack policy in bootstrap, found ${policies.length}`);
  return { arn: `arn:aws:iam::${m.config.accountId}:role/${name}`, identity: [JSON.parse(policies[0].config.policy)], boundary };
}

export function boundaryPolicy(m: SynthesizedMode): Policy {
  const b = resourcesOf(m.bootstrap).find((r) => r.type === "aws_iam_policy" && r.config.name === `${m.config.namePrefix}-delivery-boundary`);
  if (!b) throw new Error("no delivery boundary in bootstrap");
  return JSON.parse(b.config.policy);
}

const patternRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split(/\$\{[^}]+\}/)
      .map((p) => p.replace(/[.*+?^()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/**
 * The ARN as IAM authorizes it: the resource's own ARN when it is of a resource type of the action, else (an action
 * authorized on another type, e.g. quicksight:CreateDataSet on the data source) that type's ARN with `*` for its
 * names, in the resource's partition, region and account.
 */
function authorizedOn(arn: string, patterns: readonly string[]): string {
  if (arn === "*" || patterns.some((p) => patternRegex(p).test(arn))) return arn;
  const [, partition, , region, account] = arn.split(":");
  return patterns[0]
    .replace("${Partition}", partition)
    .replace("${Region}", region)
    .replace("${Account}", account)
    .replace(/\$\{[^}]+\}/g, "*");
}

/** Simulates a request; when denied, names what denies it: the apply role's policy, the boundary, or both. */
export async function decide(p: ApplyPrincipal, q: ApplyRequest): Promise<string | undefined> {
  // Only the condition keys the action can carry (the simulator rejects others); `*` for actions that take nothing else.
  const facts = await actionFacts(q.action);
  // Tag keys only where the action's authorization takes them (the default tags ride on every request otherwise).
  const takes = (k: string) => facts.conditionKeys.has(k.toLowerCase()) || facts.conditionKeys.has(k.toLowerCase().replace(/\/.*$/, "/${tagkey}"));
  const isTag = (k: string) => /^aws:(RequestTag|ResourceTag)\//.test(k);
  const context = Object.fromEntries(Object.entries(q.context).filter(([k]) => (isTag(k) ? takes(k) : k.startsWith("aws:") || takes(k))));
  const resource = facts.wildcardOnly ? "*" : authorizedOn(q.resource, facts.arnPatterns);
  const base = { principal: p.arn, action: q.action, resource, context, resourcePolicy: q.resourcePolicy, allowWildcard: resource.includes("*") };
  const decision: Decision = await simulate({ ...base, identity: p.identity, boundary: p.boundary }).catch((e: Error) => {
    throw new Error(`${q.address} ${q.action} on ${resource}: ${e.message}`);
  });
  if (decision === "Allowed") return undefined;
  const byPolicy = (await simulate({ ...base, identity: p.identity })) !== "Allowed";
  const byBoundary = (await simulate({ ...base, identity: [p.boundary] })) !== "Allowed";
  const who = [byPolicy && "the apply role's policy", byBoundary && "the permission boundary"].filter(Boolean).join(" and ") || "the key policy";
  const ctx = Object.keys(context).length
    ? ` (${Object.entries(context)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")})`
    : "";
  return `mode ${q.mode}: ${q.address} ${q.phase} needs ${q.action} on ${resource}${ctx}: ${decision} by ${who}`;
}

/** Decisions by principal policies and request, across modes: modes of one environment share most requests. */
const decided = new Map<string, Promise<string | undefined>>();
/** How many distinct requests were simulated so far (in this test file). */
export const distinctSimulations = (): number => decided.size;

/** Simulates every request once (requests equal in policies, action, resource, context and resource policy are one). */
export async function undeniable(p: ApplyPrincipal, requests: readonly ApplyRequest[]): Promise<{ problems: string[]; simulated: number }> {
  const policies = JSON.stringify([p.arn, p.identity, p.boundary]);
  const mine = new Map<string, Promise<string | undefined>>();
  for (const q of requests) {
    const key = JSON.stringify([policies, q.action, q.resource, q.context, q.resourcePolicy ?? null]);
    if (mine.has(key)) continue;
    const earlier = decided.get(key);
    // A cached decision names the mode it was first found in: re-word it for this one.
    const decision = earlier ? earlier.then((m) => m?.replace(/^mode \S+: \S+ \S+/, `mode ${q.mode}: ${q.address} ${q.phase}`)) : decide(p, q);
    if (!earlier) decided.set(key, decision);
    mine.set(key, decision);
  }
  const problems = (await Promise.all(mine.values())).filter((x): x is string => x !== undefined);
  return { problems, simulated: mine.size };
}
