/**
 * Guide §5: SSM parameters `/cci-lite/<env>/config/models` and `/cci-lite/<env>/config/tenants/<id>`, written
 * from the configuration. The start handler reads a tenant's parameter; an absent one means "unknown tenant".
 */
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { configParameterPath, modelsParameterName, tenantParameterName, type ModelSettings, type TenantSettings } from "../../lambda-src/contracts/tenant-settings";
import type { CciLiteConfig } from "../config/schema";
import { bedrockRegion } from "../config/naming";
import { resultsRetention } from "../storage";

export interface ConfigParametersProps {
  readonly config: CciLiteConfig;
}

export class ConfigParameters extends Construct {
  readonly models: SsmParameter;
  readonly tenants: ReadonlyMap<string, SsmParameter>;

  constructor(scope: Construct, id: string, props: ConfigParametersProps) {
    super(scope, id);
    const { config } = props;
    const models: ModelSettings = {
      bedrock_model_summary: config.bedrock.modelId,
      bedrock_region: bedrockRegion(config),
      max_tokens: config.bedrock.maxTokens,
    };
    this.models = new SsmParameter(this, "models", {
      name: modelsParameterName(configParameterPath(config.environment)),
      type: "String",
      tier: "Standard",
      description: "CCI Lite model settings (guide §5)",
      value: JSON.stringify(models),
    });
    const retention = resultsRetention(config);
    const tenants = new Map<string, SsmParameter>();
    for (const t of config.tenants) {
      const settings: TenantSettings = {
        tenant_id: t.id,
        languages: t.languages,
        redact_pii: t.redactPii,
        max_speakers: t.maxSpeakers,
        results_retention_days: retention.get(t.id)!,
      };
      tenants.set(
        t.id,
        new SsmParameter(this, `tenant-${t.id}`, {
          name: tenantParameterName(configParameterPath(config.environment), t.id),
          type: "String",
          tier: "Standard",
          description: `CCI Lite tenant ${t.id}`,
          value: JSON.stringify(settings),
        }),
      );
    }
    this.tenants = tenants;
  }
}
