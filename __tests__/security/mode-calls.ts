/**
 * The simulation of mode-calls.test.ts: the functions' runtime calls (lambda-src/contracts/aws-calls.ts) in every
 * mode of the configuration matrix (modules/config/modes.ts; issue 20), on each mode's synthesized stack
 * (helpers/modes.ts, synthesized once per process and shared with the other matrix suites). Every action of every call a handler makes in that mode (a
 * call turned on by a setting only when the mode turns it on), on the table's example of its resource
 * (./call-examples.ts), must be allowed to the function's role:
 *  - by the role's own policy;
 *  - for S3, by the bucket's policy (TLS, the encryption the functions send, and in a VPC the deny outside the S3
 *    endpoint);
 *  - in a VPC (`network.mode` create or existing), by the policy of the endpoint the call goes through (the S3
 *    gateway endpoint, or the client's interface endpoint), with `aws:SourceVpce` of that endpoint: for the
 *    client's own actions (an `iam:PassRole` is authorized inside AWS, not at the endpoint).
 * A failure names the mode, the function, the call, the action and which policy refused it.
 * (The requests AWS services and people make on their own, Proof 2, are mode-service-requests.test.ts in every mode
 * and service-requests.test.ts on the prod plan.)
 */
import { AWS_CALLS, type AwsCall, type AwsClient, iamPrefix } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import type { ModeName } from "../../modules/config/modes";
import { naming } from "../../modules/config/naming";
import type { SynthesizedMode } from "../helpers/modes";
import { callExample } from "./call-examples";
import { type Decision, type Policy, simulate } from "./iam";

/** The id the S3 gateway endpoint is simulated with (its reference in the bucket policies is replaced by it). */
export const VPCE = "vpce-0a1b2c3d4e5f67890";
const KEY_ARN_REF = /\$\{aws_kms_key\.[A-Za-z0-9_-]+\.arn\}/g;

/** What one mode's function calls are checked against. */
export interface CallPolicies {
  readonly mode: ModeName;
  readonly roles: Record<HandlerName, Policy>;
  /** The two buckets' policies, by bucket ARN. */
  readonly buckets: Record<string, Policy>;
  /** By client: the endpoint's policy (`null`: the endpoint has none); absent without a network. */
  readonly endpoints?: Partial<Record<AwsClient, Policy | null>>;
  /** The key ARN the functions name in their uploads (the stack's key, as AWS will name it). */
  readonly keyArn: string;
}

function resolve(text: string, refs: Record<string, string>, what: string): Policy {
  let out = text;
  for (const [ref, value] of Object.entries(refs)) out = out.split(ref).join(value);
  if (out.includes("${")) throw new Error(`${what} has unresolved references: ${text}`);
  return JSON.parse(out);
}

export function callPolicies(m: SynthesizedMode): CallPolicies {
  const { region, accountId } = m.config;
  const keyArn = `arn:aws:kms:${region}:${accountId}:key/0b5e5a0e-0000-4000-8000-000000000000`;
  const res = (type: string): Record<string, any> => m.app.resource[type] ?? {};
  const endpoints = Object.entries(res("aws_vpc_endpoint"));
  const s3 = endpoints.find(([, e]) => e.vpc_endpoint_type === "Gateway");
  const refs: Record<string, string> = { ...(s3 ? { [`\${aws_vpc_endpoint.${s3[0]}.id}`]: VPCE } : {}) };
  const withKey = (text: string, what: string) => resolve(text.replace(KEY_ARN_REF, keyArn), refs, what);
  const one = (type: string, part: string) => {
    const found = Object.entries(res(type)).filter(([id]) => id.includes(part));
    if (found.length !== 1) throw new Error(`mode ${m.name}: expected one ${type} matching ${part}, found ${found.length}`);
    return found[0][1];
  };
  const roles = Object.fromEntries(
    HANDLER_NAMES.map((h) => [h, withKey(one("aws_iam_role_policy", `functions_${h}_role_policy`).policy, `mode ${m.name}: ${h} role policy`)]),
  ) as Record<HandlerName, Policy>;
  const n = naming(m.config);
  const buckets = {
    [n.inputBucketArn]: withKey(one("aws_s3_bucket_policy", "storage_input").policy, `mode ${m.name}: input bucket policy`),
    [n.resultsBucketArn]: withKey(one("aws_s3_bucket_policy", "storage_results").policy, `mode ${m.name}: results bucket policy`),
  };
  if (endpoints.length === 0) return { mode: m.name, roles, buckets, keyArn };
  const byClient: Partial<Record<AwsClient, Policy | null>> = {};
  for (const [id, e] of endpoints) {
    const client = String(e.service_name).replace(/^com\.amazonaws\.[a-z0-9-]+\./, "") as AwsClient;
    byClient[client] = e.policy === undefined ? null : withKey(e.policy, `mode ${m.name}: endpoint ${id} policy`);
  }
  return { mode: m.name, roles, buckets, endpoints: byClient, keyArn };
}

