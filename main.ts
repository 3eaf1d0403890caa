/**
 * CCI Lite as code. Read top to bottom, this file is the architecture diagram:
 *
 *   upload ─► input bucket ─► intake queue ─► start λ ─► Transcribe ─► EventBridge ─► analyze λ ─► results bucket
 *                                                                        reconcile λ (schedule) ──┘        │
 *   Glue table (partition projection) ◄──────────────────────────────────────────────────────────────────┘
 *        └─► Athena workgroup ─► QuickSight data set          alarms + budget ─► SNS topic ─► e-mail
 *
 * Every arrow is encrypted with one customer-managed key. Guide sections are named beside each construct;
 * docs/architecture.md maps all of them.
 */
import * as path from "node:path";
import { App, Aspects, S3Backend, TerraformOutput, TerraformStack, LocalBackend } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { loadEnvironments } from "./modules/config/load";
import { bedrockRegion, naming } from "./modules/config/naming";
import type { CciLiteConfig } from "./modules/config/schema";
import { AlarmTopic } from "./modules/alarms";
import { Analytics } from "./modules/analytics";
import { DeliveryAccess, RemoteState, stateNames } from "./modules/bootstrap";
import { CostBudget } from "./modules/budgets";
import { ConfigParameters } from "./modules/config-parameters";
import { Dashboards } from "./modules/dashboards";
import { AccountHardening } from "./modules/hardening";
import { CustomerKey } from "./modules/key";
import { Processor, type ProcessorProps } from "./modules/processor";
import { SecurityRules } from "./modules/security";
import { Storage } from "./modules/storage";
import { TenantAccess } from "./modules/tenants";
import { TranscribeAccess } from "./modules/transcribe-access";

/** Provider with the account pinned and the guide's standard tags on every taggable resource (guide §1). */
function awsProvider(scope: Construct, cfg: Pick<CciLiteConfig, "accountId" | "region" | "owner">, env: string): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: cfg.region,
    allowedAccountIds: [cfg.accountId],
    defaultTags: [{ tags: { Project: "CCI-Lite", Env: env, Owner: cfg.owner, Data: "Voice" } }],
  });
}

/** One environment of CCI Lite: `cci-lite-<env>`, state in the account's remote-state bucket. */
export class CciLiteStack extends TerraformStack {
  readonly key: CustomerKey;
  readonly storage: Storage;
  readonly processor: Processor;

  constructor(scope: Construct, cfg: CciLiteConfig, options: { readonly bundles?: ProcessorProps["bundles"] } = {}) {
    const names = naming(cfg);
    super(scope, names.stackName);
    const state = stateNames(cfg.namePrefix, cfg.accountId, cfg.region);
    const backend = new S3Backend(this, {
      bucket: state.bucket,
      key: `cci-lite/${cfg.environment}/terraform.tfstate`,
      region: state.region,
      encrypt: true,
      kmsKeyId: `arn:aws:kms:${state.region}:${cfg.accountId}:${state.keyAlias}`,
    });
    backend.addOverride("use_lockfile", true); // S3-native locking; no DynamoDB table.
    awsProvider(this, cfg, cfg.environment);
    Aspects.of(this).add(new SecurityRules()); // §12, §16 Security rule pack: a violation fails synth (docs/security.md).

    // §2 Customer-managed key (grants are added by the constructs that need it).
    this.key = new CustomerKey(this, "key", {
      accountId: cfg.accountId,
      region: cfg.region,
      alias: names.keyAlias,
      logGroupNamePrefix: `/aws/lambda/${names.stem}-`,
    });
    const keyArn = this.key.key.arn;

    // §3 Buckets, lifecycle and bucket policies.
    this.storage = new Storage(this, "storage", { config: cfg, naming: names, kmsKeyArn: keyArn });

    // §4.2 Transcribe's data-access role.
    const transcribe = new TranscribeAccess(this, "transcribe-access", {
      accountId: cfg.accountId,
      region: cfg.region,
      roleName: names.transcribeRoleName,
      inputBucketArn: names.inputBucketArn,
      resultsBucketArn: names.resultsBucketArn,
      outputPrefix: names.tmpPrefix,
      keyAlias: names.keyAlias,
    });
    this.key.grantUse(transcribe.roleArn);

    // §5 Parameter Store.
    const parameters = new ConfigParameters(this, "config-parameters", { config: cfg });

    // §9, §12 Alarm topic (budgets and every alarm notify it).
    const alarms = new AlarmTopic(this, "alarms", {
      accountId: cfg.accountId,
      region: cfg.region,
      topicName: names.alarmTopic,
      kmsKey: keyArn,
      emails: cfg.alarms.emails,
    });
    this.key.grantServiceForResources("cloudwatch.amazonaws.com", { snsTopicArns: [alarms.topicArn] });
    this.key.grantServiceForResources("budgets.amazonaws.com", { snsTopicArns: [alarms.topicArn] });

    // §6-§8 (replaced) Event-driven processing: intake queue, start / analyze / reconcile functions.
    this.processor = new Processor(this, "processor", {
      config: cfg,
      naming: names,
      key: this.key,
      input: this.storage.input,
      results: this.storage.results,
      transcribeRoleArn: transcribe.roleArn,
      parameters,
      alarms,
      bundles: options.bundles,
    });

    // §10 Glue + Athena.
    const analytics = new Analytics(this, "analytics", {
      accountId: cfg.accountId,
      region: cfg.region,
      databaseName: names.glueDatabase,
      tableName: names.resultsTable,
      workgroupName: names.workgroup,
      resultsBucket: names.resultsBucket,
      queryResultsPrefix: names.athenaPrefix,
      tmpPrefix: names.tmpPrefix,
      tenantIds: cfg.tenants.map((t) => t.id),
      kmsKeyArn: keyArn,
      keyAlias: names.keyAlias,
      bytesScannedCutoffPerQuery: cfg.athena.bytesScannedCutoffPerQuery,
      crawler: cfg.glueCrawler.enabled ? { roleName: names.roleName("glue-crawler") } : false,
    });
    if (analytics.crawlerRoleArn) this.key.grantUse(analytics.crawlerRoleArn);

    // §11 QuickSight.
    if (cfg.quicksight.enabled) {
      new Dashboards(this, "dashboards", {
        accountId: cfg.accountId,
        idStem: names.stem,
        workgroupName: names.workgroup,
        databaseName: names.glueDatabase,
        tableName: names.resultsTable,
        principalArn: cfg.quicksight.principalArn!,
      });
      this.key.grantUse(`arn:aws:iam::${cfg.accountId}:role/${cfg.quicksight.serviceRoleName}`);
    }

    // §13 Tenant isolation: per-tenant access points, read-only role and Athena workgroup.
    new TenantAccess(this, "tenants", { config: cfg, naming: names, key: this.key, input: this.storage.input, results: this.storage.results });

    // §12 Account hardening toggles: CloudTrail and GuardDuty.
    new AccountHardening(this, "hardening", { accountId: cfg.accountId, region: cfg.region, stem: names.stem, key: this.key, cloudtrail: cfg.cloudtrail.enabled, guardduty: cfg.guardduty.enabled, findingsTopic: alarms });

    // §14 Budget.
    new CostBudget(this, "budget", {
      accountId: cfg.accountId,
      name: `${names.stem}-monthly`,
      monthlyLimit: cfg.budget.monthlyLimit,
      currency: cfg.budget.currency,
      services: cfg.budget.services,
      topicArn: alarms.topicArn,
      emails: cfg.alarms.emails,
    });

    new TerraformOutput(this, "upload_prefixes", {
      description: "Where each tenant uploads audio",
      value: cfg.tenants.map((t) => `s3://${names.inputBucket}/${t.id}/calls/`),
    });
    new TerraformOutput(this, "results_location", { value: `s3://${names.resultsBucket}/<tenant>/YYYY/MM/DD/<call_id>.json` });
    new TerraformOutput(this, "athena_workgroup", { value: names.workgroup });
    new TerraformOutput(this, "bedrock_model", { value: `${cfg.bedrock.modelId} (${bedrockRegion(cfg)})` });
  }
}

