/**
 * `npm run doctor`: the facts about the account the checks read, as plain data. The SDK wiring (./aws/) gathers
 * them, turning each failed call into a `FactError` instead of throwing; the checks (./checks/) read them. No SDK
 * and no I/O here.
 */
import { PIPELINE_SERVICES } from "../../modules/config/network-facts";

/** Why a fact could not be gathered. `credentials` ends the run (exit 2); the others become problems. */
export type FactError =
  | { readonly kind: "access-denied"; readonly action: string; readonly message: string }
  | { readonly kind: "unavailable"; readonly action: string; readonly region: string; readonly message: string }
  | { readonly kind: "credentials"; readonly action: string; readonly message: string }
  | { readonly kind: "failed"; readonly action: string; readonly message: string };

export type Fact<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FactError };

export const fact = <T>(value: T): Fact<T> => ({ ok: true, value });
export const failed = <T>(error: FactError): Fact<T> => ({ ok: false, error });

/** Tags the stacks put on everything they create (main.ts `awsProvider` default tags; one home: environment-scope.ts). */
export { ENVIRONMENT_TAG_KEY, PROJECT_TAG } from "../../modules/bootstrap/environment-scope";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

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

/** Which of QuickSight's two service roles exist (IAM GetRole; NoSuchEntity -> false). */
export interface QuickSightRoleFacts {
  /** The role `quicksight.serviceRoleName` names (the key policy and the grants name it). */
  readonly configured: boolean;
  /** `service-role/aws-quicksight-s3-consumers-role-v0`, which QuickSight uses for S3 and Athena in many accounts. */
  readonly s3Consumers: boolean;
}

export interface QuickSightFacts {
  /** False when DescribeAccountSubscription answers ResourceNotFoundException (no subscription). */
  readonly subscribed: boolean;
  readonly status?: string;
  readonly edition?: string;
  /** Set when QuickSight redirected the call to the account's identity region. */
  readonly identityRegion?: string;
}

/** One principal the configuration names (scripts/doctor/aws/principals.ts). */
export interface PrincipalFacts {
  readonly arn: string;
  /** The configuration fields that name it. */
  readonly fields: readonly string[];
  /** `not-checked`: an account root, or a principal of another account (this account's credentials cannot ask). */
  readonly state: "exists" | "missing" | "not-checked";
}

/** A Route 53 private hosted zone associated with the VPC (ListHostedZonesByVPC). */
export interface PrivateZoneFacts {
  readonly id: string;
  /** Without the trailing dot, lower case. */
  readonly name: string;
  /** Set for a zone another AWS service manages (e.g. an endpoint's own private DNS). */
  readonly owningService?: string;
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
  /** The service's private DNS names (`PrivateDnsName`, `PrivateDnsNames`), e.g. `transcribe.<region>.amazonaws.com`. */
  readonly privateDnsNames?: readonly string[];
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
  /** `Gateway` or `Interface` (DescribeVpcEndpoints `VpcEndpointType`). @default Interface */
  readonly type?: string;
  /** The route tables a gateway endpoint serves. @default none */
  readonly routeTableIds?: readonly string[];
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
  /** Route 53 ListHostedZonesByVPC: the private hosted zones associated with the VPC. */
  readonly privateZones: Fact<readonly PrivateZoneFacts[]>;
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
  /** Absent when `quicksight.enabled` is false. */
  readonly quicksightRoles?: Fact<QuickSightRoleFacts>;
  /** Absent when `quicksight.enabled` is false: the QuickSight users and groups the configuration names. */
  readonly quicksightPrincipals?: Fact<readonly PrincipalFacts[]>;
  /** The IAM roles and users the configuration names (access groups, tenants' reader and uploader principals). */
  readonly principals: Fact<readonly PrincipalFacts[]>;
  readonly bedrock: BedrockFacts;
  /** Absent when `guardduty.enabled` is false. */
  readonly guardduty?: Fact<GuardDutyFacts>;
  readonly services: { readonly transcribe: Fact<true>; readonly comprehend: Fact<true> };
  readonly buckets: readonly BucketFacts[];
  /** Absent when `network.mode` is off. */
  readonly network?: NetworkFacts;
}

/** Foundation model id and whether `modelId` is an inference profile, from the project's own ARN logic. */
export function bedrockModel(modelId: string, resourceArns: readonly string[]): { isProfile: boolean; foundationModelId: string } {
  const isProfile = resourceArns.some((a) => a.includes(":inference-profile/"));
  const fm = resourceArns.map((a) => /:foundation-model\/(.+)$/.exec(a)?.[1]).find((x): x is string => x !== undefined);
  return { isProfile, foundationModelId: fm ?? modelId };
}

/** The interface endpoint services the stack creates in `region` (modules/config/network-facts.ts). */
export function interfaceEndpointServices(region: string) {
  return PIPELINE_SERVICES.filter((s) => s.endpointType === "Interface").map((s) => ({ ...s, serviceName: `com.amazonaws.${region}.${s.suffix}` }));
}
