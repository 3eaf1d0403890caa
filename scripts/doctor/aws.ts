/**
 * `npm run doctor`: the SDK wiring. Every call here is a read (Get/List/Describe/Head); each gatherer turns its
 * errors into a `FactError` (AccessDenied names the IAM action that was denied) instead of throwing, so one missing
 * permission costs one check, not the run. docs/doctor.md lists the calls and the policy they need.
 */
import { BedrockClient, GetFoundationModelAvailabilityCommand, GetInferenceProfileCommand } from "@aws-sdk/client-bedrock";
import { ComprehendClient, ListSentimentDetectionJobsCommand } from "@aws-sdk/client-comprehend";
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type Route,
} from "@aws-sdk/client-ec2";
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { GetOpenIDConnectProviderCommand, IAMClient, ListOpenIDConnectProvidersCommand } from "@aws-sdk/client-iam";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeAccountSubscriptionCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListTranscriptionJobsCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { stateNames } from "../../modules/bootstrap";
import { bedrockRegion, bedrockResourceArns, naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import {
  bedrockModel,
  failed,
  fact,
  GITHUB_OIDC_HOST,
  type AccountFacts,
  type BedrockFacts,
  type BucketFacts,
  type BucketKind,
  type BucketProbe,
  type EndpointServiceFacts,
  type ExistingNetworkFacts,
  type Fact,
  type FactError,
  type GuardDutyFacts,
  type InferenceProfileFacts,
  type LambdaFacts,
  interfaceEndpointServices,
  type ModelAvailabilityFacts,
  type NetworkFacts,
  type OidcFacts,
  type QuickSightFacts,
  type RouteTableFacts,
  type VpcEndpointFacts,
  type ZoneFacts,
} from "./checks";
import { ACCESS_DENIED, BAD_CREDENTIALS, errorName, httpStatus, NO_ENDPOINT, type SdkErrorLike } from "../aws-errors";

export { errorName, httpStatus } from "../aws-errors";

/** The handlers whose reserved concurrency the configuration sets (modules/processor). */
const HANDLERS = ["start", "analyze", "reconcile"] as const;

function firstLine(e: unknown): string {
  const err = e as SdkErrorLike | undefined;
  const text = err?.message || err?.name || String(e);
  const line = text.split("\n")[0].trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Classifies an SDK error of `action` (an IAM action name, e.g. `lambda:GetAccountSettings`) in `region`. */
export function classifyError(e: unknown, action: string, region: string): FactError {
  const err = e as SdkErrorLike | undefined;
  const name = err?.name ?? "";
  const code = err?.code ?? err?.Code ?? "";
  const message = firstLine(e);
  if (BAD_CREDENTIALS.has(name) || BAD_CREDENTIALS.has(code) || /could not load credentials/i.test(message)) {
    return { kind: "credentials", action, message };
  }
  if (ACCESS_DENIED.has(name) || ACCESS_DENIED.has(code) || /not authorized to perform|AccessDenied/i.test(`${name} ${message}`)) {
    return { kind: "access-denied", action, message };
  }
  if (NO_ENDPOINT.has(name) || NO_ENDPOINT.has(code) || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message)) {
    return { kind: "unavailable", action, region, message };
  }
  return { kind: "failed", action, message: name && !message.includes(name) ? `${name}: ${message}` : message };
}

async function attempt<T>(action: string, region: string, run: () => Promise<T>): Promise<Fact<T>> {
  try {
    return fact(await run());
  } catch (e) {
    return failed(classifyError(e, action, region));
  }
}

export interface DoctorClients {
  readonly sts: STSClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  quicksight(region: string): QuickSightClient;
  readonly bedrock: BedrockClient;
  readonly guardduty: GuardDutyClient;
  readonly transcribe: TranscribeClient;
  readonly comprehend: ComprehendClient;
  readonly s3: S3Client;
  readonly ec2: EC2Client;
}

/** Clients with the default credential chain, in the configuration's region (Bedrock: `bedrockRegion`). */
export function createClients(cfg: CciLiteConfig): DoctorClients {
  const base = { region: cfg.region, maxAttempts: 2 };
  return {
    sts: new STSClient(base),
    lambda: new LambdaClient(base),
    iam: new IAMClient(base),
    quicksight: (region: string) => new QuickSightClient({ ...base, region }),
    bedrock: new BedrockClient({ ...base, region: bedrockRegion(cfg) }),
    guardduty: new GuardDutyClient(base),
    transcribe: new TranscribeClient(base),
    comprehend: new ComprehendClient(base),
    // A bucket in another region answers 301; follow it to learn where it is.
    s3: new S3Client({ ...base, followRegionRedirects: true }),
    ec2: new EC2Client(base),
  };
}

/** STS GetCallerIdentity: needs no permission; its failure means no usable credentials (or no network). */
export async function callerIdentity(clients: DoctorClients, region: string): Promise<Fact<{ account: string; arn: string }>> {
  return attempt("sts:GetCallerIdentity", region, async () => {
    const r = await clients.sts.send(new GetCallerIdentityCommand({}));
    return { account: r.Account ?? "", arn: r.Arn ?? "" };
  });
}

export async function lambdaFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<LambdaFacts>> {
  const settings = await attempt("lambda:GetAccountSettings", cfg.region, () => clients.lambda.send(new GetAccountSettingsCommand({})));
  if (!settings.ok) return settings;
  const names = naming(cfg);
  const own: Record<string, number> = {};
  for (const h of HANDLERS) {
    try {
      const r = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: names.functionName(h) }));
      if (r.ReservedConcurrentExecutions) own[h] = r.ReservedConcurrentExecutions;
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") continue; // not deployed yet: the usual case
      return failed(classifyError(e, "lambda:GetFunctionConcurrency", cfg.region));
    }
  }
  const limit = settings.value.AccountLimit ?? {};
  return fact({
    concurrentExecutions: limit.ConcurrentExecutions ?? 0,
    unreservedConcurrentExecutions: limit.UnreservedConcurrentExecutions ?? 0,
    ownReservations: own,
  });
}

