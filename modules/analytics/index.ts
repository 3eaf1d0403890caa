/**
 * Guide §10: the Glue database and results table, queryable in Athena the moment a result is written.
 * Partition projection over tenant and date replaces the guide's crawler (no crawl delay, no partitions to
 * maintain); the columns come from the result schema in lambda-src. An Athena workgroup enforces its settings,
 * encrypts query results with the customer key and caps the bytes a query may scan; named queries cover the
 * guide's query, calls per day per tenant and average sentiment per day. The guide's crawler is behind a toggle.
 */
import { Construct } from "constructs";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import type { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { GlueCrawler } from "@cdktf/provider-aws/lib/glue-crawler";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { PIPELINE_PREFIX, resultsPrefix, UNASSIGNED_TENANT } from "../../lambda-src/contracts/storage-layout";
import { ValidationError } from "../config/errors";
import type { CustomerKey } from "../constructs/customer-key";
import { Role } from "../constructs/role";
import type { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { serviceTrust } from "../iam/policy";
import { resultsTable } from "./results-table";

/** The Glue catalog is the {@link StackContext}'s account's. */
export interface AnalyticsProps {
  readonly databaseName: string;
  readonly tableName: string;
  readonly workgroupName: string;
  /** The results bucket (table location; the crawler reads it). */
  readonly results: SecureBucket;
  /** Prefix of the results bucket for Athena query results, e.g. `athena-results/`. */
  readonly queryResultsPrefix: string;
  /** Prefix of Transcribe's temporary output, excluded from the crawler. */
  readonly tmpPrefix: string;
  readonly tenantIds: readonly string[];
  /**
   * Name of each tenant's own table (guide §13): the shared table's definition over the tenant's prefix only,
   * projecting only that tenant. @default no tenant tables
   */
  readonly tenantTableName?: (tenant: string) => string;
  /** Encrypts query results. */
  readonly key: CustomerKey;
  readonly bytesScannedCutoffPerQuery: number;
  /** Days back from today the date projection covers: days that can hold a record (naming.ts `resultsWindowDays`). */
  readonly projectionDays: number;
  /** Deploy the guide's Glue crawler (writes `crawled_*` tables). @default false */
  readonly crawler?: { readonly roleName: string } | false;
}

export class Analytics extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  /** Each tenant's own table, by tenant id (when `tenantTableName` is given). */
  readonly tenantTables: ReadonlyMap<string, GlueCatalogTable>;
  readonly workgroup: AthenaWorkgroup;
  readonly namedQueries: AthenaNamedQuery[];
  readonly crawlerRole?: Role;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    if (!/^[a-z0-9_]{1,255}$/.test(props.databaseName))
      throw new ValidationError(this.node.path, "databaseName", `"${props.databaseName}" must be lower-case letters, digits and '_'`);
    if (!props.queryResultsPrefix.endsWith("/"))
      throw new ValidationError(this.node.path, "queryResultsPrefix", `must end with "/", got "${props.queryResultsPrefix}"`);
    if (props.tenantIds.length === 0) throw new ValidationError(this.node.path, "tenantIds", "must not be empty");
    const location = `s3://${props.results.bucketName}/`;
    const ctx = StackContext.of(this);

    this.database = new GlueCatalogDatabase(this, "database", {
      name: props.databaseName,
      catalogId: ctx.accountId,
      description: "CCI Lite call results (guide §10)",
    });

    this.table = resultsTable(this, "results-table", {
      name: props.tableName,
      description: "One row per call: results and error records, partitioned by tenant and call date",
      databaseName: this.database.name,
      catalogId: ctx.accountId,
      bucketLocation: location,
      tenants: [...props.tenantIds, UNASSIGNED_TENANT],
      projectionDays: props.projectionDays,
      bucket: props.results.bucket,
    });

    // Guide §13: per tenant, the same table over the tenant's prefix only, so that its reader role (allowed this
    // table and its prefix, nothing else) can query it without a tenant filter.
    const tenantTables = new Map<string, GlueCatalogTable>();
    if (props.tenantTableName) {
      for (const tenant of props.tenantIds) {
        const table = resultsTable(this, `tenant-table-${tenant}`, {
          name: props.tenantTableName(tenant),
          description: `One row per call of tenant ${tenant} only (what its reader role queries), partitioned by tenant (this one) and call date`,
          databaseName: this.database.name,
          catalogId: ctx.accountId,
          bucketLocation: location,
          prefix: resultsPrefix(tenant),
          tenants: [tenant],
          projectionDays: props.projectionDays,
          bucket: props.results.bucket,
        });
        tenantTables.set(tenant, table);
      }
    }
    this.tenantTables = tenantTables;

    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: props.workgroupName,
      description: "CCI Lite queries: enforced settings, KMS-encrypted results, scan cap",
      state: "ENABLED",
      forceDestroy: false,
      dependsOn: [props.results.bucket],
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: "AUTO" },
        resultConfiguration: {
          outputLocation: `${location}${props.queryResultsPrefix}`,
          expectedBucketOwner: ctx.accountId,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.key.key.arn },
        },
      },
    });

    const table = `"${props.databaseName}"."${props.tableName}"`;
    const recent = `call_date >= date_format(current_date - interval '30' day, '%Y/%m/%d')`;
    // A record with rejected_file is a rejected non-audio or oversize upload, not a call (docs/insights.md).
    const isCall = "rejected_file IS NULL";
    const queries: Array<[string, string, string]> = [
      [
        "latest-calls",
        "Guide §10: the ten latest calls (last 30 days)",
        `SELECT tenant, call_id, status, "timestamp" FROM ${table} WHERE ${recent} AND ${isCall} ORDER BY "timestamp" DESC LIMIT 10;`,
      ],
      [
        "calls-per-day-per-tenant",
        "Calls per day per tenant, by outcome, and rejected files that are not calls (last 30 days)",
        `SELECT tenant, call_date, count_if(${isCall}) AS calls, count_if(status = 'COMPLETED') AS completed, count_if(status = 'FAILED') AS failed, count_if(status = 'REJECTED' AND ${isCall}) AS rejected, count_if(NOT ${isCall}) AS rejected_files FROM ${table} WHERE ${recent} GROUP BY tenant, call_date ORDER BY call_date DESC, tenant;`,
      ],
      [
        "average-sentiment-per-day",
        "Average Comprehend sentiment scores per day and tenant (completed calls, last 30 days)",
        `SELECT tenant, call_date, count(*) AS calls, avg(sentiment.sentimentscore.positive) AS avg_positive, avg(sentiment.sentimentscore.negative) AS avg_negative, avg(sentiment.sentimentscore.neutral) AS avg_neutral, avg(sentiment.sentimentscore.mixed) AS avg_mixed FROM ${table} WHERE ${recent} AND status = 'COMPLETED' AND sentiment.sentimentscore IS NOT NULL GROUP BY tenant, call_date ORDER BY call_date DESC, tenant;`,
      ],
    ];
    this.namedQueries = queries.map(
      ([name, description, query]) =>
        new AthenaNamedQuery(this, `query-${name}`, {
          name: `${props.workgroupName}-${name}`,
          description,
          database: this.database.name,
          workgroup: this.workgroup.name,
          query,
        }),
    );

    if (props.crawler) {
      const role = new Role(this, "crawler-role", {
        roleName: props.crawler.roleName,
        description: "Guide §10 optional Glue crawler over CCI Lite results",
        assumeRolePolicy: serviceTrust("glue.amazonaws.com", ctx.accountId),
        policyName: "read-results",
      });
      this.crawlerRole = role;
      new IamRolePolicyAttachment(this, "crawler-service-policy", {
        role: role.role.name,
        policyArn: ctx.arn("iam", "policy/service-role/AWSGlueServiceRole", { region: "", account: "aws" }),
      });
      props.results.grantList(role, "ListResults");
      role.addToPrincipalPolicy({
        Sid: "ReadResults",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: props.tenantIds.map((t) => props.results.objectsArn(`${t}/*`)),
      });
      props.key.grantDecrypt(role);
      new GlueCrawler(this, "crawler", {
        name: `${props.workgroupName}-results-crawler`,
        role: role.role.arn,
        databaseName: this.database.name,
        tablePrefix: "crawled_",
        dependsOn: [props.results.bucket],
        description: "Guide §10 crawler (optional; the projected table needs no crawl)",
        // Not results: transcripts, query results, and reconcile's markers and state (cci-lite/).
        s3Target: [{ path: location, exclusions: [`${props.tmpPrefix}**`, `${props.queryResultsPrefix}**`, `${PIPELINE_PREFIX}**`] }],
        schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
      });
    }
  }
}
