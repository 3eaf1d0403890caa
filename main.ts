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
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HANDLER_NAMES, type HandlerName } from "./lambda-src/contracts/handlers";
import { TMP_PREFIX, ATHENA_RESULTS_PREFIX } from "./lambda-src/contracts/storage-layout";
import { PeopleAccess } from "./modules/access";
import { transcriptReadersByTenant } from "./modules/config/access-rules";
import { peopleAttachments } from "./modules/config/people-policies";
import { Analytics } from "./modules/analytics";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { GithubProvider } from "@cdktf/provider-github/lib/provider";
import { applyRoleName, boundaryArn, DeliveryAccess, planRoleName, RemoteState, stateNames } from "./modules/bootstrap";
import { ENVIRONMENT_TAG_KEY, PROJECT_TAG, SHARED_ENVIRONMENT, stateObjectKey } from "./modules/bootstrap/environment-scope";
import { GithubSettings } from "./modules/github";
import { pinnedActions, readWorkflows, repositorySettings, repositoryVariables } from "./modules/github/settings";
import { CostBudget } from "./modules/budgets";
import { isUserError } from "./modules/config/errors";
import { accountGroups, loadEnvironments } from "./modules/config/load";
import type { CallTargets } from "./modules/iam/call-targets";
import { bedrockRegion, bedrockResourceArns, modelSettings, naming, quicksightGroupArn, resultsWindowDays, tenantResultsDays } from "./modules/config/naming";
import { resolveNetwork } from "./modules/config/network";
import type { CciLiteConfig } from "./modules/config/schema";
import { ConfigParameters } from "./modules/config-parameters";
import { AlarmTopic } from "./modules/constructs/alarm-topic";
import type { LambdaBundle } from "./modules/constructs/bundling";
import { CustomerKey } from "./modules/constructs/customer-key";
import { StackContext } from "./modules/constructs/stack-context";
import { handoutBudget } from "./lambda-src/contracts/pacing";
import { Dashboards } from "./modules/dashboards";
import { AccountHardening } from "./modules/hardening";
import { InsightDashboard, InsightViews } from "./modules/insights";
import { INSIGHT_VIEWS } from "./modules/insights/views";
import { PipelineFunctions } from "./modules/processor/functions";
import { Intake } from "./modules/processor/intake";
import { JobEvents } from "./modules/processor/job-events";
import { PrivateNetwork } from "./modules/network";
import { SecurityRules } from "./modules/security";
import { Storage } from "./modules/storage";
import { TenantAccess } from "./modules/tenants";
import { TranscribeAccess } from "./modules/transcribe-access";
import { categoryDocument } from "./lambda-src/contracts/tenant-settings";

/**
 * Terraform 1.10 is the floor: the S3 backend's native locking (`use_lockfile`, no DynamoDB table) arrived in 1.10.
 * Older versions reject the backend block instead of applying without a lock.
 */
export const TERRAFORM_REQUIRED_VERSION = ">= 1.10.0";

/**
 * Provider with the account pinned and the guide's standard tags on every taggable resource (guide §1). `Project`
 * and `Env` also scope each environment's delivery roles (modules/bootstrap/environment-scope.ts).
 */
function awsProvider(scope: Construct, cfg: Pick<CciLiteConfig, "accountId" | "region" | "owner">, env: string): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: cfg.region,
    allowedAccountIds: [cfg.accountId],
    defaultTags: [{ tags: { [PROJECT_TAG.key]: PROJECT_TAG.value, [ENVIRONMENT_TAG_KEY]: env, Owner: cfg.owner, Data: "Voice" } }],
  });
}

/** One environment of CCI Lite: `cci-lite-<env>`, state in the account's remote-state bucket. */
export class CciLiteStack extends TerraformStack {
  readonly key: CustomerKey;
  readonly storage: Storage;
  readonly functions: PipelineFunctions;
  readonly intake: Intake;
  /** §12 Private networking, when `network.mode` is not `off`. */
  readonly network?: PrivateNetwork;

