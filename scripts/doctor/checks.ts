/**
 * `npm run doctor`: the checks. Pure functions from plain facts about the account (gathered by ./aws.ts) and the
 * configuration to one result each; no SDK, no I/O. docs/doctor.md describes every check, its calls and its fixes.
 */
import { resolveNetwork } from "../../modules/config/network";
import { PIPELINE_SERVICES } from "../../modules/config/network-facts";
import type { CciLiteConfig } from "../../modules/config/schema";

export type Status = "ok" | "problem" | "skipped";

export interface CheckResult {
  readonly id: string;
  readonly status: Status;
  readonly message: string;
  /** What to change: the configuration field (and file), or what to do in the account. */
  readonly fix?: string;
}

/** Why a fact could not be gathered. `credentials` ends the run (exit 2); the others become problems. */
export type FactError =
  | { readonly kind: "access-denied"; readonly action: string; readonly message: string }
  | { readonly kind: "unavailable"; readonly action: string; readonly region: string; readonly message: string }
  | { readonly kind: "credentials"; readonly action: string; readonly message: string }
  | { readonly kind: "failed"; readonly action: string; readonly message: string };

export type Fact<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FactError };

export const fact = <T>(value: T): Fact<T> => ({ ok: true, value });
export const failed = <T>(error: FactError): Fact<T> => ({ ok: false, error });

/** Tags the stacks put on everything they create (main.ts `awsProvider` default tags). */
export const PROJECT_TAG = { key: "Project", value: "CCI-Lite" } as const;

export interface LambdaFacts {
  readonly concurrentExecutions: number;
  readonly unreservedConcurrentExecutions: number;
  /** Reserved concurrency already held by this environment's functions (a re-run after an apply). */
  readonly ownReservations: Readonly<Record<string, number>>;
}

