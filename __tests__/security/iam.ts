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
  /** Bucket, access point, key or trust policy. */
  readonly resourcePolicy?: Policy;
  readonly context?: Record<string, string | string[]>;
}

/** Context every request over TLS carries; callers override. */
const BASE_CONTEXT = (principal: string): Record<string, string | string[]> => ({
  "aws:SecureTransport": "true",
  "aws:PrincipalArn": principal,
  "aws:PrincipalAccount": ACCOUNT,
});

export async function simulate(r: Request): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: ACCOUNT },
      contextVariables: { ...BASE_CONTEXT(r.principal), ...(r.context ?? {}) },
    },
    identityPolicies: (r.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: r.resourcePolicy,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") throw new Error(`simulation input rejected: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== "single") throw new Error(`expected one resource, got ${result.resultType}`);
  const ignored = result.result.ignoredContextKeys ?? [];
  const meant = Object.keys(r.context ?? {}).filter((k) => ignored.includes(k));
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
