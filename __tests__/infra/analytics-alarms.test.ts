import { RESULT_COLUMNS } from "../../lambda-src/contracts/result-schema";
import { DATA_SET_COLUMNS } from "../../modules/dashboards";
import { doc, statement, synthApp } from "../helpers/synth";

const s = synthApp();
const RESULTS = "cci-lite-prod-results-111122223333-eu-central-1";
const TOPIC = "arn:aws:sns:eu-central-1:111122223333:cci-lite-prod-alarms";

describe("analytics (guide §10)", () => {
  const table = s.resource("aws_glue_catalog_table", "results-table");
  it("creates the Glue database", () => {
    expect(s.resource("aws_glue_catalog_database").name).toBe("cci_lite_prod");
  });
  it("projects partitions over tenant and date so a result is queryable the moment it is written", () => {
    expect(table.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.tenant.type": "enum",
      "projection.tenant.values": "demo-tenant,unassigned",
      "projection.call_date.type": "date",
      "projection.call_date.format": "yyyy/MM/dd",
      "projection.call_date.range": "NOW-45DAYS,NOW",
      "projection.call_date.interval.unit": "DAYS",
      // Escaped for Terraform; Athena receives ${tenant}/${call_date}.
      "storage.location.template": `s3://${RESULTS}/$\${tenant}/$\${call_date}/`,
    });
    expect(table.partition_keys.map((k: any) => k.name)).toEqual(["tenant", "call_date"]);
    // SSE-KMS data needs no table property; has_encrypted_data would declare CSE-KMS data.
    expect(table.parameters.has_encrypted_data).toBeUndefined();
  });
  it("takes its columns from the result schema in lambda-src (one definition)", () => {
    expect(table.storage_descriptor.columns.map((c: any) => [c.name, c.type])).toEqual(RESULT_COLUMNS.map((c) => [c.name, c.type]));
    expect(table.storage_descriptor.ser_de_info.serialization_library).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(table.storage_descriptor.columns.map((c: any) => c.name)).toEqual(expect.arrayContaining(["call_id", "summary", "sentiment", "timestamp"]));
  });
  it("lists every configured tenant in the projection", () => {
    const t = synthApp({ tenants: [{ id: "acme" }, { id: "beta" }] });
    expect(t.resource("aws_glue_catalog_table", "results-table").parameters["projection.tenant.values"]).toBe("acme,beta,unassigned");
  });
  it("gives each tenant its own table: the shared definition over the tenant's prefix, projecting that tenant only (guide §13)", () => {
    const t = synthApp({ tenants: [{ id: "acme" }, { id: "beta-co" }] });
    const shared = t.resource("aws_glue_catalog_table", "results-table");
    const tables = t.resources("aws_glue_catalog_table");
    expect(
      Object.values(tables)
        .filter((x: any) => x.table_type === "EXTERNAL_TABLE")
        .map((x: any) => x.name)
        .sort(),
    ).toEqual(["call_results", "call_results_acme", "call_results_beta_co"]);
    for (const [tenant, name] of [
      ["acme", "call_results_acme"],
      ["beta-co", "call_results_beta_co"],
    ]) {
      const own = t.resource("aws_glue_catalog_table", `tenant-table-${tenant}_`);
      expect(own.name).toBe(name);
      expect(own.database_name).toBe(shared.database_name);
      // One definition: columns, SerDe, formats, partition keys and projection are the shared table's.
      expect(own.storage_descriptor).toEqual({ ...shared.storage_descriptor, location: `s3://${RESULTS}/${tenant}/` });
      expect(own.partition_keys).toEqual(shared.partition_keys);
      expect(own.parameters).toEqual({ ...shared.parameters, "projection.tenant.values": tenant });
      expect(own.depends_on).toEqual(shared.depends_on);
    }
  });
  it("has a workgroup that enforces its settings, encrypts results with the key and caps scans", () => {
    const wg = s.resource("aws_athena_workgroup", "analytics_workgroup");
    expect(wg.configuration.enforce_workgroup_configuration).toBe(true);
    expect(wg.configuration.bytes_scanned_cutoff_per_query).toBe(10737418240);
    expect(wg.configuration.result_configuration.output_location).toBe(`s3://${RESULTS}/athena-results/`);
    expect(wg.configuration.result_configuration.encryption_configuration.encryption_option).toBe("SSE_KMS");
    expect(wg.configuration.result_configuration.encryption_configuration.kms_key_arn).toMatch(/^\$\{aws_kms_key\.key_[A-F0-9]+\.arn\}$/);
  });
  it("ships the guide's query, calls per day per tenant and average sentiment per day", () => {
    const q = Object.values(s.resources("aws_athena_named_query")) as any[];
    expect(q.map((x) => x.name).sort()).toEqual([
      "cci-lite-prod-average-sentiment-per-day",
      "cci-lite-prod-calls-per-day-per-tenant",
      "cci-lite-prod-latest-calls",
    ]);
    const latest = q.find((x) => x.name.endsWith("latest-calls")).query;
    expect(latest).toContain('SELECT tenant, call_id, status, "timestamp" FROM "cci_lite_prod"."call_results"');
    expect(q.find((x) => x.name.endsWith("sentiment-per-day")).query).toContain("avg(sentiment.sentimentscore.positive)");
    // A rejected non-audio or oversize file (rejected_file set) is not a call: counted apart, never a latest call.
    expect(latest).toContain("AND rejected_file IS NULL ORDER BY");
    const perDay = q.find((x) => x.name.endsWith("calls-per-day-per-tenant")).query;
    expect(perDay).toContain("count_if(rejected_file IS NULL) AS calls");
    expect(perDay).toContain("count_if(status = 'REJECTED' AND rejected_file IS NULL) AS rejected");
    expect(perDay).toContain("count_if(NOT rejected_file IS NULL) AS rejected_files");
  });
  it("leaves the guide's crawler off by default and builds it, scoped, when enabled", () => {
    expect(s.resources("aws_glue_crawler")).toEqual({});
    const t = synthApp({ glueCrawler: { enabled: true } });
    const crawler = t.resource("aws_glue_crawler");
    expect(crawler.table_prefix).toBe("crawled_");
    expect(crawler.s3_target[0].exclusions).toEqual(["tmp/**", "athena-results/**", "cci-lite/**"]);
    const read = statement(t.resource("aws_iam_role_policy", "crawler").policy, "ReadResults");
    expect(read.Resource).toEqual([`arn:aws:s3:::${RESULTS}/demo-tenant/*`]);
    expect(statement(t.resource("aws_kms_key").policy, "AllowUseByPipelinePrincipals").Condition.ArnEquals["aws:PrincipalArn"]).toContain(
      "arn:aws:iam::111122223333:role/cci-lite-prod-glue-crawler",
    );
  });
});

