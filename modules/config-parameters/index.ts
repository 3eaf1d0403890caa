/**
 * Guide §5: SSM parameters `/cci-lite/<env>/config/models` and `/cci-lite/<env>/config/tenants/<id>`, written
 * from the configuration. The start handler reads a tenant's parameter; an absent one means "unknown tenant".
 */
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { type ModelSettings, modelsParameterName, type TenantSettings, tenantParameterName } from "../../lambda-src/contracts/tenant-settings";
import type { TenantConfig } from "../config/schema";

export interface ConfigParametersProps {
  /** SSM path of the environment's documents, e.g. `/cci-lite/prod/config`. */
  readonly configPath: string;
  readonly models: ModelSettings;
  /** The configuration's tenants, already validated (the same rules the runtime applies to the document). */
  readonly tenants: readonly TenantConfig[];
  /** Results retention of tenants that set none. */
  readonly defaultResultsDays: number;
}

export class ConfigParameters extends Construct {
  readonly models: SsmParameter;
  readonly tenants: ReadonlyMap<string, SsmParameter>;

  constructor(scope: Construct, id: string, props: ConfigParametersProps) {
    super(scope, id);
    const parameter = (pid: string, name: string, description: string, value: unknown) =>
      new SsmParameter(this, pid, { name, type: "String", tier: "Standard", description, value: JSON.stringify(value) });
    this.models = parameter("models", modelsParameterName(props.configPath), "CCI Lite model settings (guide §5)", props.models);
    const document = (t: TenantConfig): TenantSettings => ({
      tenant_id: t.id,
      languages: t.languages,
      redact_pii: t.redactPii,
      max_speakers: t.maxSpeakers,
      results_retention_days: t.resultsRetentionDays ?? props.defaultResultsDays,
    });
    this.tenants = new Map(
      props.tenants
        .map(document)
        .map((t) => [t.tenant_id, parameter(`tenant-${t.tenant_id}`, tenantParameterName(props.configPath, t.tenant_id), `CCI Lite tenant ${t.tenant_id}`, t)]),
    );
  }
}