export interface OidcFacts {
  /** ARN of the account's `token.actions.githubusercontent.com` provider, if any. */
  readonly providerArn?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface QuickSightFacts {
  /** False when DescribeAccountSubscription answers ResourceNotFoundException (no subscription). */
  readonly subscribed: boolean;
  readonly status?: string;
  readonly edition?: string;
  /** Set when QuickSight redirected the call to the account's identity region. */
  readonly identityRegion?: string;
}

export interface InferenceProfileFacts {
  readonly exists: boolean;
  readonly status?: string;
}

export interface ModelAvailabilityFacts {
  readonly exists: boolean;
  readonly authorizationStatus?: string;
  readonly entitlementAvailability?: string;
  readonly agreementStatus?: string;
  readonly agreementError?: string;
  readonly regionAvailability?: string;
}

export interface BedrockFacts {
  readonly region: string;
  readonly modelId: string;
  readonly foundationModelId: string;
  readonly isProfile: boolean;
  readonly profile?: Fact<InferenceProfileFacts>;
  readonly availability: Fact<ModelAvailabilityFacts>;
}

export interface GuardDutyFacts {
  readonly detectorIds: readonly string[];
  /** Tags of the first detector (GetDetector). */
  readonly tags?: Readonly<Record<string, string>>;
}

export type BucketKind = "input" | "results" | "state";

export interface BucketProbe {
  /** `free`: 404; `ours`: 200 with ExpectedBucketOwner = this account; `forbidden`: 403. */
  readonly state: "free" | "ours" | "forbidden";
  readonly region?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface BucketFacts {
  readonly kind: BucketKind;
  readonly name: string;
  readonly probe: Fact<BucketProbe>;
}

/** One interface endpoint service (EC2 DescribeVpcEndpointServices, ServiceNames filter). */
export interface EndpointServiceFacts {
  /** `com.amazonaws.<region>.<suffix>` */
  readonly serviceName: string;
  /** False when EC2 answers InvalidServiceName: the service has no endpoint in the region. */
  readonly exists: boolean;
  readonly policySupported?: boolean;
  /** Zones the service is offered in, as zone ids (`euc1-az1`). */
  readonly zoneIds: readonly string[];
  readonly privateDns?: boolean;
  readonly acceptanceRequired?: boolean;
}

export interface ZoneFacts {
  readonly zoneName: string;
  readonly zoneId: string;
}

export interface SubnetFacts {
  readonly id: string;
  readonly vpcId: string;
  readonly zoneId: string;
  readonly zoneName: string;
}

export interface RouteTableFacts {
  readonly id: string;
  readonly vpcId: string;
  /** Default routes (0.0.0.0/0, ::/0) to an internet, egress-only internet or NAT gateway: `0.0.0.0/0 → igw-…`. */
  readonly internetRoutes: readonly string[];
}

export interface VpcEndpointFacts {
  readonly id: string;
  readonly serviceName: string;
  readonly state: string;
  readonly privateDns: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** `network.mode: existing` only: what the stack would build on. */
export interface ExistingNetworkFacts {
  /** DescribeVpcAttribute; `exists: false` on InvalidVpcID.NotFound. */
  readonly vpc: Fact<{ readonly exists: boolean; readonly dnsSupport?: boolean; readonly dnsHostnames?: boolean }>;
  /** DescribeSubnets filtered by subnet-id: the ones that exist. */
  readonly subnets: Fact<readonly SubnetFacts[]>;
  /** DescribeRouteTables filtered by route-table-id: the ones that exist. */
  readonly routeTables: Fact<readonly RouteTableFacts[]>;
  /** DescribeVpcEndpoints in the VPC for the interface endpoint services. */
  readonly endpoints: Fact<readonly VpcEndpointFacts[]>;
}

/** Present when `network.mode` is not off. */
export interface NetworkFacts {
  /** One per interface endpoint service of modules/config/network-facts.ts, in that order. */
  readonly services: Fact<readonly EndpointServiceFacts[]>;
  /** DescribeAvailabilityZones of the region. */
  readonly zones: Fact<readonly ZoneFacts[]>;
  readonly existing?: ExistingNetworkFacts;
}

export interface AccountFacts {
  /** From STS GetCallerIdentity (never denied); without it the run ends with exit 2. */
  readonly caller: { readonly account: string; readonly arn: string };
  readonly lambda: Fact<LambdaFacts>;
  readonly oidc: Fact<OidcFacts>;
  /** Absent when `quicksight.enabled` is false. */
  readonly quicksight?: Fact<QuickSightFacts>;
  readonly bedrock: BedrockFacts;
  /** Absent when `guardduty.enabled` is false. */
  readonly guardduty?: Fact<GuardDutyFacts>;
  readonly services: { readonly transcribe: Fact<true>; readonly comprehend: Fact<true> };
  readonly buckets: readonly BucketFacts[];
  /** Absent when `network.mode` is off. */
  readonly network?: NetworkFacts;
}

export interface CheckContext {
  readonly cfg: CciLiteConfig;
  /** The configuration file as the user names it, e.g. `config/prod.json`; fixes say where to change a field. */
  readonly configFile: string;
}

/** AWS keeps at least this much account concurrency unreserved. */
export const MIN_UNRESERVED = 100;
export const CONCURRENCY_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html";
/** Below this account limit a new account throttles under any real load. */
export const LOW_ACCOUNT_LIMIT = 50;
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const DOCTOR_DOC = "docs/doctor.md";

const PERMISSION_FIX = (action: string) => `allow ${action} for the caller (minimal read-only policy: ${DOCTOR_DOC})`;

/** A fact that could not be gathered, as this check's result. */
export function unavailableResult(id: string, error: FactError): CheckResult {
  switch (error.kind) {
    case "access-denied":
      return { id, status: "problem", message: `cannot check: access denied to ${error.action} (${error.message})`, fix: PERMISSION_FIX(error.action) };
    case "unavailable":
      return {
        id,
        status: "problem",
        message: `cannot check: ${error.action} has no reachable endpoint in ${error.region} (${error.message})`,
        fix: "check the region in the configuration and this machine's network access to AWS",
      };
    default:
      return {
        id,
        status: "problem",
        message: `cannot check: ${error.action} failed (${error.message})`,
        fix: "run the doctor again; if it persists, resolve the AWS error shown",
      };
  }
}

/** The tags this project's stacks put on what they create, for environment `env` (or shared, for bootstrap). */
function taggedByProject(tags: Readonly<Record<string, string>> | undefined, env?: string): boolean {
  if (!tags || tags[PROJECT_TAG.key] !== PROJECT_TAG.value) return false;
  return env === undefined || tags.Env === env;
}

// ---------------------------------------------------------------------------------------------------------------
// 0. account: the credentials belong to the configured account.

export function checkAccount(caller: AccountFacts["caller"], ctx: CheckContext): CheckResult {
  if (caller.account === ctx.cfg.accountId) {
    return { id: "account", status: "ok", message: `credentials are ${caller.arn} in account ${caller.account}` };
  }
  return {
    id: "account",
    status: "problem",
    message: `credentials are for account ${caller.account} (${caller.arn}) but accountId is ${ctx.cfg.accountId}; every other check would look at the wrong account`,
    fix: `use credentials for account ${ctx.cfg.accountId}, or set accountId in ${ctx.configFile}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. lambda-concurrency

/** Configured reservations by function (`processing.reservedConcurrency`); absent fields mean none. */
export function configuredReservations(cfg: CciLiteConfig): Record<string, number> {
  const raw: unknown = (cfg.processing as { reservedConcurrency?: unknown } | undefined)?.reservedConcurrency;
  if (typeof raw === "number") return raw > 0 ? { all: raw } : {};
  if (!raw || typeof raw !== "object") return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === "number" && v > 0) out[k] = v;
  return out;
}

export function checkLambdaConcurrency(f: Fact<LambdaFacts>, ctx: CheckContext): CheckResult {
  const id = "lambda-concurrency";
  if (!f.ok) return unavailableResult(id, f.error);
  const { concurrentExecutions: limit, unreservedConcurrentExecutions: unreserved, ownReservations } = f.value;
  const wanted = configuredReservations(ctx.cfg);
  const total = Object.values(wanted).reduce((a, b) => a + b, 0);
  const own = Object.values(ownReservations).reduce((a, b) => a + b, 0);
  // Reservations this environment already holds are not part of the unreserved pool, but they are replaced, not added.
  const pool = unreserved + own;
  const reservable = pool - MIN_UNRESERVED;
  const ownNote = own > 0 ? `, of which ${own} already reserved by this environment's functions` : "";
  const lowNote =
    limit < LOW_ACCOUNT_LIMIT
      ? `; warning: the account limit is low (new accounts start low), expect throttling under load; request a Lambda concurrency quota increase`
      : "";
  if (total === 0) {
    return { id, status: "ok", message: `no reserved concurrency configured; account limit ${limit}, unreserved ${unreserved}${lowNote}` };
  }
  const parts = Object.entries(wanted)
    .map(([k, v]) => `${k} ${v}`)
    .join(" + ");
  if (total > reservable) {
    return {
      id,
      status: "problem",
      message:
        `processing.reservedConcurrency (${parts} = ${total}) exceeds what the account can reserve: ` +
        `unreserved ${pool}${ownNote} minus the ${MIN_UNRESERVED} AWS keeps unreserved = ${Math.max(reservable, 0)} ` +
        `("You can reserve up to the Unreserved account concurrency value minus 100", ${CONCURRENCY_DOC}); account limit ${limit}`,
      fix: `remove processing.reservedConcurrency (or lower it) in ${ctx.configFile}, or request a Lambda concurrency quota increase`,
    };
  }
  return {
    id,
    status: "ok",
    message: `reservations ${parts} = ${total} fit: account limit ${limit}, unreserved ${pool}${ownNote}, at most ${reservable} reservable${lowNote}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. github-oidc-provider

export function useExistingOidcProvider(cfg: CciLiteConfig): boolean {
  return cfg.github.useExistingOidcProvider === true;
}

export function checkGithubOidcProvider(f: Fact<OidcFacts>, ctx: CheckContext): CheckResult {
  const id = "github-oidc-provider";
  if (!f.ok) return unavailableResult(id, f.error);
  const useExisting = useExistingOidcProvider(ctx.cfg);
  const { providerArn, tags } = f.value;
  if (providerArn && !useExisting) {
    if (taggedByProject(tags)) {
      return {
        id,
        status: "ok",
        message: `${providerArn} exists and is tagged ${PROJECT_TAG.key}=${PROJECT_TAG.value}: created by this project's bootstrap stack`,
      };
    }
    return {
      id,
      status: "problem",
      message: `the account already has ${providerArn}; the bootstrap stack would create another and fail with EntityAlreadyExists`,
      fix: `set github.useExistingOidcProvider: true in ${ctx.configFile}`,
    };
  }
  if (!providerArn && useExisting) {
    return {
      id,
      status: "problem",
      message: `github.useExistingOidcProvider is true but the account has no OIDC provider for ${GITHUB_OIDC_HOST}`,
      fix: `set github.useExistingOidcProvider: false in ${ctx.configFile} (the bootstrap stack then creates it)`,
    };
  }
  return providerArn
    ? { id, status: "ok", message: `uses the existing ${providerArn} (github.useExistingOidcProvider: true)` }
    : { id, status: "ok", message: `no OIDC provider for ${GITHUB_OIDC_HOST} yet; the bootstrap stack creates it` };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. quicksight-subscription

export function checkQuickSight(f: Fact<QuickSightFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "quicksight-subscription";
  if (!ctx.cfg.quicksight.enabled) return { id, status: "skipped", message: "quicksight.enabled is false" };
  const noSubscriptionFix = `subscribe to QuickSight Enterprise in the console, or set quicksight.enabled: false in ${ctx.configFile}`;
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) {
    const r = unavailableResult(id, f.error);
    // QuickSight answers AccessDeniedException also for an account that may not use it (API reference).
    return f.error.kind === "access-denied"
      ? { ...r, message: `${r.message}; QuickSight also answers so for an account without a subscription`, fix: `${r.fix}; or ${noSubscriptionFix}` }
      : r;
  }
  const q = f.value;
  if (!q.subscribed) {
    return {
      id,
      status: "problem",
      message: "the account has no QuickSight subscription (DescribeAccountSubscription: ResourceNotFoundException)",
      fix: noSubscriptionFix,
    };
  }
  const where = q.identityRegion ? ` (identity region ${q.identityRegion})` : "";
  if (q.status !== "ACCOUNT_CREATED") {
    return {
      id,
      status: "problem",
      message: `the QuickSight subscription is ${q.status ?? "of unknown status"}${where}, not ACCOUNT_CREATED`,
      fix: `finish (or renew) the QuickSight subscription in the console, or set quicksight.enabled: false in ${ctx.configFile}`,
    };
  }
  const principalRegion = /^arn:aws:quicksight:([a-z0-9-]+):/.exec(ctx.cfg.quicksight.principalArn ?? "")?.[1];
  if (q.identityRegion && principalRegion && principalRegion !== q.identityRegion) {
    return {
      id,
      status: "problem",
      message: `quicksight.principalArn names region ${principalRegion} but QuickSight users live in the identity region ${q.identityRegion}`,
      fix: `set quicksight.principalArn in ${ctx.configFile} to the user or group ARN in ${q.identityRegion}`,
    };
  }
  return { id, status: "ok", message: `subscription ACCOUNT_CREATED, edition ${q.edition ?? "unknown"}${where}` };
}

// ---------------------------------------------------------------------------------------------------------------
// 4. bedrock-model-access

/** Foundation model id and whether `modelId` is an inference profile, from the project's own ARN logic. */
export function bedrockModel(modelId: string, resourceArns: readonly string[]): { isProfile: boolean; foundationModelId: string } {
  const isProfile = resourceArns.some((a) => a.includes(":inference-profile/"));
  const fm = resourceArns.map((a) => /:foundation-model\/(.+)$/.exec(a)?.[1]).find((x): x is string => x !== undefined);
  return { isProfile, foundationModelId: fm ?? modelId };
}

export function checkBedrock(b: BedrockFacts, ctx: CheckContext): CheckResult {
  const id = "bedrock-model-access";
  const accessFix = `request model access in the Bedrock console in ${b.region}: open ${b.foundationModelId} in the Model catalog (Anthropic models: submit the one-time use case details; older consoles: Model access page); the account needs a valid payment method and aws-marketplace:Subscribe for the automatic subscription`;
  const missing: string[] = [];
  if (b.isProfile && b.profile) {
    if (!b.profile.ok) return unavailableResult(id, b.profile.error);
    if (!b.profile.value.exists) {
      return {
        id,
        status: "problem",
        message: `inference profile ${b.modelId} does not exist in ${b.region}`,
        fix: `set bedrock.modelId (or bedrock.region) in ${ctx.configFile} to a profile offered in that region`,
      };
    }
    if (b.profile.value.status && b.profile.value.status !== "ACTIVE") missing.push(`inference profile status ${b.profile.value.status} (not ACTIVE)`);
  }
  if (!b.availability.ok) return unavailableResult(id, b.availability.error);
  const a = b.availability.value;
  if (!a.exists) {
    return {
      id,
      status: "problem",
      message: `foundation model ${b.foundationModelId} is unknown to Bedrock in ${b.region}`,
      fix: `set bedrock.modelId (or bedrock.region) in ${ctx.configFile} to a model offered in that region`,
    };
  }
  if (a.regionAvailability !== "AVAILABLE") missing.push(`regionAvailability ${a.regionAvailability ?? "unknown"} (the model is not offered in ${b.region})`);
  if (a.authorizationStatus !== "AUTHORIZED") missing.push(`authorizationStatus ${a.authorizationStatus ?? "unknown"}`);
  if (a.entitlementAvailability !== "AVAILABLE") missing.push(`entitlementAvailability ${a.entitlementAvailability ?? "unknown"}`);
  if (a.agreementStatus !== "AVAILABLE")
    missing.push(`agreementAvailability.status ${a.agreementStatus ?? "unknown"}${a.agreementError ? ` (${a.agreementError})` : ""}`);
  const what = b.isProfile ? `${b.modelId} → ${b.foundationModelId}` : b.foundationModelId;
  if (missing.length > 0) {
    const regionOnly = missing.length === 1 && a.regionAvailability !== "AVAILABLE";
    return {
      id,
      status: "problem",
      message: `${what} in ${b.region}: ${missing.join("; ")}`,
      fix: regionOnly ? `set bedrock.region (or bedrock.modelId) in ${ctx.configFile} to a region that offers the model` : accessFix,
    };
  }
  return { id, status: "ok", message: `${what} in ${b.region}: authorized, entitled, agreement and region available${b.isProfile ? ", profile ACTIVE" : ""}` };
}

// ---------------------------------------------------------------------------------------------------------------
// 5. guardduty-detector

export function createsDetector(cfg: CciLiteConfig): boolean {
  return cfg.guardduty.createDetector !== false;
}

export function checkGuardDuty(f: Fact<GuardDutyFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "guardduty-detector";
  if (!ctx.cfg.guardduty.enabled) return { id, status: "skipped", message: "guardduty.enabled is false" };
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) return unavailableResult(id, f.error);
  const create = createsDetector(ctx.cfg);
  const [detector] = f.value.detectorIds;
  const region = ctx.cfg.region;
  if (detector && create) {
    if (taggedByProject(f.value.tags, ctx.cfg.environment)) {
      return { id, status: "ok", message: `detector ${detector} in ${region} is tagged by this environment's stack (already applied)` };
    }
    return {
      id,
      status: "problem",
      message: `${region} already has GuardDuty detector ${detector}; the stack would create a second one and fail`,
      fix: `set guardduty.createDetector: false in ${ctx.configFile} (one detector per region; the stack then only forwards findings)`,
    };
  }
  if (!detector && !create) {
    return {
      id,
      status: "problem",
      message: `guardduty.createDetector is false but ${region} has no GuardDuty detector, so there are no findings to forward`,
      fix: `set guardduty.createDetector: true in ${ctx.configFile}, or enable GuardDuty in ${region}`,
    };
  }
  return detector
    ? { id, status: "ok", message: `uses the existing detector ${detector} in ${region} (guardduty.createDetector: false)` }
    : { id, status: "ok", message: `no detector in ${region} yet; the stack creates one` };
}

// ---------------------------------------------------------------------------------------------------------------
// 6. service-availability

export function checkServiceAvailability(s: AccountFacts["services"], ctx: CheckContext): CheckResult {
  const id = "service-availability";
  const region = ctx.cfg.region;
  const problems: string[] = [];
  const fixes = new Set<string>();
  for (const [name, f] of [
    ["Amazon Transcribe", s.transcribe],
    ["Amazon Comprehend", s.comprehend],
  ] as const) {
    if (f.ok) continue;
    if (f.error.kind === "unavailable") {
      problems.push(`${name} is not available in ${region}; choose another region (${f.error.message})`);
      fixes.add(`set region in ${ctx.configFile} to a region with Amazon Transcribe and Amazon Comprehend`);
    } else {
      const r = unavailableResult(id, f.error);
      problems.push(`${name}: ${r.message}`);
      if (r.fix) fixes.add(r.fix);
    }
  }
  if (problems.length > 0) return { id, status: "problem", message: problems.join("; "), fix: [...fixes].join("; ") };
  return { id, status: "ok", message: `Amazon Transcribe and Amazon Comprehend answer in ${region}` };
}

// ---------------------------------------------------------------------------------------------------------------
// 7. bucket-names

export function checkBucket(b: BucketFacts, ctx: CheckContext): CheckResult {
  const id = `bucket-names/${b.kind}`;
  if (!b.probe.ok) return unavailableResult(id, b.probe.error);
  const p = b.probe.value;
  const where = p.region ? ` in ${p.region}` : "";
  const rename =
    b.kind === "state"
      ? `set namePrefix in ${ctx.configFile} (the state bucket is <namePrefix>-tfstate-<account>-<region>)`
      : `set buckets.${b.kind} in ${ctx.configFile} to a free name`;
  switch (p.state) {
    case "free":
      return { id, status: "ok", message: `${b.name} is free` };
    case "forbidden":
      return {
        id,
        status: "problem",
        message: `${b.name} is taken by another account (HeadBucket with this account as expected owner: 403; if the bucket is yours, the caller lacks s3:ListBucket on it)`,
        fix: rename,
      };
    case "ours":
      if (b.kind === "state") return { id, status: "ok", message: `${b.name} exists in this account${where}: the bootstrap stack has been applied` };
      if (taggedByProject(p.tags, ctx.cfg.environment)) {
        return { id, status: "ok", message: `${b.name} exists${where}, tagged by this environment's stack (already applied)` };
      }
      return {
        id,
        status: "problem",
        message: `${b.name} already exists in this account${where} and was not created by this stack`,
        fix: `import it into the stack's state (terraform import) or ${rename.replace("to a free name", "to another name")}`,
      };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 8. network-*: private networking (network.mode create or existing; docs/network.md). Off: no network check at all.

/** The interface endpoint services the stack creates in `region` (modules/config/network-facts.ts). */
export function interfaceEndpointServices(region: string) {
  return PIPELINE_SERVICES.filter((s) => s.endpointType === "Interface").map((s) => ({ ...s, serviceName: `com.amazonaws.${region}.${s.suffix}` }));
}

const NETWORK_DOC = "docs/network.md";
const list = (xs: readonly string[]) => (xs.length > 0 ? xs.join(", ") : "none");

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

/** The zone ids the endpoints go into: create, the configured (or default) zone ids; existing, the subnets' zones. */
function configuredZoneIds(n: NetworkFacts, cfg: CciLiteConfig): Fact<string[]> {
  const resolved = resolveNetwork(cfg);
  if (resolved.mode === "create") return fact(resolved.subnets.map((s) => s.availabilityZoneId));
  if (!n.existing) return fact([]);
  if (!n.existing.subnets.ok) return n.existing.subnets;
  return fact([...new Set(n.existing.subnets.value.map((s) => s.zoneId))]);
}

export function checkEndpointZones(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-endpoint-zones";
  if (!n.services.ok) return unavailableResult(id, n.services.error);
  if (!n.zones.ok) return unavailableResult(id, n.zones.error);
  const zones = configuredZoneIds(n, ctx.cfg);
  if (!zones.ok) return unavailableResult(id, zones.error);
  const create = ctx.cfg.network.mode === "create";
  if (zones.value.length === 0) return { id, status: "skipped", message: "none of network.subnetIds exists (see network-subnets)" };
  const regionZones = n.zones.value.map((z) => z.zoneId);
  const services = n.services.value.filter((s) => s.exists);
  const everywhere = regionZones.filter((z) => services.every((s) => s.zoneIds.includes(z)));
  const field = create ? "network.availabilityZoneIds" : "network.subnetIds";
  const fix = create
    ? `set network.availabilityZoneIds in ${ctx.configFile} to two or more zones every endpoint service is offered in: ${list(everywhere)}`
    : `set network.subnetIds in ${ctx.configFile} to subnets in zones every endpoint service is offered in: ${list(everywhere)}`;
  const unknown = zones.value.filter((z) => !regionZones.includes(z));
  if (unknown.length > 0) {
    return {
      id,
      status: "problem",
      message: `${field}: ${list(unknown)} is not an Availability Zone of ${ctx.cfg.region} for this account (DescribeAvailabilityZones: ${list(regionZones)})`,
      fix,
    };
  }
  const gaps = services.flatMap((s) => {
    const missing = zones.value.filter((z) => !s.zoneIds.includes(z));
    return missing.length > 0 ? [`${s.serviceName.split(".").pop()} is not offered in ${list(missing)} (only ${list(s.zoneIds)})`] : [];
  });
  if (gaps.length > 0) {
    return { id, status: "problem", message: `${gaps.join("; ")}; creating its endpoint in that zone would fail`, fix };
  }
  return { id, status: "ok", message: `every endpoint service is offered in ${create ? "the zones" : "the subnets' zones"} ${list(zones.value)}` };
}

function existingOnly(id: string, ctx: CheckContext): CheckResult | undefined {
  return ctx.cfg.network.mode === "existing" ? undefined : { id, status: "skipped", message: `network.mode is "${ctx.cfg.network.mode}"` };
}

export function checkVpcDns(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-vpc-dns";
  const vpcId = ctx.cfg.network.vpcId ?? "";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.vpc;
  if (!f.ok) return unavailableResult(id, f.error);
  if (!f.value.exists) {
    return {
      id,
      status: "problem",
      message: `${vpcId} does not exist in ${ctx.cfg.region}`,
      fix: `set network.vpcId in ${ctx.configFile} to a VPC of this account in ${ctx.cfg.region}`,
    };
  }
  const off = [f.value.dnsSupport ? "" : "enableDnsSupport", f.value.dnsHostnames ? "" : "enableDnsHostnames"].filter(Boolean);
  if (off.length > 0) {
    return {
      id,
      status: "problem",
      message: `${vpcId} has ${off.join(" and ")} off; the endpoints' private DNS needs both, so the functions would resolve the public service names and time out`,
      fix: `turn on ${off.join(" and ")} of ${vpcId} (aws ec2 modify-vpc-attribute, one attribute per call), or set network.vpcId in ${ctx.configFile} to a VPC that has both`,
    };
  }
  return { id, status: "ok", message: `${vpcId} has enableDnsSupport and enableDnsHostnames on` };
}

export function checkSubnets(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-subnets";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.subnets;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const wanted = ctx.cfg.network.subnetIds ?? [];
  const found = new Map(f.value.map((s) => [s.id, s]));
  const fix = `set network.subnetIds in ${ctx.configFile} to two or more subnets of ${vpcId} in different Availability Zones`;
  const missing = wanted.filter((x) => !found.has(x));
  const elsewhere = f.value.filter((s) => s.vpcId !== vpcId).map((s) => `${s.id} (in ${s.vpcId})`);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${list(missing)} does not exist in ${ctx.cfg.region}`);
  if (elsewhere.length > 0) problems.push(`${list(elsewhere)} is not in ${vpcId}`);
  const zones = new Set(f.value.filter((s) => s.vpcId === vpcId).map((s) => s.zoneId));
  if (problems.length === 0 && zones.size < 2) problems.push(`the subnets are all in ${list([...zones])}; the endpoints and functions need two or more zones`);
  if (problems.length > 0) return { id, status: "problem", message: problems.join("; "), fix };
  return { id, status: "ok", message: `${list(wanted)} are in ${vpcId}, in ${zones.size} zones (${list([...zones])})` };
}

export function checkRouteTables(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-route-tables";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.routeTables;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const wanted = ctx.cfg.network.routeTableIds ?? [];
  const found = new Set(f.value.map((r) => r.id));
  const missing = wanted.filter((x) => !found.has(x));
  const elsewhere = f.value.filter((r) => r.vpcId !== vpcId).map((r) => `${r.id} (in ${r.vpcId})`);
  if (missing.length > 0 || elsewhere.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`${list(missing)} does not exist in ${ctx.cfg.region}`] : []),
      ...(elsewhere.length > 0 ? [`${list(elsewhere)} is not in ${vpcId}`] : []),
    ];
    return {
      id,
      status: "problem",
      message: problems.join("; "),
      fix: `set network.routeTableIds in ${ctx.configFile} to the route tables of ${vpcId}'s subnetIds`,
    };
  }
  const open = f.value.flatMap((r) => r.internetRoutes.map((route) => `${r.id}: ${route}`));
  if (open.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(open)}: a default route to the internet; private networking means the functions reach AWS only through the endpoints`,
      fix: `remove those routes, or set network.routeTableIds in ${ctx.configFile} to route tables without a default route to an internet or NAT gateway (${NETWORK_DOC})`,
    };
  }
  return { id, status: "ok", message: `${list(wanted)} are in ${vpcId}, with no default route to an internet or NAT gateway` };
}

/** VPC endpoint states in which the endpoint still holds its private DNS names. */
const LIVE_ENDPOINT = new Set(["pendingacceptance", "pending", "available", "modifying"]);

export function checkPrivateDnsConflicts(n: NetworkFacts, ctx: CheckContext): CheckResult {
  const id = "network-private-dns";
  if (!n.existing) return existingOnly(id, ctx) ?? { id, status: "skipped", message: "not gathered" };
  const f = n.existing.endpoints;
  if (!f.ok) return unavailableResult(id, f.error);
  const vpcId = ctx.cfg.network.vpcId ?? "";
  const live = f.value.filter((e) => e.privateDns && LIVE_ENDPOINT.has(e.state.toLowerCase()));
  const ours = live.filter((e) => taggedByProject(e.tags, ctx.cfg.environment));
  const others = live.filter((e) => !taggedByProject(e.tags, ctx.cfg.environment));
  if (others.length > 0) {
    return {
      id,
      status: "problem",
      message: `${list(others.map((e) => `${e.id} (${e.serviceName})`))} already has private DNS in ${vpcId}; the stack's endpoint for the same service would fail to create (conflicting private DNS)`,
      fix: `set network.vpcId (with subnetIds and routeTableIds) in ${ctx.configFile} to a VPC without these endpoints, or delete them (or turn off their private DNS) before the first apply`,
    };
  }
  return ours.length > 0
    ? { id, status: "ok", message: `the private-DNS endpoints in ${vpcId} are this environment's own (${list(ours.map((e) => e.id))}): already applied` }
    : { id, status: "ok", message: `no other interface endpoint with private DNS for these services in ${vpcId}` };
}