/** The calls a handler makes with this configuration's settings. */
const callsOf = (m: SynthesizedMode, h: HandlerName): AwsCall[] => AWS_CALLS[h].filter((c) => !c.when || m.config.processing[c.when]);

/** Every call of every function in the mode; problems name mode, function, call, action, resource and the policy. */
export async function callProblems(m: SynthesizedMode, p: CallPolicies = callPolicies(m)): Promise<{ problems: string[]; simulated: number }> {
  const problems: string[] = [];
  let simulated = 0;
  const stem = naming(m.config).stem;
  for (const h of HANDLER_NAMES) {
    const principal = `arn:aws:iam::${m.config.accountId}:role/${stem}-${h}-fn`;
    for (const c of callsOf(m, h)) {
      for (const action of c.actions) {
        const at = callExample(c.resource, action, m.config);
        const bucket = c.client === "s3" ? Object.keys(p.buckets).find((b) => at.resource === b || at.resource.startsWith(`${b}/`)) : undefined;
        if (c.client === "s3" && !bucket) problems.push(`mode ${m.name}: ${h} ${c.command} (${action}): no bucket of the stack holds ${at.resource}`);
        // The request through the endpoint is the client's own action; another (iam:PassRole) is authorized by
        // the service inside AWS, not at the endpoint (modules/network/endpoint-policies.ts keeps the same rule).
        const throughEndpoint = p.endpoints !== undefined && action.startsWith(`${iamPrefix(c.client)}:`);
        const endpointPolicy = throughEndpoint ? (p.endpoints?.[c.client] ?? undefined) : undefined;
        if (throughEndpoint && !(c.client in (p.endpoints ?? {})))
          problems.push(`mode ${m.name}: ${h} ${c.command} (${action}): no VPC endpoint for ${c.client}`);
        const context = {
          "aws:ViaAWSService": "false",
          ...(throughEndpoint ? { "aws:SourceVpce": VPCE } : {}),
          ...(action === "s3:PutObject" ? { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": p.keyArn } : {}),
          ...at.context,
        };
        const base = { principal, action, resource: at.resource, context };
        const decide = (only?: "role" | "bucket" | "endpoint"): Promise<Decision> =>
          simulate({
            ...base,
            identity: [p.roles[h]],
            ...(bucket && (!only || only === "bucket") ? { resourcePolicy: p.buckets[bucket] } : {}),
            ...(endpointPolicy && (!only || only === "endpoint") ? { endpointPolicy } : {}),
          });
        simulated++;
        const decision = await decide();
        if (decision === "Allowed") continue;
        const by =
          (await decide("role")) !== "Allowed"
            ? "its role policy"
            : bucket && (await decide("bucket")) !== "Allowed"
              ? "the bucket policy"
              : endpointPolicy && (await decide("endpoint")) !== "Allowed"
                ? `the ${c.client} endpoint policy`
                : "the policies together";
        problems.push(`mode ${m.name}: ${h} ${c.command} needs ${action} on ${at.resource}: ${decision} by ${by}`);
      }
    }
  }
  return { problems, simulated };
}