  constructor(scope: Construct, cfg: CciLiteConfig, options: { readonly bundles?: Record<HandlerName, LambdaBundle> } = {}) {
    const names = naming(cfg);
    super(scope, names.stackName);
    // Account, partition, region and the naming stem: every construct below reads them from here (StackContext.of).
    const ctx = StackContext.set(this, { accountId: cfg.accountId, region: cfg.region, stem: names.stem });
    const state = stateNames(cfg.namePrefix, ctx.accountId, ctx.region);
    const backend = new S3Backend(this, {
      bucket: state.bucket,
      // Each environment's own object: its plan and apply roles are denied the others' (environment-scope.ts).
      key: stateObjectKey(cfg.environment),
      region: state.region,
      encrypt: true,
      kmsKeyId: ctx.arn("kms", state.keyAlias, { region: state.region }),
    });
    backend.addOverride("use_lockfile", true); // S3-native locking; no DynamoDB table.
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    awsProvider(this, cfg, cfg.environment);
    Aspects.of(this).add(new SecurityRules()); // §12, §16 Security rule pack: a violation fails synth (docs/security.md).
    // Every role of the stack carries the delivery boundary: the apply role may create roles only with it (docs/delivery.md).
    const boundary = boundaryArn(ctx, cfg.namePrefix);
    Aspects.of(this).add({
      visit: (node) => {
        if (node instanceof IamRole) node.permissionsBoundary = boundary;
      },
    });
    // Read by scripts/delivery/matrix.ts: which GitHub environment approves this stack's applies, and with which roles.
    this.addOverride("//.cci_lite_delivery", {
      environment: cfg.environment,
      deployEnvironment: cfg.github.deployEnvironment,
      planRoleArn: ctx.iamArn(`role/${planRoleName(cfg.namePrefix, cfg.environment)}`),
      applyRoleArn: ctx.iamArn(`role/${applyRoleName(cfg.namePrefix, cfg.environment)}`),
    });

    // §2 Customer-managed key; every grant below adds its key use too.
    const key = new CustomerKey(this, "key", { alias: names.keyAlias, logGroupNamePrefix: `/aws/lambda/${names.stem}-` });
    this.key = key;

    // §3 Buckets, lifecycle and bucket policies (§3.3).
    const storage = new Storage(this, "storage", {
      inputBucketName: names.inputBucket,
      resultsBucketName: names.resultsBucket,
      key,
      inputDays: cfg.retention.inputDays,
      resultsDays: cfg.retention.resultsDays,
      tenantResultsDays: tenantResultsDays(cfg),
      transcriptsDays: cfg.retention.transcriptsDays,
      athenaResultsDays: cfg.retention.athenaResultsDays,
    });
    this.storage = storage;
    const { input, results } = storage;

    // §4.2 Transcribe's data-access role.
    const transcribe = new TranscribeAccess(this, "transcribe-access", {
      roleName: names.transcribeRoleName,
      input,
      results,
      outputPrefix: TMP_PREFIX,
      key,
    });

    // §5 Parameter Store.
    new ConfigParameters(this, "config-parameters", {
      configPath: names.configPath,
      models: modelSettings(cfg),
      tenants: cfg.tenants,
      environment: cfg,
    });

    // §9, §12 Alarm topic (budgets and every alarm notify it).
    const alarms = new AlarmTopic(this, "alarms", { topicName: names.alarmTopic, key, emails: cfg.alarms.emails });

    // §12 Private networking (optional): a VPC without internet, endpoints for every service the functions call.
    const net = resolveNetwork(cfg);
    const functionRoleArns = HANDLER_NAMES.map((h) => names.roleArn(`${h}-fn`));
    // What the functions' AWS calls act on (modules/iam/call-targets.ts): their roles and the endpoint policies.
    const targets: CallTargets = {
      transcriptionJobArn: ctx.arn("transcribe", `transcription-job/${names.jobNamePrefix}*`),
      configPathArn: ctx.arn("ssm", `parameter${names.configPath}`),
      bedrockResourceArns: bedrockResourceArns(cfg),
      analyzeFunctionArn: ctx.arn("lambda", `function:${names.functionName("analyze")}`),
      settings: { deleteInputOnSuccess: cfg.processing.deleteInputOnSuccess },
    };
    if (net.mode !== "off") {
      this.network = new PrivateNetwork(this, "network", {
        network: net,
        scope: { functionRoleArns, inputBucketArn: names.inputBucketArn, resultsBucketArn: names.resultsBucketArn, ...targets },
      });
      storage.denyFunctionsOutsideEndpoint(functionRoleArns, this.network.s3Endpoint.id);
    }

    // §6-§8 (replaced) start / analyze / reconcile functions, the intake queue in front of start, job events behind.
    const p = cfg.processing;
    this.functions = new PipelineFunctions(this, "functions", {
      key,
      input,
      results,
      transcribeRole: transcribe.role,
      targets,
      settings: {
        environment: cfg.environment,
        inputBucket: names.inputBucket,
        resultsBucket: names.resultsBucket,
        kmsKeyArn: key.key.arn,
        jobNamePrefix: names.jobNamePrefix,
        configPath: names.configPath,
        bedrockModelId: cfg.bedrock.modelId,
        bedrockRegion: bedrockRegion(cfg),
        bedrockMaxTokens: cfg.bedrock.maxTokens,
        deleteInputOnSuccess: p.deleteInputOnSuccess,
        stuckJobHours: p.stuckJobHours,
        reconcileLookbackHours: 48,
        reconcileMaxHandouts: handoutBudget(p.quotas, p.reconcileEveryMinutes),
      },
      reservedConcurrency: p.reservedConcurrency,
      categoryRules: categoryDocument(cfg.tenants),
      logRetentionDays: cfg.retention.logsDays,
      alarms,
      bundles: options.bundles,
      vpc: this.network?.functionNetwork,
    });
    this.intake = new Intake(this, "intake", {
      key,
      input,
      consumer: this.functions.start,
      maxReceiveCount: p.maxReceiveCount,
      maxConcurrency: p.intakeMaxConcurrency,
      paused: p.paused,
      inputDays: cfg.retention.inputDays,
      alarms,
    });
    const jobEvents = new JobEvents(this, "job-events", {
      key,
      jobNamePrefix: names.jobNamePrefix,
      analyze: this.functions.analyze,
      reconcile: this.functions.reconcile,
      reconcileEveryMinutes: p.reconcileEveryMinutes,
      alarms,
    });

    // §10 Glue + Athena.
    const analytics = new Analytics(this, "analytics", {
      databaseName: names.glueDatabase,
      tableName: names.resultsTable,
      workgroupName: names.workgroup,
      results,
      queryResultsPrefix: ATHENA_RESULTS_PREFIX,
      tmpPrefix: TMP_PREFIX,
      tenantIds: cfg.tenants.map((t) => t.id),
      tenantTableName: names.tenantResultsTable,
      key,
      bytesScannedCutoffPerQuery: cfg.athena.bytesScannedCutoffPerQuery,
      crawler: cfg.glueCrawler.enabled ? { roleName: names.roleName("glue-crawler") } : false,
      projectionDays: resultsWindowDays(cfg),
    });

    // §11 Insight views (Athena views over the results table, docs/insights.md), with or without QuickSight.
    const insightViews = new InsightViews(this, "insight-views", {
      databaseName: names.glueDatabase,
      tableName: names.resultsTable,
      languages: [...new Set(cfg.tenants.flatMap((t) => t.languages))],
      windowDays: resultsWindowDays(cfg),
      dependsOn: [analytics.database, analytics.table],
    });

    // §11 QuickSight.
    if (cfg.quicksight.enabled) {
      const qs = cfg.quicksight;
      const principalArn = qs.principalArn;
      if (!principalArn) throw new Error("quicksight.principalArn is missing (validation requires it when quicksight.enabled is true)");
      const dashboards = new Dashboards(this, "dashboards", {
        workgroupName: analytics.workgroup.name,
        databaseName: names.glueDatabase,
        tableName: names.resultsTable,
        principalArn,
      });
      // The insights dashboard: a data set per view, row-level security on tenant, refresh, the visuals.
      const insights = new InsightDashboard(this, "insights", {
        dataSourceArn: dashboards.dataSource.arn,
        databaseName: names.glueDatabase,
        views: insightViews,
        ownerArn: principalArn,
        operatorsGroupArn: qs.operatorsGroup ? quicksightGroupArn(cfg, qs.operatorsGroup) : undefined,
        tenantGroupArns: new Map(cfg.tenants.map((t) => [t.id, t.quicksightGroups.map((g) => quicksightGroupArn(cfg, g))])),
        refresh: qs.refresh,
      });
      // The guide's calls data set carries every tenant's rows: the same row-level security.
      dashboards.restrictRows(insights.rules.arn);
      // QuickSight reads results (Decrypt) and Athena writes its query results (GenerateDataKey) as this role.
      key.grantExternalRole("AllowQuickSightServiceRole", ctx.iamArn(`role/${cfg.quicksight.serviceRoleName}`), ["kms:Decrypt", "kms:GenerateDataKey"]);
    }

    // §13 Tenant isolation: per-tenant access points, read-only role (its own Glue table, above) and Athena workgroup.
    new TenantAccess(this, "tenants", {
      workgroupStem: names.workgroup,
      tenants: cfg.tenants,
      key,
      input,
      results,
      bytesScannedCutoffPerQuery: cfg.athena.bytesScannedCutoffPerQuery,
      glueDatabase: names.glueDatabase,
      tenantTableName: names.tenantResultsTable,
    });

    // §12 Account hardening toggles: CloudTrail and GuardDuty.
    new AccountHardening(this, "hardening", {
      key,
      cloudtrail: cfg.cloudtrail.enabled,
      guardduty: cfg.guardduty.enabled ? { createDetector: cfg.guardduty.createDetector } : false,
      findingsTopic: alarms,
    });

    // §4.3, §13 People and systems outside the pipeline: uploaders, operators, analysts (docs/security.md).
    new PeopleAccess(this, "people", {
      key,
      input,
      results,
      uploaders: cfg.access.uploaders,
      tenantUploaders: new Map(cfg.tenants.map((t) => [t.id, t.uploaderPrincipals])),
      operators: cfg.access.operators,
      analysts: cfg.access.analysts,
      transcriptReaders: transcriptReadersByTenant(cfg.access.transcriptReaders),
      intakeQueue: this.intake.queue,
      deadLetterQueues: [this.intake.deadLetterQueue, jobEvents.deadLetterQueue],
      functions: [this.functions.start, this.functions.analyze, this.functions.reconcile],
      reprocess: this.functions.analyze,
      workgroupName: names.workgroup,
      glueDatabase: names.glueDatabase,
      resultsTable: names.resultsTable,
      insightViews: INSIGHT_VIEWS.map((v) => v.name),
      jobNamePrefix: names.jobNamePrefix,
    });

    // §14 Budget.
    new CostBudget(this, "budget", {
      name: `${names.stem}-monthly`,
      monthlyLimit: cfg.budget.monthlyLimit,
      currency: cfg.budget.currency,
      services: cfg.budget.services,
      topic: alarms,
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
    // Per account: no environment, so no naming stem (each environment's stem is a DeployTarget below).
    const ctx = StackContext.set(this, { accountId: first.accountId, region: first.region });
    new LocalBackend(this, { path: "terraform.bootstrap.tfstate" });
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    awsProvider(this, first, SHARED_ENVIRONMENT);
    Aspects.of(this).add(new SecurityRules()); // §12, §16 Security rule pack: a violation fails synth (docs/security.md).
    const state = stateNames(first.namePrefix, ctx.accountId, ctx.region);
    const remote = new RemoteState(this, "state", { state });
    const delivery = new DeliveryAccess(this, "delivery", {
      namePrefix: first.namePrefix,
      state,
      github: first.github,
      mainBranch: first.github.mainBranch,
      environments: envs.map((c) => ({
        environment: c.environment,
        deployEnvironment: c.github.deployEnvironment,
        stem: naming(c).stem,
        peopleAttachments: peopleAttachments(c, naming(c).stem),
      })),
      useExistingOidcProvider: first.github.useExistingOidcProvider,
      dataBucketArns: envs.flatMap((c) => [naming(c).inputBucketArn, naming(c).resultsBucketArn]),
    });
    for (const arn of [...Object.values(delivery.planRoleArns), ...Object.values(delivery.applyRoleArns)]) remote.key.grantUse(arn);
    // Hand deploys and break-glass: administrators use the state key (their own IAM policies must allow KMS too).
    for (const admin of new Set(envs.flatMap((c) => c.access.administrators))) remote.key.grantUse(admin);
    new TerraformOutput(this, "state_bucket", { value: state.bucket });
    new TerraformOutput(this, "plan_role_arns", { description: "Plan role per CCI Lite environment", value: delivery.planRoleArns });
    new TerraformOutput(this, "apply_role_arns", { description: "Apply role per CCI Lite environment", value: delivery.applyRoleArns });
  }
}

/** The stack name of the repository's settings; it is never planned offline (scripts/offline-plan.ts). */
export const GITHUB_STACK = "github";

/**
 * The repository's delivery settings (`modules/github`), applied by an administrator with local state and a GitHub
 * token (`GITHUB_TOKEN`, or `gh auth token`): environments, the `main` ruleset, Actions permissions, the OIDC subject
 * template, variables and labels (docs/delivery.md, "The github stack").
 */
export class GithubStack extends TerraformStack {
  constructor(scope: Construct, id: string, envs: readonly CciLiteConfig[]) {
    super(scope, id);
    const settings = repositorySettings(envs);
    const first = envs[0] as CciLiteConfig;
    new LocalBackend(this, { path: "terraform.github.tfstate" });
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    new GithubProvider(this, "github", { owner: settings.owner });
    new GithubSettings(this, "settings", {
      settings,
      allowedActions: pinnedActions(readWorkflows()),
      // The workflows take each stack's plan role from the matrix (per environment), not from a variable.
      variables: repositoryVariables({ region: first.region, artifactRetentionDays: settings.artifactRetentionDays }),
    });
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
  readonly bundles?: Record<HandlerName, LambdaBundle>;
}

/** Builds the app: a bootstrap stack per account, the github stack and one stack per environment. Validates every configuration first. */
export function buildApp(options: BuildOptions = {}): App {
  const configDir = options.configDir ?? process.env.CCI_LITE_CONFIG_DIR ?? path.join(__dirname, "config");
  const envs = loadEnvironments(configDir, options.environments ?? process.env.CCI_LITE_ENVS);
  const app = new App({ outdir: options.outdir, skipValidation: false });
  // One bootstrap stack per account: its state bucket, OIDC provider, boundary and its environments' roles.
  for (const group of accountGroups(envs)) new BootstrapStack(app, group.stackName, group.environments);
  new GithubStack(app, GITHUB_STACK, envs);
  for (const cfg of envs) new CciLiteStack(app, cfg, { bundles: options.bundles });
  return app;
}

if (require.main === module) {
  try {
    buildApp().synth();
  } catch (e) {
    // Configuration errors name the file and field; print them without a stack trace.
    console.error(isUserError(e) ? e.message : e);
    process.exit(1);
  }
}