/** The network checks: none when `network.mode` is off; the existing-VPC checks only with `existing`. */
export function networkChecks(n: NetworkFacts | undefined, ctx: CheckContext): CheckResult[] {
  if (ctx.cfg.network.mode === "off") return [];
  if (!n) return [{ id: "network-endpoint-services", status: "skipped", message: "not gathered" }];
  const all = [checkEndpointServices(n, ctx), checkEndpointPolicies(n, ctx), checkEndpointZones(n, ctx)];
  if (ctx.cfg.network.mode !== "existing") return all;
  return [...all, checkVpcDns(n, ctx), checkSubnets(n, ctx), checkRouteTables(n, ctx), checkPrivateDnsConflicts(n, ctx)];
}

// ---------------------------------------------------------------------------------------------------------------

/** Every check, in the order they print. A wrong account skips the rest: they would describe another account. */
export function runChecks(facts: AccountFacts, ctx: CheckContext): CheckResult[] {
  const account = checkAccount(facts.caller, ctx);
  const rest: CheckResult[] = [
    checkLambdaConcurrency(facts.lambda, ctx),
    checkGithubOidcProvider(facts.oidc, ctx),
    checkQuickSight(facts.quicksight, ctx),
    checkBedrock(facts.bedrock, ctx),
    checkGuardDuty(facts.guardduty, ctx),
    checkServiceAvailability(facts.services, ctx),
    ...facts.buckets.map((b) => checkBucket(b, ctx)),
    ...networkChecks(facts.network, ctx),
  ];
  if (account.status === "problem") {
    return [account, ...rest.map((r) => ({ id: r.id, status: "skipped" as const, message: "credentials are for another account" }))];
  }
  return [account, ...rest];
}

/** Fact errors that mean the credentials themselves are unusable: the run stops with exit 2. */
export function credentialErrors(facts: AccountFacts): FactError[] {
  const all: (Fact<unknown> | undefined)[] = [
    facts.lambda,
    facts.oidc,
    facts.quicksight,
    facts.bedrock.profile,
    facts.bedrock.availability,
    facts.guardduty,
    facts.services.transcribe,
    facts.services.comprehend,
    ...facts.buckets.map((b) => b.probe),
    facts.network?.services,
    facts.network?.zones,
    facts.network?.existing?.vpc,
    facts.network?.existing?.subnets,
    facts.network?.existing?.routeTables,
    facts.network?.existing?.endpoints,
  ];
  return all.flatMap((f) => (f && !f.ok && f.error.kind === "credentials" ? [f.error] : []));
}
