/**
 * Proof 1: no hidden creation order (docs/security.md). Whenever a resource names another resource of its stack by a
 * literal string, there is a dependency path between them, unless AWS accepts the use before the target exists
 * (ALLOWED_USES). Checked on the real synthesized JSON of every stack, default configuration and every toggle on.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import {
  ALLOWED_USES,
  analyze,
  analyzeStack,
  DELIVERY_FIELDS,
  formatFindings,
  IDENTITY_RULES,
  POLICY_ATTACHMENTS,
  verifySynthOutput,
  type StackDocument,
} from "../../scripts/verify/hidden-dependencies";
import { FIXTURE_STACK, hiddenDependencyStack } from "../fixtures/hidden-dependency-app";
import { BASE_CONFIG, synthApp, synthBootstrap } from "../helpers/synth";
import type { CciLiteConfigInput } from "../../modules/config/schema";

const ACCOUNT = "111122223333";
const REGION = "eu-central-1";

/** A stack document with the provider block the analysis reads its account and region from. */
function stack(resource: Record<string, Record<string, any>>): StackDocument {
  return { provider: { aws: [{ region: REGION, allowed_account_ids: [ACCOUNT] }] }, resource };
}

const policy = (statements: any[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("analyzer (hand-written stacks)", () => {
  const logGroup = { lg: { name: "/app/logs" } };

  it("reports a literal name without a dependency path, with both addresses, the literal and where it is", () => {
    const findings = analyzeStack(
      stack({ aws_cloudwatch_log_group: logGroup, aws_cloudwatch_log_metric_filter: { mf: { name: "errors", log_group_name: "/app/logs" } } }),
    );
    expect(findings).toEqual([
      { from: "aws_cloudwatch_log_metric_filter.mf", to: "aws_cloudwatch_log_group.lg", literal: "/app/logs", path: "log_group_name", rule: "names-target" },
    ]);
  });

  it("a reference is a dependency: no finding", () => {
    expect(
      analyzeStack(
        stack({ aws_cloudwatch_log_group: logGroup, aws_cloudwatch_log_metric_filter: { mf: { log_group_name: "${aws_cloudwatch_log_group.lg.name}" } } }),
      ),
    ).toEqual([]);
  });

  it("depends_on is a dependency: no finding", () => {
    expect(
      analyzeStack(
        stack({
          aws_cloudwatch_log_group: logGroup,
          aws_cloudwatch_log_metric_filter: { mf: { log_group_name: "/app/logs", depends_on: ["aws_cloudwatch_log_group.lg"] } },
        }),
      ),
    ).toEqual([]);
  });

  it("a transitive path (depends_on, then a reference) is a dependency: no finding", () => {
    const doc = stack({
      aws_cloudwatch_log_group: logGroup,
      aws_lambda_function: { fn: { function_name: "app", logging_config: { log_group: "${aws_cloudwatch_log_group.lg.name}" } } },
      aws_cloudwatch_log_metric_filter: { mf: { log_group_name: "/app/logs", depends_on: ["aws_lambda_function.fn"] } },
    });
    expect(analyzeStack(doc)).toEqual([]);
  });

  it("an ARN in an identity policy's Resource is allowed (IAM does not resolve it)", () => {
    const doc = stack({
      aws_s3_bucket: { b: { bucket: "my-bucket" } },
      aws_iam_role: {
        r: { name: "app", assume_role_policy: policy([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]) },
      },
      aws_iam_role_policy: {
        p: {
          role: "${aws_iam_role.r.name}",
          policy: policy([{ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket"] }]),
        },
      },
    });
    const { findings, allowed } = analyze(doc);
    expect(findings).toEqual([]);
    expect(allowed.map((a) => [a.from, a.to, a.allowedBy])).toEqual([
      ["aws_iam_role_policy.p", "aws_s3_bucket.b", "identity-policy-resource"],
      ["aws_iam_role_policy.p", "aws_s3_bucket.b", "identity-policy-resource"],
    ]);
  });

  it("a role named as Principal.AWS in a JSON-encoded resource policy is a finding", () => {
    const doc = stack({
      aws_iam_role: { reader: { name: "reader", assume_role_policy: "{}" } },
      aws_s3_bucket: { b: { bucket: "my-bucket" } },
      aws_s3_bucket_policy: {
        bp: {
          bucket: "${aws_s3_bucket.b.id}",
          policy: policy([
            { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/reader"] }, Action: "s3:GetObject", Resource: "arn:aws:s3:::my-bucket/*" },
          ]),
        },
      },
    });
    expect(analyzeStack(doc)).toEqual([
      {
        from: "aws_s3_bucket_policy.bp",
        to: "aws_iam_role.reader",
        literal: "arn:aws:iam::111122223333:role/reader",
        path: "policy#Statement[0].Principal.AWS[0]",
        rule: "names-target",
      },
    ]);
  });

  it("the same principal in a condition (aws:PrincipalArn) is allowed", () => {
    const doc = stack({
      aws_iam_role: { reader: { name: "reader" } },
      aws_kms_key: {
        k: {
          policy: policy([
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::111122223333:root" },
              Action: "kms:Decrypt",
              Resource: "*",
              Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/reader" } },
            },
          ]),
        },
      },
    });
    const { findings, allowed } = analyze(doc);
    expect(findings).toEqual([]);
    expect(allowed.map((a) => a.allowedBy)).toEqual(["policy-condition-value"]);
  });

  it("an OIDC provider ARN as Federated principal of a trust policy is a finding", () => {
    const doc = stack({
      aws_iam_openid_connect_provider: { gh: { url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] } },
      aws_iam_role: {
        ci: {
          name: "ci",
          assume_role_policy: policy([
            {
              Effect: "Allow",
              Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
              Action: "sts:AssumeRoleWithWebIdentity",
            },
          ]),
        },
      },
    });
    expect(analyzeStack(doc).map((f) => [f.from, f.to, f.path])).toEqual([
      ["aws_iam_role.ci", "aws_iam_openid_connect_provider.gh", "assume_role_policy#Statement[0].Principal.Federated"],
    ]);
  });

  it("a resource naming itself is fine; ARN forms with /, : or * suffixes count, other suffixes do not", () => {
    const self = stack({
      aws_s3_access_point: {
        ap: {
          name: "ap",
          bucket: "b",
          policy: policy([{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:eu-central-1:111122223333:accesspoint/ap/object/*" }]),
        },
      },
    });
    expect(analyzeStack(self)).toEqual([]);
    const doc = stack({
      aws_cloudwatch_log_group: logGroup,
      aws_sqs_queue: { q: { name: "jobs" } },
      aws_cloudwatch_event_target: {
        a: { rule: "r", arn: "arn:aws:sqs:eu-central-1:111122223333:jobs-dlq" },
        b: { rule: "r", arn: "arn:aws:logs:eu-central-1:111122223333:log-group:/app/logs:*" },
      },
    });
    expect(analyzeStack(doc).map((f) => [f.from, f.to])).toEqual([["aws_cloudwatch_event_target.b", "aws_cloudwatch_log_group.lg"]]);
  });

  it("strings Terraform interpolates are references, not literals; `$${` is a literal", () => {
    const doc = stack({
      aws_s3_bucket: { b: { bucket: "data" } },
      aws_glue_catalog_table: {
        ok: { name: "t1", storage_descriptor: { location: "s3://${aws_s3_bucket.b.bucket}/x/" } },
        hidden: { name: "t2", parameters: { "storage.location.template": "s3://data/$${tenant}/" } },
      },
    });
    expect(analyzeStack(doc).map((f) => [f.from, f.to, f.path])).toEqual([
      ["aws_glue_catalog_table.hidden", "aws_s3_bucket.b", "parameters.storage.location.template"],
    ]);
  });

  it("follows references when building identities (a table's ARN from its database's name)", () => {
    const doc = stack({
      aws_glue_catalog_database: { db: { name: "analytics" } },
      aws_glue_catalog_table: { t: { name: "calls", database_name: "${aws_glue_catalog_database.db.name}" } },
      aws_lakeformation_permissions: { p: { table: { arn: "arn:aws:glue:eu-central-1:111122223333:table/analytics/calls" } } },
    });
    expect(analyzeStack(doc).map((f) => f.to)).toEqual(["aws_glue_catalog_table.t"]);
  });

  it("names in Lambda environment variables and alarm dimensions are allowed (opaque to AWS until used)", () => {
    const doc = stack({
      aws_sqs_queue: { q: { name: "jobs" } },
      aws_lambda_function: { fn: { function_name: "worker", environment: { variables: { QUEUE: "jobs" } } } },
      aws_cloudwatch_metric_alarm: { a: { alarm_name: "backlog", dimensions: { QueueName: "jobs" } } },
    });
    expect(
      analyze(doc)
        .allowed.map((a) => a.allowedBy)
        .sort(),
    ).toEqual(["lambda-environment", "metric-dimensions"]);
    expect(analyzeStack(doc)).toEqual([]);
  });

  it("a delivery (budget → topic) needs the topic's policy first, even through a reference", () => {
    const resources = (budgetDependsOn?: string[]) =>
      stack({
        aws_sns_topic: { t: { name: "alerts" } },
        aws_sns_topic_policy: { tp: { arn: "${aws_sns_topic.t.arn}", policy: "{}" } },
        aws_budgets_budget: {
          b: {
            name: "monthly",
            notification: [{ subscriber_sns_topic_arns: ["${aws_sns_topic.t.arn}"] }],
            ...(budgetDependsOn ? { depends_on: budgetDependsOn } : {}),
          },
        },
      });
    expect(analyzeStack(resources())).toEqual([
      {
        from: "aws_budgets_budget.b",
        to: "aws_sns_topic_policy.tp",
        literal: "${aws_sns_topic.t.arn}",
        path: "notification[0].subscriber_sns_topic_arns[0]",
        rule: "delivery-needs-policy",
        via: "aws_sns_topic.t",
      },
    ]);
    expect(analyzeStack(resources(["aws_sns_topic_policy.tp"]))).toEqual([]);
  });

  it("takes account and region from the provider block, or fails naming what is missing", () => {
    expect(() => analyzeStack({ resource: {} })).toThrow(/allowed_account_ids/);
    expect(
      analyzeStack(
        { resource: { aws_sqs_queue: { q: { name: "q" } }, aws_sns_topic: { t: { name: "t", x: "arn:aws:sqs:us-east-1:444455556666:q" } } } },
        { account: "444455556666", region: "us-east-1" },
      ),
    ).toHaveLength(1);
  });

  it("documents every allowed use with a reason and an AWS documentation link; the tables are per resource type", () => {
    expect(ALLOWED_USES.length).toBeLessThanOrEqual(6);
    for (const a of ALLOWED_USES) {
      expect(a.id).toMatch(/^[a-z-]+$/);
      expect(a.reason.length).toBeGreaterThan(30);
      expect(a.doc).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
    for (const t of [...Object.keys(IDENTITY_RULES), ...Object.keys(DELIVERY_FIELDS), ...Object.keys(POLICY_ATTACHMENTS)])
      expect(t).toMatch(/^aws_[a-z0-9_]+$/);
  });

  it("docs/security.md lists every allowed use", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "security.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Proof: no hidden creation order"));
    expect(section.length).toBeGreaterThan(100);
    for (const a of ALLOWED_USES) expect(section).toContain(`| ${a.id} |`);
  });
});

describe("planted fixture app", () => {
  it("fails the proof with the addresses of both hidden dependencies", () => {
    const json = Testing.synth(hiddenDependencyStack(Testing.app()));
    const findings = analyzeStack(JSON.parse(json));
    expect(findings.map((f) => [f.from, f.to, f.path])).toEqual([
      ["aws_cloudwatch_log_metric_filter.error-filter", "aws_cloudwatch_log_group.app-logs", "log_group_name"],
      ["aws_sqs_queue_policy.inbox-policy", "aws_iam_role.reader", "policy#Statement[0].Principal.AWS"],
    ]);
    const text = formatFindings(findings);
    expect(text).toContain("aws_cloudwatch_log_metric_filter.error-filter names aws_cloudwatch_log_group.app-logs");
    expect(text).toContain("aws_sqs_queue_policy.inbox-policy names aws_iam_role.reader");
  });

  it("fails it through a real app synth (manifest, cdk.tf.json) too", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-hidden-dependency-"));
    try {
      const app = new App({ outdir, context: { "@cdktf/disable_stack_trace_in_metadata": true } });
      hiddenDependencyStack(app);
      app.synth();
      const [result] = verifySynthOutput(outdir);
      expect(result.stack).toBe(FIXTURE_STACK);
      expect(result.findings.map((f) => f.from).sort()).toEqual(["aws_cloudwatch_log_metric_filter.error-filter", "aws_sqs_queue_policy.inbox-policy"]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

/** Every toggle on, several tenants with reader principals. */
const ALL_TOGGLES: Partial<CciLiteConfigInput> = {
  quicksight: { enabled: true, principalArn: `arn:aws:quicksight:${REGION}:${ACCOUNT}:user/default/cci-lite-admin` },
  cloudtrail: { enabled: true },
  guardduty: { enabled: true },
  glueCrawler: { enabled: true },
  tenants: [
    { id: "demo-tenant", languages: ["en-US"], readerPrincipals: [`arn:aws:iam::${ACCOUNT}:role/analyst`] },
    { id: "acme", languages: ["en-GB", "de-DE"], readerPrincipals: ["arn:aws:iam::444455556666:root", `arn:aws:iam::${ACCOUNT}:user/bob`] },
    { id: "globex", languages: ["en-US"] },
  ],
} as Partial<CciLiteConfigInput>;

describe("real app: no hidden creation order", () => {
  const cases: [string, Partial<CciLiteConfigInput>][] = [
    ["default configuration", {}],
    ["every toggle on", ALL_TOGGLES],
  ];

  describe.each(cases)("%s", (_label, overrides) => {
    let app: StackDocument;
    let bootstrap: StackDocument;
    beforeAll(() => {
      app = synthApp(overrides).json;
      bootstrap = synthBootstrap(overrides).json;
    });

    it(`cci-lite-${BASE_CONFIG.environment}: every literal name has a dependency path (or an allowed use)`, () => {
      expect(formatFindings(analyzeStack(app))).toBe("");
    });

    it("bootstrap: every literal name has a dependency path (or an allowed use)", () => {
      expect(formatFindings(analyzeStack(bootstrap))).toBe("");
    });
  });

  it("the every-toggle synth really contains the toggled resources", () => {
    const r = synthApp(ALL_TOGGLES).json.resource;
    for (const t of ["aws_cloudtrail", "aws_glue_crawler", "aws_quicksight_data_source", "aws_athena_workgroup"])
      expect(Object.keys(r[t] ?? {}).length).toBeGreaterThan(0);
    expect(Object.keys(r.aws_iam_role).filter((id) => id.includes("reader")).length).toBe(3);
  });
});