describe("dashboards (guide §11)", () => {
  it("creates an Athena data source on the workgroup and a direct-query data set over the results table", () => {
    const ds = s.resource("aws_quicksight_data_source");
    expect(ds).toMatchObject({
      type: "ATHENA",
      aws_account_id: "111122223333",
      parameters: { athena: { work_group: expect.stringMatching(/^\$\{aws_athena_workgroup\.analytics_workgroup_\w+\.name\}$/) } },
    });
    expect(ds.permission[0].principal).toBe("arn:aws:quicksight:eu-central-1:111122223333:user/default/cci-lite-admin");
    const set = s.resource("aws_quicksight_data_set", "dashboards_calls");
    expect(set.import_mode).toBe("DIRECT_QUERY");
    expect(set.physical_table_map[0].custom_sql.sql_query).toContain('FROM "cci_lite_prod"."call_results"');
    expect(set.physical_table_map[0].custom_sql.columns.map((c: any) => c.name)).toEqual(DATA_SET_COLUMNS.map((c) => c.name));
  });
  it("is left out when QuickSight is disabled", () => {
    const t = synthApp({ quicksight: { enabled: false } });
    expect(t.resources("aws_quicksight_data_source")).toEqual({});
    expect(JSON.stringify(t.resource("aws_kms_key").policy)).not.toContain("quicksight");
  });
});