export async function oidcFacts(clients: DoctorClients): Promise<Fact<OidcFacts>> {
  const list = await attempt("iam:ListOpenIDConnectProviders", "global", () => clients.iam.send(new ListOpenIDConnectProvidersCommand({})));
  if (!list.ok) return list;
  const providerArn = (list.value.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? "").find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
  if (!providerArn) return fact({});
  const detail = await attempt("iam:GetOpenIDConnectProvider", "global", () =>
    clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn })),
  );
  if (!detail.ok) return detail;
  return fact({ providerArn, tags: Object.fromEntries((detail.value.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
}

/**
 * QuickSight DescribeAccountSubscription. A call outside the account's identity region is answered with
 * AccessDeniedException "... your identity region is X. Please use the X endpoint."; it is asked again there.
 */
export async function quicksightFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<QuickSightFacts>> {
  const action = "quicksight:DescribeAccountSubscription";
  const ask = async (region: string) => clients.quicksight(region).send(new DescribeAccountSubscriptionCommand({ AwsAccountId: cfg.accountId }));
  let region: string = cfg.region;
  let identityRegion: string | undefined;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const r = await ask(region);
      const info = r.AccountInfo ?? {};
      return fact({ subscribed: true, status: info.AccountSubscriptionStatus, edition: info.Edition, identityRegion });
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return fact({ subscribed: false, identityRegion });
      const redirect = /identity region is ([a-z]{2}(?:-[a-z]+)+-\d)/.exec(firstLine(e))?.[1];
      if (redirect && redirect !== region && tries === 0) {
        region = identityRegion = redirect;
        continue;
      }
      return failed(classifyError(e, action, region));
    }
  }
  return failed({ kind: "failed", action, message: "identity region redirect loop" });
}

export async function bedrockFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<BedrockFacts> {
  const region = bedrockRegion(cfg);
  const modelId = cfg.bedrock.modelId;
  const { isProfile, foundationModelId } = bedrockModel(modelId, bedrockResourceArns(cfg));
  let profile: Fact<InferenceProfileFacts> | undefined;
  if (isProfile) {
    try {
      const r = await clients.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: modelId }));
      profile = fact({ exists: true, status: r.status });
    } catch (e) {
      profile = errorName(e) === "ResourceNotFoundException" ? fact({ exists: false }) : failed(classifyError(e, "bedrock:GetInferenceProfile", region));
    }
  }
  let availability: Fact<ModelAvailabilityFacts>;
  try {
    const r = await clients.bedrock.send(new GetFoundationModelAvailabilityCommand({ modelId: foundationModelId }));
    availability = fact({
      exists: true,
      authorizationStatus: r.authorizationStatus,
      entitlementAvailability: r.entitlementAvailability,
      agreementStatus: r.agreementAvailability?.status,
      agreementError: r.agreementAvailability?.errorMessage,
      regionAvailability: r.regionAvailability,
    });
  } catch (e) {
    availability =
      errorName(e) === "ResourceNotFoundException" ? fact({ exists: false }) : failed(classifyError(e, "bedrock:GetFoundationModelAvailability", region));
  }
  return { region, modelId, foundationModelId, isProfile, profile, availability };
}

