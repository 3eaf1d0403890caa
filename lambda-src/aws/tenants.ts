/**
 * Tenant settings from SSM `${CONFIG_PATH}/tenants/<id>`, cached per container for {@link TENANT_CACHE_MS}
 * (unknown tenants and unusable documents too, so a flood of bad uploads does not hammer SSM; a newly onboarded
 * or repaired tenant is seen within that time). Expiry is by the caller's clock. Powertools Parameters' SSM provider
 * was measured for this cache and not adopted: +10.9 KB in start's bundle, expiry by the machine's clock
 * (docs/benchmarks.md).
 */
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { parseTenantSettings, tenantParameterName } from "../contracts/tenant-settings";
import { errorMessage, errorName } from "../core/errors";
import type { TenantLookup } from "../core/upload";
import { ssmClient } from "./clients";
import { logger } from "./observability";

export const TENANT_CACHE_MS = 5 * 60 * 1000;
const cache = new Map<string, { value: TenantLookup; expires: number }>();

export function clearTenantCache(): void {
  cache.clear();
}

/**
 * The tenant's settings; `unknown` when the parameter does not exist; `invalid` when the document breaks a rule
 * of `parseTenantSettings` (e.g. edited by hand), never guessed or repaired. Other SSM errors throw (retry).
 * `now` (the caller's clock) decides whether the cached answer is still fresh.
 */
export async function getTenantSettings(configPath: string, tenantId: string, now: Date): Promise<TenantLookup> {
  const hit = cache.get(tenantId);
  if (hit && hit.expires > now.getTime()) return hit.value;
  const name = tenantParameterName(configPath, tenantId);
  let json: string | undefined;
  try {
    json = (await ssmClient().send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (e) {
    if (errorName(e) !== "ParameterNotFound") throw e;
  }
  let value: TenantLookup = { kind: "unknown" };
  if (json) {
    try {
      value = { kind: "known", settings: parseTenantSettings(tenantId, json) };
    } catch (e) {
      value = { kind: "invalid", problem: `SSM parameter ${name} is unusable: ${errorMessage(e)}` };
      logger.error("Tenant settings in SSM are invalid; uploads are rejected until they are fixed", { parameter: name, problem: errorMessage(e) });
    }
  }
  cache.set(tenantId, { value, expires: now.getTime() + TENANT_CACHE_MS });
  return value;
}
