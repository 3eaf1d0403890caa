/**
 * The service-request cases in every mode (mode-service-requests.test.ts): the requests AWS services and people make
 * against our policies on their own (Proof 2, docs/security.md), each a case of service-cases-aws.ts or
 * service-cases-people.ts that builds its requests from one mode's names and synthesized policies
 * (./service-world.ts), applies where the mode turns on what it needs, and cites the AWS page it follows.
 * A decision other than the expected one fails naming the mode, the case, the principal, the action and the resource.
 */
import type { CciLiteConfig } from "../../modules/config/schema";
import { type Decision, type Policy, type Request, simulate } from "./iam";
import type { ServiceWorld } from "./service-world";

/** One simulated request and the decision AWS must reach, or a fact of the synthesized stack the case relies on. */
export type Check = { readonly request: Request; readonly expect: Decision } | { readonly fact: string; readonly holds: boolean };

export interface ServiceCase {
  readonly name: string;
  /** The AWS (or Terraform) page the requests follow. */
  readonly cite: string;
  /** Whether the configuration turns on what the case needs. @default every configuration */
  readonly when?: (cfg: CciLiteConfig) => boolean;
  checks(w: ServiceWorld): Check[];
}

export const allow = (Action: string | string[], Resource: string | string[], Condition?: Record<string, unknown>): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) }],
});
/** AWS managed AdministratorAccess (attached by ARN, in no stack). */
export const ADMINISTRATOR_ACCESS = allow("*", "*");

/** S3's `s3.<region>.amazonaws.com`, the `kms:ViaService` of its key requests. */
export const s3Via = (w: ServiceWorld): string => `s3.${w.region}.amazonaws.com`;
/** A KMS request S3 makes with the requester's credentials for an SSE-KMS object of `bucketArn`. */
export const viaS3 = (w: ServiceWorld, bucketArn: string, aliases: Record<string, string[]> = w.aliasContext) => ({
  "kms:ViaService": s3Via(w),
  ...aliases,
  "kms:EncryptionContext:aws:s3:arn": bucketArn,
});
/** Encryption headers of an upload as condition keys. */
export const SSE = (keyId?: string): Record<string, string> => ({
  "s3:x-amz-server-side-encryption": "aws:kms",
  ...(keyId ? { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyId } : {}),
});
export const AES = { "s3:x-amz-server-side-encryption": "AES256" };
export const HTTP = { "aws:SecureTransport": "false" };
export const ATHENA = { "aws:CalledVia": ["athena.amazonaws.com"] };
/** Another account, for the requests that must be refused. */
export const OTHER_ACCOUNT = "999999999999";

export interface CaseResult {
  /** Cases that applied to the mode, and simulated requests. */
  readonly cases: number;
  readonly simulated: number;
  readonly problems: string[];
}

/** The cases that apply to a configuration. */
export const casesFor = (cfg: CciLiteConfig, all: readonly ServiceCase[]): ServiceCase[] => all.filter((c) => !c.when || c.when(cfg));

/** Simulates one case's requests; a problem names the mode, the case, the principal, the action and the resource. */
export async function caseProblems(w: ServiceWorld, c: ServiceCase): Promise<{ simulated: number; problems: string[] }> {
  const problems: string[] = [];
  let simulated = 0;
  for (const check of c.checks(w)) {
    if ("fact" in check) {
      if (!check.holds) problems.push(`mode ${w.mode}: "${c.name}": ${check.fact} does not hold`);
      continue;
    }
    simulated++;
    const got = await simulate(check.request);
    const r = check.request;
    if (got !== check.expect) problems.push(`mode ${w.mode}: "${c.name}": ${r.principal} ${r.action} on ${r.resource}: expected ${check.expect}, got ${got}`);
  }
  return { simulated, problems };
}

/** Runs every case that applies to the world's configuration. */
export async function serviceProblems(w: ServiceWorld, all: readonly ServiceCase[]): Promise<CaseResult> {
  const applying = casesFor(w.cfg, all);
  const problems: string[] = [];
  let simulated = 0;
  for (const c of applying) {
    const r = await caseProblems(w, c);
    simulated += r.simulated;
    problems.push(...r.problems);
  }
  return { cases: applying.length, simulated, problems };
}