export async function guardDutyFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<GuardDutyFacts>> {
  const list = await attempt("guardduty:ListDetectors", cfg.region, () => clients.guardduty.send(new ListDetectorsCommand({})));
  if (!list.ok) return list;
  const detectorIds = list.value.DetectorIds ?? [];
  if (detectorIds.length === 0) return fact({ detectorIds });
  const detail = await attempt("guardduty:GetDetector", cfg.region, () => clients.guardduty.send(new GetDetectorCommand({ DetectorId: detectorIds[0] })));
  if (!detail.ok) return detail;
  return fact({ detectorIds, tags: detail.value.Tags ?? {} });
}

/** One cheap read-only list call per service: proves the endpoint exists in the region and the caller may use it. */
export async function serviceFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<AccountFacts["services"]> {
  const [transcribe, comprehend] = await Promise.all([
    attempt("transcribe:ListTranscriptionJobs", cfg.region, async () => {
      await clients.transcribe.send(new ListTranscriptionJobsCommand({ MaxResults: 1 }));
      return true as const;
    }),
    attempt("comprehend:ListSentimentDetectionJobs", cfg.region, async () => {
      await clients.comprehend.send(new ListSentimentDetectionJobsCommand({ MaxResults: 1 }));
      return true as const;
    }),
  ]);
  return { transcribe, comprehend };
}

/**
 * HeadBucket with this account as the expected owner: 404 free, 200 ours, 403 someone else's. For an existing
 * bucket of ours, its tags (GetBucketTagging) tell whether this environment's stack created it.
 */
export async function bucketProbe(clients: DoctorClients, cfg: CciLiteConfig, name: string, readTags = true): Promise<Fact<BucketProbe>> {
  let region: string | undefined;
  try {
    const r = await clients.s3.send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: cfg.accountId }));
    region = r.BucketRegion;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || errorName(e) === "NotFound" || errorName(e) === "NoSuchBucket") return fact({ state: "free" });
    if (status === 403) return fact({ state: "forbidden" });
    return failed(classifyError(e, "s3:ListBucket", cfg.region));
  }
  if (!readTags) return fact({ state: "ours", region });
  try {
    const t = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: name, ExpectedBucketOwner: cfg.accountId }));
    return fact({ state: "ours", region, tags: Object.fromEntries((t.TagSet ?? []).map((x) => [x.Key ?? "", x.Value ?? ""])) });
  } catch (e) {
    if (errorName(e) === "NoSuchTagSet") return fact({ state: "ours", region, tags: {} });
    return failed(classifyError(e, "s3:GetBucketTagging", cfg.region));
  }
}

export async function bucketFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<BucketFacts[]> {
  const n = naming(cfg);
  const wanted: [BucketKind, string][] = [
    ["input", n.inputBucket],
    ["results", n.resultsBucket],
    ["state", stateNames(cfg.namePrefix, cfg.accountId, cfg.region).bucket],
  ];
  return Promise.all(wanted.map(async ([kind, name]) => ({ kind, name, probe: await bucketProbe(clients, cfg, name, kind !== "state") })));
}

/** A default route (IPv4 or IPv6) to an internet, egress-only internet or NAT gateway, as `0.0.0.0/0 → igw-…`. */
export function internetRoute(r: Route): string | undefined {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
  if (destination !== "0.0.0.0/0" && destination !== "::/0") return undefined;
  if (r.State === "blackhole") return undefined;
  const target = r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? (r.GatewayId?.startsWith("igw-") ? r.GatewayId : undefined);
  return target ? `${destination} → ${target}` : undefined;
}

/**
 * `network.mode` create or existing: the interface endpoint services (one DescribeVpcEndpointServices per service:
 * an unknown name fails the whole call with InvalidServiceName), the region's zones, and for `existing` the VPC,
 * subnets, route tables and endpoints the stack would build on.
 */