/** Per account, applied once by an administrator with local state: remote state and GitHub delivery roles. */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, id: string, envs: readonly CciLiteConfig[]) {
    super(scope, id);
    const first = envs[0];
    new LocalBackend(this, { path: "terraform.bootstrap.tfstate" });
    awsProvider(this, first, "shared");
    Aspects.of(this).add(new SecurityRules()); // §12, §16 Security rule pack: a violation fails synth (docs/security.md).
    const state = stateNames(first.namePrefix, first.accountId, first.region);
    const remote = new RemoteState(this, "state", { accountId: first.accountId, state });
    const delivery = new DeliveryAccess(this, "delivery", {
      accountId: first.accountId,
      namePrefix: first.namePrefix,
      state,
      github: first.github,
      mainBranch: first.github.mainBranch,
      deployEnvironment: first.github.deployEnvironment,
      dataBucketArns: envs.flatMap((c) => [naming(c).inputBucketArn, naming(c).resultsBucketArn]),
    });
    remote.key.grantUse(delivery.planRoleArn);
    remote.key.grantUse(delivery.applyRoleArn);
    new TerraformOutput(this, "state_bucket", { value: state.bucket });
    new TerraformOutput(this, "plan_role_arn", { value: delivery.planRoleArn });
    new TerraformOutput(this, "apply_role_arn", { value: delivery.applyRoleArn });
  }
}

export interface BuildOptions {
  /** Folder of `<env>.json` files. @default `CCI_LITE_CONFIG_DIR`, else `<repo>/config` */
  readonly configDir?: string;
  /** Environments to synthesize. @default all, or `CCI_LITE_ENVS` */
  readonly environments?: string;
  /** Output folder. @default `cdktf.out` */
  readonly outdir?: string;
  /** Pre-built Lambda bundles (tests). @default built with esbuild during synth */
  readonly bundles?: ProcessorProps["bundles"];
}

/** Builds the app: the bootstrap stack and one stack per environment. Validates every configuration first. */
export function buildApp(options: BuildOptions = {}): App {
  const configDir = options.configDir ?? process.env.CCI_LITE_CONFIG_DIR ?? path.join(__dirname, "config");
  const envs = loadEnvironments(configDir, options.environments ?? process.env.CCI_LITE_ENVS);
  const app = new App({ outdir: options.outdir, skipValidation: false });
  new BootstrapStack(app, "bootstrap", envs);
  for (const cfg of envs) new CciLiteStack(app, cfg, { bundles: options.bundles });
  return app;
}

if (require.main === module) {
  try {
    buildApp().synth();
  } catch (e) {
    // Configuration errors name the file and field; print them without a stack trace.
    console.error(e instanceof Error && e.name === "ConfigError" ? e.message : e);
    process.exit(1);
  }
}
