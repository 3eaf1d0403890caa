/**
 * Guide §5: SSM parameters `/cci-lite/<env>/config/models` and `/cci-lite/<env>/config/tenants/<id>`, written
 * from the configuration. The start handler reads a tenant's parameter; an absent one means "unknown tenant".
 * The tenant document is `tenantDocument` (lambda-src/contracts/tenant-settings.ts), the one builder `cci upload` uses too.
 */
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import {
  type ModelSettings,
  modelsParameterName,
  type TenantSettingsEnvironment,
  tenantDocument,
  tenantParameterName,
} from "../../lambda-src/contracts/tenant-settings";
import type { TenantConfig } from "../config/schema";

export interface ConfigParametersProps {
  /** SSM path of the environment's documents, e.g. `/cci-lite/prod/config`. */
  readonly configPath: string;
  readonly models: ModelSettings;
  /** The configuration's tenants, already validated (the same rules the runtime applies to the document). */
  readonly tenants: readonly TenantConfig[];
  /** The environment values tenants without their own inherit (`retention.resultsDays`): the configuration. */
  readonly environment: TenantSettingsEnvironment;
}

export class ConfigParameters extends Construct {
  readonly models: SsmParameter;
  readonly tenants: ReadonlyMap<string, SsmParameter>;

  constructor(scope: Construct, id: string, props: ConfigParametersProps) {
    super(scope, id);
    const parameter = (pid: string, name: string, description: string, value: unknown) =>
      new SsmParameter(this, pid, { name, type: "String", tier: "Standard", description, value: JSON.stringify(value) });
    this.models = parameter("models", modelsParameterName(props.configPath), "CCI Lite model settings (guide §5)", props.models);
    this.tenants = new Map(
      props.tenants
        .map((t) => tenantDocument(t, props.environment))
        .map((t) => [t.tenant_id, parameter(`tenant-${t.tenant_id}`, tenantParameterName(props.configPath, t.tenant_id), `CCI Lite tenant ${t.tenant_id}`, t)]),
    );
  }
}