describe("alarms base (guide §9, §12)", () => {
  it("encrypts the topic with the key and subscribes the configured e-mails", () => {
    expect(s.resource("aws_sns_topic").kms_master_key_id).toMatch(/aws_kms_key\.key_[A-F0-9]+\.arn/);
    expect(s.resource("aws_sns_topic_subscription")).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
  });
  it("lets only this account's alarms and budgets publish, over TLS", () => {
    const p = s.resource("aws_sns_topic_policy").policy;
    expect(statement(p, "AllowCloudWatchAlarms").Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:cloudwatch:eu-central-1:111122223333:alarm:*");
    expect(statement(p, "AllowBudgets").Condition.StringEquals["aws:SourceAccount"]).toBe("111122223333");
    expect(statement(p, "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });
  it("counts ERROR lines of every function's log group and alarms on them", () => {
    const filters = Object.values(s.resources("aws_cloudwatch_log_metric_filter")) as any[];
    // References (not name strings): a filter is created only after its group exists (PutMetricFilter does not wait).
    expect(filters.map((f) => f.log_group_name).sort()).toEqual(
      ["analyze", "reconcile", "start"].map((h) => expect.stringMatching(new RegExp(`^\\$\\{aws_cloudwatch_log_group\\.functions_${h}_logs_\\w+\\.name\\}$`))),
    );
    for (const f of filters) expect(f.pattern).toBe("ERROR");
  });
  it("sends every alarm and its recovery to the topic", () => {
    const alarms = Object.values(s.resources("aws_cloudwatch_metric_alarm")) as any[];
    expect(alarms.length).toBeGreaterThanOrEqual(18);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([TOPIC]);
      expect(a.ok_actions).toEqual([TOPIC]);
    }
  });
});

describe("budgets (guide §14)", () => {
  it("notifies at 50, 80 and 100 % of actual monthly cost, and at 100 % forecast", () => {
    const b = s.resource("aws_budgets_budget");
    expect(b).toMatchObject({ budget_type: "COST", time_unit: "MONTHLY", limit_amount: "100.00", limit_unit: "USD", account_id: "111122223333" });
    expect(b.notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([
      ["ACTUAL", 50],
      ["ACTUAL", 80],
      ["ACTUAL", 100],
      ["FORECASTED", 100],
    ]);
    for (const n of b.notification) {
      expect(n.subscriber_sns_topic_arns).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alarms_topic_\w+\.arn\}$/)]);
      expect(n.subscriber_email_addresses).toEqual(["ops@example.com"]);
    }
  });
  it("can be scoped to the services the guide names", () => {
    const t = synthApp({ budget: { monthlyLimit: 250, services: ["Amazon Transcribe", "Amazon Comprehend", "Amazon Bedrock"] } });
    expect(t.resource("aws_budgets_budget").cost_filter).toEqual([{ name: "Service", values: ["Amazon Transcribe", "Amazon Comprehend", "Amazon Bedrock"] }]);
  });
});

describe("policy documents", () => {
  it("are all plain JSON (no unresolved tokens), so reviewers read the real policy", () => {
    const policies = [
      ...Object.values(s.resources("aws_iam_role_policy")).map((p: any) => p.policy),
      ...Object.values(s.resources("aws_iam_role")).map((r: any) => r.assume_role_policy),
      ...Object.values(s.resources("aws_s3_bucket_policy")).map((p: any) => p.policy),
      ...Object.values(s.resources("aws_sqs_queue_policy")).map((p: any) => p.policy),
      s.resource("aws_sns_topic_policy").policy,
      s.resource("aws_kms_key").policy,
    ];
    // One exception: bucket policies name the key's own ARN (uploads under another key are denied), which exists only
    // after the key is created; every other value is literal.
    const keyArn = /\$\{aws_kms_key\.key_[A-F0-9]+\.arn\}/g;
    for (const p of policies) {
      expect(p.replace(keyArn, "KEY_ARN")).not.toContain("${");
      expect(doc(p).Statement.length).toBeGreaterThan(0);
    }
  });
});

describe("GuardDuty findings (guide §12)", () => {
  it("forwards high-severity findings to the alarm topic when GuardDuty is on, and lets only that rule publish", () => {
    const t = synthApp({ guardduty: { enabled: true } });
    const rule = t.resource("aws_cloudwatch_event_rule", "findings");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.guardduty"],
      "detail-type": ["GuardDuty Finding"],
      detail: { severity: [{ numeric: [">=", 7] }] },
    });
    expect(t.resource("aws_cloudwatch_event_target", "findings").arn).toBe(TOPIC);
    expect(statement(t.resource("aws_sns_topic_policy").policy, "AllowEventBridgeRules").Condition).toEqual({
      ArnEquals: { "aws:SourceArn": ["arn:aws:events:eu-central-1:111122223333:rule/cci-lite-prod-guardduty-findings"] },
    });
    expect(statement(t.resource("aws_kms_key").policy, "AllowServiceEventsForTopics").Condition).toEqual({
      StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": [TOPIC] },
    });
  });
  it("adds no EventBridge publisher while GuardDuty is off", () => {
    expect(() => statement(s.resource("aws_sns_topic_policy").policy, "AllowEventBridgeRules")).toThrow();
  });
});