export async function networkFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<NetworkFacts | undefined> {
  const n = cfg.network;
  if (n.mode === "off") return undefined;
  const region = cfg.region;
  const zones = await attempt("ec2:DescribeAvailabilityZones", region, async (): Promise<ZoneFacts[]> => {
    const r = await clients.ec2.send(new DescribeAvailabilityZonesCommand({}));
    return (r.AvailabilityZones ?? []).map((z) => ({ zoneName: z.ZoneName ?? "", zoneId: z.ZoneId ?? "" }));
  });
  const idOf = new Map((zones.ok ? zones.value : []).map((z) => [z.zoneName, z.zoneId]));
  const wanted = interfaceEndpointServices(region);
  const action = "ec2:DescribeVpcEndpointServices";
  const perService = await Promise.all(
    wanted.map(async (s): Promise<Fact<EndpointServiceFacts>> => {
      try {
        const r = await clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [s.serviceName] }));
        const d = (r.ServiceDetails ?? []).find((x) => x.ServiceName === s.serviceName);
        if (!d) return fact({ serviceName: s.serviceName, exists: false, zoneIds: [] });
        const zoneIds = d.AvailabilityZoneIds?.length ? d.AvailabilityZoneIds : (d.AvailabilityZones ?? []).map((name) => idOf.get(name) ?? name);
        return fact({
          serviceName: s.serviceName,
          exists: true,
          policySupported: d.VpcEndpointPolicySupported,
          zoneIds,
          privateDns: Boolean(d.PrivateDnsName || d.PrivateDnsNames?.length),
          acceptanceRequired: d.AcceptanceRequired,
        });
      } catch (e) {
        if (errorName(e) === "InvalidServiceName") return fact({ serviceName: s.serviceName, exists: false, zoneIds: [] });
        return failed(classifyError(e, action, region));
      }
    }),
  );
  const firstError = perService.find((f) => !f.ok);
  const services: Fact<EndpointServiceFacts[]> =
    firstError && !firstError.ok ? failed(firstError.error) : fact(perService.flatMap((f) => (f.ok ? [f.value] : [])));
  if (n.mode !== "existing" || !n.vpcId) return { services, zones };
  const vpcId = n.vpcId;
  const [vpc, subnets, routeTables, endpoints] = await Promise.all([
    (async (): Promise<ExistingNetworkFacts["vpc"]> => {
      try {
        const ask = (Attribute: "enableDnsSupport" | "enableDnsHostnames") => clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }));
        const [support, hostnames] = await Promise.all([ask("enableDnsSupport"), ask("enableDnsHostnames")]);
        return fact({ exists: true, dnsSupport: support.EnableDnsSupport?.Value === true, dnsHostnames: hostnames.EnableDnsHostnames?.Value === true });
      } catch (e) {
        if (errorName(e) === "InvalidVpcID.NotFound" || errorName(e) === "InvalidVpcID.Malformed") return fact({ exists: false });
        return failed(classifyError(e, "ec2:DescribeVpcAttribute", region));
      }
    })(),
    attempt("ec2:DescribeSubnets", region, async () => {
      const r = await clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "subnet-id", Values: [...(n.subnetIds ?? [])] }] }));
      return (r.Subnets ?? []).map((x) => ({
        id: x.SubnetId ?? "",
        vpcId: x.VpcId ?? "",
        zoneName: x.AvailabilityZone ?? "",
        zoneId: x.AvailabilityZoneId ?? idOf.get(x.AvailabilityZone ?? "") ?? x.AvailabilityZone ?? "",
      }));
    }),
    attempt("ec2:DescribeRouteTables", region, async (): Promise<RouteTableFacts[]> => {
      const r = await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "route-table-id", Values: [...(n.routeTableIds ?? [])] }] }));
      return (r.RouteTables ?? []).map((t) => ({
        id: t.RouteTableId ?? "",
        vpcId: t.VpcId ?? "",
        internetRoutes: (t.Routes ?? []).map(internetRoute).filter((x): x is string => x !== undefined),
      }));
    }),
    attempt("ec2:DescribeVpcEndpoints", region, async (): Promise<VpcEndpointFacts[]> => {
      const out: VpcEndpointFacts[] = [];
      let NextToken: string | undefined;
      do {
        const r = await clients.ec2.send(
          new DescribeVpcEndpointsCommand({
            Filters: [
              { Name: "vpc-id", Values: [vpcId] },
              { Name: "service-name", Values: wanted.map((s) => s.serviceName) },
            ],
            NextToken,
          }),
        );
        for (const e of r.VpcEndpoints ?? []) {
          out.push({
            id: e.VpcEndpointId ?? "",
            serviceName: e.ServiceName ?? "",
            state: e.State ?? "",
            privateDns: e.PrivateDnsEnabled === true,
            tags: Object.fromEntries((e.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
          });
        }
        NextToken = r.NextToken;
      } while (NextToken);
      return out;
    }),
  ]);
  return { services, zones, existing: { vpc, subnets, routeTables, endpoints } };
}

/** Everything the checks need except the caller (see `callerIdentity`), gathered in parallel. */
export async function gatherFacts(clients: DoctorClients, cfg: CciLiteConfig, caller: AccountFacts["caller"]): Promise<AccountFacts> {
  const [lambda, oidc, quicksight, bedrock, guardduty, services, buckets, network] = await Promise.all([
    lambdaFacts(clients, cfg),
    oidcFacts(clients),
    cfg.quicksight.enabled ? quicksightFacts(clients, cfg) : Promise.resolve(undefined),
    bedrockFacts(clients, cfg),
    cfg.guardduty.enabled ? guardDutyFacts(clients, cfg) : Promise.resolve(undefined),
    serviceFacts(clients, cfg),
    bucketFacts(clients, cfg),
    networkFacts(clients, cfg),
  ]);
  return { caller, lambda, oidc, quicksight, bedrock, guardduty, services, buckets, ...(network ? { network } : {}) };
}
