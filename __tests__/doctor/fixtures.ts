/** Shared fixtures of the doctor tests: a valid configuration and healthy account facts. */
import { parseConfig } from "../../modules/config/load";
import type { CciLiteConfig, CciLiteConfigInput } from "../../modules/config/schema";
import { PIPELINE_SERVICES } from "../../modules/config/network-facts";
import type { CheckContext } from "../../scripts/doctor/checks/shared";
import { fact, type AccountFacts, type EndpointServiceFacts, type NetworkFacts } from "../../scripts/doctor/facts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-central-1";

export const RAW_CONFIG: CciLiteConfigInput = {
  environment: "prod",
  accountId: ACCOUNT,
  region: REGION,
  namePrefix: "cci-lite",
  tenants: [{ id: "demo-tenant", languages: ["en-US"] }],
  bedrock: { modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0" },
  quicksight: { enabled: true, principalArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin` },
  guardduty: { enabled: true },
  github: { repository: "conversant/cci-lite" },
  processing: { reservedConcurrency: { start: 5, analyze: 10, reconcile: 1 } },
};

export function config(overrides: Partial<CciLiteConfigInput> = {}): CciLiteConfig {
  return parseConfig({ ...RAW_CONFIG, ...overrides }, "config/prod.json");
}

/**
 * Adds fields the schema does not know yet (github.useExistingOidcProvider, guardduty.createDetector) or removes
 * ones that will become optional (processing.reservedConcurrency), as the configuration will carry them.
 */
export function withFields(cfg: CciLiteConfig, patch: { github?: object; guardduty?: object; processing?: object }): CciLiteConfig {
  return {
    ...cfg,
    github: { ...cfg.github, ...patch.github },
    guardduty: { ...cfg.guardduty, ...patch.guardduty },
    processing: { ...cfg.processing, ...patch.processing },
  } as CciLiteConfig;
}

export const ctx = (cfg: CciLiteConfig = config()): CheckContext => ({ cfg, configFile: "config/prod.json" });

export function healthyFacts(): AccountFacts {
  return {
    caller: { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me` },
    lambda: fact({ concurrentExecutions: 1000, unreservedConcurrentExecutions: 1000, ownReservations: {} }),
    oidc: fact({}),
    quicksight: fact({ subscribed: true, status: "ACCOUNT_CREATED", edition: "ENTERPRISE" }),
    quicksightRoles: fact({ configured: true, s3Consumers: false }),
    quicksightPrincipals: fact([
      { arn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin`, fields: ["quicksight.principalArn"], state: "exists" },
    ]),
    principals: fact([]),
    bedrock: {
      region: REGION,
      modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      foundationModelId: "anthropic.claude-haiku-4-5-20251001-v1:0",
      isProfile: true,
      profile: fact({ exists: true, status: "ACTIVE" }),
      availability: fact({
        exists: true,
        authorizationStatus: "AUTHORIZED",
        entitlementAvailability: "AVAILABLE",
        agreementStatus: "AVAILABLE",
        regionAvailability: "AVAILABLE",
      }),
    },
    guardduty: fact({ detectorIds: [] }),
    services: { transcribe: fact(true), comprehend: fact(true) },
    buckets: [
      { kind: "input", name: `cci-lite-prod-input-${ACCOUNT}-${REGION}`, probe: fact({ state: "free" }) },
      { kind: "results", name: `cci-lite-prod-results-${ACCOUNT}-${REGION}`, probe: fact({ state: "free" }) },
      { kind: "state", name: `cci-lite-tfstate-${ACCOUNT}-${REGION}`, probe: fact({ state: "free" }) },
    ],
  };
}

/** An SDK-shaped service error. */
export function awsError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode } });
}

// Private networking (network.mode create or existing): healthy EC2 facts.

export const VPC = "vpc-0123456789abcdef0";
export const SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];
export const RTB = "rtb-0cccccccccccccccc";
export const CREATE: Partial<CciLiteConfigInput> = { network: { mode: "create" } };
export const EXISTING: Partial<CciLiteConfigInput> = { network: { mode: "existing", vpcId: VPC, subnetIds: SUBNETS, routeTableIds: [RTB] } };
export const ZONES = [
  { zoneName: "eu-central-1a", zoneId: "euc1-az2" },
  { zoneName: "eu-central-1b", zoneId: "euc1-az3" },
  { zoneName: "eu-central-1c", zoneId: "euc1-az1" },
];
export const SUFFIXES = PIPELINE_SERVICES.filter((s) => s.endpointType === "Interface").map((s) => s.suffix);
export const serviceName = (suffix: string) => `com.amazonaws.${REGION}.${suffix}`;

export function service(suffix: string, patch: Partial<EndpointServiceFacts> = {}): EndpointServiceFacts {
  return {
    serviceName: serviceName(suffix),
    exists: true,
    policySupported: true,
    zoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
    privateDns: true,
    privateDnsNames: [`${suffix}.${REGION}.amazonaws.com`],
    acceptanceRequired: false,
    ...patch,
  };
}

export function healthyNetwork(existing = false, patch: Partial<Record<string, Partial<EndpointServiceFacts>>> = {}): NetworkFacts {
  return {
    services: fact(SUFFIXES.map((s) => service(s, patch[s]))),
    zones: fact(ZONES),
    ...(existing
      ? {
          existing: {
            vpc: fact({ exists: true, dnsSupport: true, dnsHostnames: true }),
            subnets: fact([
              { id: SUBNETS[0], vpcId: VPC, zoneId: "euc1-az1", zoneName: "eu-central-1c" },
              { id: SUBNETS[1], vpcId: VPC, zoneId: "euc1-az2", zoneName: "eu-central-1a" },
            ]),
            routeTables: fact([{ id: RTB, vpcId: VPC, internetRoutes: [] }]),
            endpoints: fact([]),
            privateZones: fact([{ id: "Z0123456789ABCDEFGHIJ", name: "corp.example.internal" }]),
          },
        }
      : {}),
  };
}
