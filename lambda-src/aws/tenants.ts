/**
 * Tenant settings from SSM `${CONFIG_PATH}/tenants/<id>`, cached per container for {@link TENANT_CACHE_MS}
 * (unknown tenants too, so a flood of bad uploads does not hammer SSM; a newly onboarded tenant is seen
 * within that time).
 */
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { parseTenantSettings, tenantParameterName, type TenantSettings } from "../contracts/tenant-settings";
import { errorName } from "../core/errors";
import { ssmClient } from "./clients";

export const TENANT_CACHE_MS = 5 * 60 * 1000;
const cache = new Map<string, { value: TenantSettings | null; expires: number }>();

export function clearTenantCache(): void {
  cache.clear();
}

/** The tenant's settings, or null when the parameter does not exist (unknown tenant). Other errors throw. */
export async function getTenantSettings(configPath: string, tenantId: string, now = Date.now()): Promise<TenantSettings | null> {
  const hit = cache.get(tenantId);
  if (hit && hit.expires > now) return hit.value;
  let value: TenantSettings | null;
  try {
    const out = await ssmClient().send(new GetParameterCommand({ Name: tenantParameterName(configPath, tenantId) }));
    const json = out.Parameter?.Value;
    value = json ? parseTenantSettings(tenantId, json) : null;
  } catch (e) {
    if (errorName(e) !== "ParameterNotFound") throw e;
    value = null;
  }
  cache.set(tenantId, { value, expires: now + TENANT_CACHE_MS });
  return value;
}
