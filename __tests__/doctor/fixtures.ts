/** Shared fixtures of the doctor tests: a valid configuration and healthy account facts. */
import { parseConfig } from "../../modules/config/load";
import type { CciLiteConfig, CciLiteConfigInput } from "../../modules/config/schema";
import { fact, type AccountFacts, type CheckContext } from "../../scripts/doctor/checks";

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
