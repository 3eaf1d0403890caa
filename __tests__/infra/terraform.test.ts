/**
 * The whole app through real Terraform 1.11 and AWS provider 5.100.0, offline: init from the mirror with the
 * committed lock files, validate, plan (local backend, fake credentials). Fails, never skips, without Terraform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { decodePrestoView, INSIGHT_VIEWS } from "../../modules/insights/views";
import { loadOfflinePlan, offlinePlanIndex, plannedResources, PLAN_TIMEOUT_MS, type LoadedPlan } from "../helpers/offline-plan";
import { INIT_ARGS, PROVIDER_MIRROR, providerSetup, stacksOf, TF_CLI_CONFIG, terraformEnv, writeProviderConfig } from "../../scripts/offline-plan";

let bootstrap: LoadedPlan;
let prod: LoadedPlan;

beforeAll(() => {
  bootstrap = loadOfflinePlan("bootstrap-prod");
  prod = loadOfflinePlan("cci-lite-prod");
}, PLAN_TIMEOUT_MS);

const types = (p: LoadedPlan) => new Set((p.json.resource_changes as any[]).map((r) => r.type));

describe("offline terraform", () => {
  it("synthesizes a bootstrap stack per account (prod and dev: one each), the github stack and one stack per environment, and plans all but github (dev in the modes target)", () => {
    const synthOut = path.dirname(path.dirname(prod.synthDir));
    expect(
      stacksOf(synthOut)
        .map((s) => s.name)
        .sort(),
    ).toEqual(["bootstrap-dev", "bootstrap-prod", "cci-lite-dev", "cci-lite-prod", "github"]);
    expect(offlinePlanIndex().stacks.map((s) => s.name)).toEqual(["cci-lite-prod", "bootstrap-prod"]);
    // The shared-account configuration (dev in prod's account): one bootstrap stack for both.
    expect(offlinePlanIndex("modes").stacks.map((s) => s.name)).toEqual(["cci-lite-prod", "cci-lite-dev", "bootstrap"]);
  });

  it("bootstrap: validates and plans the state bucket, its key, the OIDC provider and the account's delivery roles", () => {
    expect(bootstrap.counts).toMatchObject({ update: 0, delete: 0, replace: 0 });
    for (const t of ["aws_s3_bucket", "aws_s3_bucket_versioning", "aws_kms_key", "aws_iam_openid_connect_provider", "aws_iam_role", "aws_iam_role_policy"]) {
      expect(types(bootstrap)).toContain(t);
    }
    expect(
      plannedResources(bootstrap, "aws_iam_role")
        .map((r) => r.after.name)
        .sort(),
    ).toEqual(["cci-lite-github-apply-prod", "cci-lite-github-plan-prod"]);
    const shared = loadOfflinePlan("bootstrap", "modes");
    expect(
      plannedResources(shared, "aws_iam_role")
        .map((r) => r.after.name)
        .sort(),
    ).toEqual(["cci-lite-github-apply-dev", "cci-lite-github-apply-prod", "cci-lite-github-plan-dev", "cci-lite-github-plan-prod"]);
  });

  it("application: validates and plans every construct of the foundation and the pipeline", () => {
    expect(prod.counts.create).toBeGreaterThan(70);
    expect(prod.counts).toMatchObject({ update: 0, delete: 0, replace: 0 });
    for (const t of [
      "aws_kms_key",
      "aws_kms_alias",
      "aws_s3_bucket",
      "aws_s3_bucket_policy",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_lifecycle_configuration",
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_notification",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_ssm_parameter",
      "aws_sqs_queue",
      "aws_sqs_queue_policy",
      "aws_lambda_function",
      "aws_lambda_event_source_mapping",
      "aws_lambda_permission",
      "aws_lambda_function_event_invoke_config",
      "aws_cloudwatch_event_rule",
      "aws_cloudwatch_event_target",
      "aws_cloudwatch_log_group",
      "aws_cloudwatch_log_metric_filter",
      "aws_cloudwatch_metric_alarm",
      "aws_sns_topic",
      "aws_sns_topic_policy",
      "aws_sns_topic_subscription",
      "aws_glue_catalog_database",
      "aws_glue_catalog_table",
      "aws_athena_workgroup",
      "aws_athena_named_query",
      "aws_quicksight_data_source",
      "aws_quicksight_data_set",
      "aws_quicksight_refresh_schedule",
      "aws_quicksight_dashboard",
      "aws_budgets_budget",
    ]) {
      expect(types(prod)).toContain(t);
    }
  });

  it("uses no data source, so a plan never needs to call AWS", () => {
    for (const p of [bootstrap, prod]) {
      const resources = (p.json.configuration.root_module.resources ?? []) as any[];
      expect(resources.filter((r) => r.mode === "data")).toEqual([]);
    }
  });

  it("plans the guide's retention as lifecycle days Terraform will apply", () => {
    const rules = plannedResources(prod, "aws_s3_bucket_lifecycle_configuration").flatMap((r) => r.after.rule);
    const days = Object.fromEntries(rules.filter((r: any) => r.expiration?.length).map((r: any) => [r.id, r.expiration[0].days]));
    expect(days).toMatchObject({ "input-retention-1d": 1, "results-tenant-demo-tenant": 30, "tmp-transcripts": 7 });
  });

  it("hands Athena the literal projection template (Terraform's escape removed)", () => {
    const tables = plannedResources(prod, "aws_glue_catalog_table").filter((t) => t.after.table_type === "EXTERNAL_TABLE");
    expect(tables.map((t) => t.after.name).sort()).toEqual(["call_results", "call_results_demo_tenant"]);
    for (const table of tables)
      expect(table.after.parameters["storage.location.template"]).toBe("s3://cci-lite-prod-results-111122223333-eu-central-1/${tenant}/${call_date}/");
  });

  it("quicksight on (prod): the insight views, data sets, refresh schedules, row-level security and the dashboard", () => {
    const views = plannedResources(prod, "aws_glue_catalog_table").filter((t) => t.after.table_type === "VIRTUAL_VIEW");
    expect(views.map((v) => v.after.name).sort()).toEqual(INSIGHT_VIEWS.map((v) => v.name).sort());
    const sets = plannedResources(prod, "aws_quicksight_data_set");
    expect(sets.map((d) => d.after.data_set_id).sort()).toEqual(
      ["cci-lite-prod-calls", "cci-lite-prod-insights-rls", ...INSIGHT_VIEWS.map((v) => `cci-lite-prod-insights-${v.id}`)].sort(),
    );
    for (const d of sets.filter((x) => x.after.data_set_id.includes("-insights-") && !x.after.data_set_id.endsWith("-rls")))
      expect(d.afterUnknown.row_level_permission_data_set[0].arn).toBe(true);
    expect(plannedResources(prod, "aws_quicksight_refresh_schedule")).toHaveLength(INSIGHT_VIEWS.length);
    const [dashboard] = plannedResources(prod, "aws_quicksight_dashboard");
    expect(dashboard.after.dashboard_id).toBe("cci-lite-prod-insights");
    expect(dashboard.after.definition[0].sheets[0].visuals).toHaveLength(9);
  });

  it("call categories (issue 23): the results table's column, the categories view and the dashboard's visual on its RLS data set", () => {
    const table = plannedResources(prod, "aws_glue_catalog_table").find((t) => t.after.name === "call_results");
    expect(table?.after.storage_descriptor[0].columns).toContainEqual(
      expect.objectContaining({ name: "categories", type: "array<struct<name:string,matched_by:array<string>>>" }),
    );
    const view = plannedResources(prod, "aws_glue_catalog_table").find((t) => t.after.name === "insights_categories_daily");
    expect(decodePrestoView(view?.after.view_original_text).originalSql).toContain("CROSS JOIN UNNEST(r.categories) AS c(name, matched_by)");
    const [set] = plannedResources(prod, "aws_quicksight_data_set").filter((d) => d.after.data_set_id === "cci-lite-prod-insights-categories");
    expect(set.afterUnknown.row_level_permission_data_set[0].arn).toBe(true);
    const [dashboard] = plannedResources(prod, "aws_quicksight_dashboard");
    const visual = dashboard.after.definition[0].sheets[0].visuals.find((v: any) => v.bar_chart_visual?.[0]?.visual_id === "calls-by-category");
    expect(visual.bar_chart_visual[0].title[0].format_text[0].plain_text).toBe("Calls by category");
    expect(dashboard.after.definition[0].data_set_identifiers_declarations.map((d: any) => d.identifier)).toContain("categories");
  });

  it("quicksight off (dev, here in an existing VPC): validates and plans the views and nothing QuickSight", () => {
    const dev = loadOfflinePlan("cci-lite-dev", "modes");
    expect([...types(dev)].filter((t) => t.startsWith("aws_quicksight_"))).toEqual([]);
    expect(plannedResources(dev, "aws_glue_catalog_table").filter((t) => t.after.table_type === "VIRTUAL_VIEW")).toHaveLength(INSIGHT_VIEWS.length);
  });

  // Every IAM and resource policy being known JSON in the plan is proven in __tests__/security/simulation.test.ts.

  it("packages each function from a zip next to the stack with a stable source hash", () => {
    for (const f of plannedResources(prod, "aws_lambda_function")) {
      expect(fs.existsSync(path.join(prod.workDir, f.after.filename))).toBe(true);
      expect(f.after.source_code_hash).toMatch(/^[0-9A-F]{32,}$/i);
    }
  });
});

describe("where the AWS provider comes from (no download in these tests)", () => {
  const REPO = path.join(__dirname, "..", "..");

  it("mirror present (this machine, CI): the committed tf/offline.tfrc, filesystem mirror only", () => {
    const setup = providerSetup(PROVIDER_MIRROR);
    expect(setup).toMatchObject({ mode: "mirror", cliConfigFile: TF_CLI_CONFIG });
    expect(setup.cliConfig).toMatch(/filesystem_mirror \{\s*path\s*= "\/opt\/tf-plugins"/);
    expect(setup.cliConfig).toMatch(/direct \{\s*exclude = \["registry\.terraform\.io\/\*\/\*"\]/);
    expect(terraformEnv(setup).TF_CLI_CONFIG_FILE).toBe(TF_CLI_CONFIG);
    expect(setup.pluginCacheDir).toBeUndefined();
  });

  it("mirror absent (a laptop): registry into a plugin cache under the repository, read-only lock file", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "providers-"));
    try {
      const setup = providerSetup("/nonexistent/tf-plugins", repo);
      expect(setup.mode).toBe("registry");
      expect(setup.pluginCacheDir).toBe(path.join(repo, ".terraform-plugins", "cache"));
      expect(setup.cliConfigFile).toBe(path.join(repo, ".terraform-plugins", "registry.tfrc"));
      expect(setup.cliConfig).toContain(`plugin_cache_dir   = ${JSON.stringify(setup.pluginCacheDir)}`);
      expect(setup.cliConfig).toMatch(/provider_installation \{\n {2}direct \{\}\n\}/);
      expect(setup.cliConfig).not.toMatch(/filesystem_mirror/);
      expect(terraformEnv(setup).TF_CLI_CONFIG_FILE).toBe(setup.cliConfigFile);
      // Every init verifies the provider against the committed lock file and never rewrites it.
      expect(INIT_ARGS).toEqual(["init", "-input=false", "-lockfile=readonly", "-no-color"]);
      writeProviderConfig(setup);
      expect(fs.readFileSync(setup.cliConfigFile, "utf8")).toBe(setup.cliConfig);
      expect(fs.statSync(setup.pluginCacheDir!).isDirectory()).toBe(true);
      // Terraform accepts the generated CLI configuration: init of a configuration without providers downloads nothing.
      const dir = path.join(repo, "empty");
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ terraform: {} }));
      const r = spawnSync("terraform", [...INIT_ARGS], { cwd: dir, env: terraformEnv(setup), encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(/Warning|Error/);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("another mirror directory gets a generated mirror-only configuration", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "providers-"));
    try {
      const mirror = path.join(repo, "mirror");
      fs.mkdirSync(path.join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0"), { recursive: true });
      const setup = providerSetup(mirror, repo);
      expect(setup.mode).toBe("mirror");
      expect(setup.cliConfig).toContain(`path    = ${JSON.stringify(mirror)}`);
      expect(setup.cliConfigFile).toBe(path.join(repo, ".terraform-plugins", "mirror.tfrc"));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("the plugin cache is git-ignored", () => {
    expect(fs.readFileSync(path.join(REPO, ".gitignore"), "utf8").split("\n")).toContain(".terraform-plugins/");
  });
});
