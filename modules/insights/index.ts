/**
 * Guide §11, as code: the insight views (Athena views in the Glue database, created whatever the QuickSight
 * setting) and, with QuickSight on, one data set per view, their SPICE refresh schedule, row-level security keyed on
 * `tenant`, and the dashboard (definition.ts). docs/insights.md describes every visual and the view it reads.
 */
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { DataResource, type ITerraformDependable } from "cdktf";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { QuicksightDashboard } from "@cdktf/provider-aws/lib/quicksight-dashboard";
import { QuicksightDataSet } from "@cdktf/provider-aws/lib/quicksight-data-set";
import { QuicksightRefreshSchedule } from "@cdktf/provider-aws/lib/quicksight-refresh-schedule";
import { ValidationError } from "../config/errors";
import { StackContext } from "../constructs/stack-context";
import { dashboardDefinition } from "./definition";
import { stopWordsFor } from "./terms";
import { HIVE_TYPES, INSIGHT_VIEWS, prestoViewText, QUICKSIGHT_TYPES, type ViewContext } from "./views";
import { DATA_SET_OWNER_ACTIONS } from "../iam/quicksight";

/** The views are created in the Glue catalog of the {@link StackContext}'s account. */
export interface InsightViewsProps {
  /** Glue database the views are created in (and whose results table they read). */
  readonly databaseName: string;
  /** The shared results table the views read. */
  readonly tableName: string;
  /** Days back from today the views read (naming.ts `resultsWindowDays`): older days hold no record. */
  readonly windowDays: number;
  /** Language codes of every configured tenant: the stop words of these languages are removed from the terms. */
  readonly languages: readonly string[];
  /** The database and results table: the views are created after them (they are named by literal in the view SQL). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** The Athena views of modules/insights/views.ts, as Glue `VIRTUAL_VIEW` tables. */
export class InsightViews extends Construct {
  /** View id -> its Glue table. */
  readonly views: ReadonlyMap<string, GlueCatalogTable>;
  readonly context: ViewContext;

  constructor(scope: Construct, id: string, props: InsightViewsProps) {
    super(scope, id);
    if (props.languages.length === 0) throw new ValidationError(this.node.path, "languages", "must not be empty (the tenants' language codes)");
    this.context = { database: props.databaseName, table: props.tableName, windowDays: props.windowDays, stopWords: stopWordsFor(props.languages) };
    const views = new Map<string, GlueCatalogTable>();
    for (const view of INSIGHT_VIEWS) {
      views.set(
        view.id,
        new GlueCatalogTable(this, `view-${view.id}`, {
          name: view.name,
          databaseName: props.databaseName,
          catalogId: StackContext.of(this).accountId,
          tableType: "VIRTUAL_VIEW",
          description: view.description,
          dependsOn: [...props.dependsOn],
          // What Athena's CREATE VIEW writes: the Presto view JSON, base64, in a comment (views.ts).
          parameters: { presto_view: "true", comment: "Presto View" },
          viewOriginalText: prestoViewText(view, this.context),
          viewExpandedText: "/* Presto View */",
          storageDescriptor: {
            serDeInfo: { name: "-", serializationLibrary: "-" },
            columns: view.columns.map((c) => ({ name: c.name, type: HIVE_TYPES[c.type] })),
          },
        }),
      );
    }
    this.views = views;
  }
}

/** How the data sets get their data. */
export type InsightRefresh =
  | { readonly mode: "direct" }
  | {
      readonly mode: "spice";
      /** `HH:MM`. */
      readonly dailyAt: string;
      readonly timezone: string;
    };

/**
 * The data sets and the dashboard belong to the {@link StackContext}'s account; their ids start with its stem
 * (`<stem>-insights`), which must be 1-40 characters.
 */
export interface InsightDashboardProps {
  /** The Athena data source the data sets read through. */
  readonly dataSourceArn: string;
  readonly databaseName: string;
  readonly views: InsightViews;
  /** QuickSight user or group ARN that owns everything and sees every tenant's rows. */
  readonly ownerArn: string;
  /** Group ARN whose members view the dashboard and see every tenant's rows. @default none */
  readonly operatorsGroupArn?: string;
  /** Tenant id -> group ARNs whose members view the dashboard and see that tenant's rows only. */
  readonly tenantGroupArns: ReadonlyMap<string, readonly string[]>;
  readonly refresh: InsightRefresh;
}

const DASHBOARD_OWNER_ACTIONS = [
  "quicksight:DescribeDashboard",
  "quicksight:ListDashboardVersions",
  "quicksight:UpdateDashboardPermissions",
  "quicksight:QueryDashboard",
  "quicksight:UpdateDashboard",
  "quicksight:DeleteDashboard",
  "quicksight:DescribeDashboardPermissions",
  "quicksight:UpdateDashboardPublishedVersion",
];
const DASHBOARD_VIEWER_ACTIONS = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"];

/** The row-level security rules column the data sets are filtered on (every insight view has it). */
export const RLS_COLUMN = "tenant";

/** One rule of the permissions data set: a user or group ARN and the tenant it sees (null: every tenant). */
export interface RlsRule {
  readonly userArn?: string;
  readonly groupArn?: string;
  readonly tenant: string | null;
}

/** The permissions data set's rules: owner and operators see all, each tenant's groups their tenant. */
export function rlsRules(props: Pick<InsightDashboardProps, "ownerArn" | "operatorsGroupArn" | "tenantGroupArns">): RlsRule[] {
  const principal = (arn: string) => (/:user\//.test(arn) ? { userArn: arn } : { groupArn: arn });
  const rules: RlsRule[] = [{ ...principal(props.ownerArn), tenant: null }];
  if (props.operatorsGroupArn) rules.push({ groupArn: props.operatorsGroupArn, tenant: null });
  for (const [tenant, groups] of props.tenantGroupArns) for (const g of groups) rules.push({ groupArn: g, tenant });
  return rules;
}

/** The permissions data set's SQL: the rules as a VALUES list (QuickSight RLS format VERSION_2: UserARN, GroupARN). */
export function rlsSql(rules: readonly RlsRule[]): string {
  const v = (s: string | null | undefined) => (s == null ? "CAST(NULL AS varchar)" : `CAST('${s.replace(/'/g, "''")}' AS varchar)`);
  const rows = rules.map((r) => `(${v(r.userArn)}, ${v(r.groupArn)}, ${v(r.tenant)})`);
  return `SELECT * FROM (VALUES ${rows.join(", ")}) AS rules("UserARN", "GroupARN", "${RLS_COLUMN}")`;
}

/** QuickSight data sets over the insight views, their refresh, row-level security and the dashboard. */
export class InsightDashboard extends Construct {
  readonly rules: QuicksightDataSet;
  /** View id -> its data set. */
  readonly dataSets: ReadonlyMap<string, QuicksightDataSet>;
  readonly refreshSchedules: readonly QuicksightRefreshSchedule[];
  readonly dashboard: QuicksightDashboard;

  constructor(scope: Construct, id: string, props: InsightDashboardProps) {
    super(scope, id);
    const { accountId, stem } = StackContext.of(this);
    if (!/^[a-z0-9-]{1,40}$/.test(stem))
      throw new ValidationError(this.node.path, "stem", `"${stem}" (the StackContext's stem) must be 1-40 characters of a-z, 0-9 and '-'`);
    if (props.refresh.mode === "spice" && !/^([01]\d|2[0-3]):[0-5]\d$/.test(props.refresh.dailyAt))
      throw new ValidationError(this.node.path, "refresh.dailyAt", `"${props.refresh.dailyAt}" must be HH:MM (24 h)`);
    for (const [tenant, groups] of props.tenantGroupArns)
      for (const g of groups)
        if (!/^arn:[a-z-]+:quicksight:[a-z0-9-]+:\d{12}:group\//.test(g))
          throw new ValidationError(this.node.path, "tenantGroupArns", `${tenant}: "${g}" is not a QuickSight group ARN`);
    const owner = [{ principal: props.ownerArn, actions: [...DATA_SET_OWNER_ACTIONS] }];
    const importMode = props.refresh.mode === "spice" ? "SPICE" : "DIRECT_QUERY";

    // Direct query: the rules come from the configuration (no table behind them) and are read on every query, so a
    // changed tenant group list applies with the apply that changes it. Only the owner may use or change them.
    this.rules = new QuicksightDataSet(this, "rls-rules", {
      awsAccountId: accountId,
      dataSetId: `${stem}-insights-rls`,
      name: `${stem} insights row-level security`,
      importMode: "DIRECT_QUERY",
      physicalTableMap: [
        {
          physicalTableMapId: "rules",
          customSql: {
            dataSourceArn: props.dataSourceArn,
            name: "rules",
            sqlQuery: rlsSql(rlsRules(props)),
            columns: [
              { name: "UserARN", type: "STRING" },
              { name: "GroupARN", type: "STRING" },
              { name: RLS_COLUMN, type: "STRING" },
            ],
          },
        },
      ],
      permissions: owner,
    });

    const dataSets = new Map<string, QuicksightDataSet>();
    const schedules: QuicksightRefreshSchedule[] = [];
    for (const view of INSIGHT_VIEWS) {
      const table = props.views.views.get(view.id);
      // InsightViews creates every view of INSIGHT_VIEWS.
      if (!table) throw new Error(`InsightViews has no view ${view.id}`);
      const dataSet = new QuicksightDataSet(this, `data-set-${view.id}`, {
        awsAccountId: accountId,
        dataSetId: `${stem}-insights-${view.id}`,
        name: `${stem} ${view.name}`,
        importMode,
        dependsOn: [table],
        physicalTableMap: [
          {
            physicalTableMapId: view.id,
            relationalTable: {
              dataSourceArn: props.dataSourceArn,
              catalog: "AwsDataCatalog",
              schema: props.databaseName,
              name: view.name,
              inputColumns: view.columns.map((c) => ({ name: c.name, type: QUICKSIGHT_TYPES[c.type] })),
            },
          },
        ],
        rowLevelPermissionDataSet: { arn: this.rules.arn, permissionPolicy: "GRANT_ACCESS", formatVersion: "VERSION_2", status: "ENABLED" },
        permissions: owner,
      });
      dataSets.set(view.id, dataSet);
      if (props.refresh.mode === "spice") {
        schedules.push(
          new QuicksightRefreshSchedule(this, `refresh-${view.id}`, {
            awsAccountId: accountId,
            dataSetId: dataSet.dataSetId,
            scheduleId: "daily",
            schedule: [
              {
                refreshType: "FULL_REFRESH",
                scheduleFrequency: [{ interval: "DAILY", timeOfTheDay: props.refresh.dailyAt, timezone: props.refresh.timezone }],
              },
            ],
          }),
        );
      }
    }
    this.dataSets = dataSets;
    this.refreshSchedules = schedules;

    const viewers = [...new Set([...(props.operatorsGroupArn ? [props.operatorsGroupArn] : []), ...[...props.tenantGroupArns.values()].flat()])].filter(
      (arn) => arn !== props.ownerArn,
    );
    // The definition's round trip (issue 20, M3): its nested blocks are not computed in the 5.x provider schema,
    // and a field QuickSight fills in on read would be a change on every plan, which this offline repository
    // cannot rule out. So Terraform ignores the read-back definition, and a change of ours replaces the dashboard
    // through the revision below (docs/insights.md, "The dashboard definition and drift").
    const revision = new DataResource(this, "definition-revision", { input: { definition_sha256: definitionRevision([...dataSets.keys()]) } });
    this.dashboard = new QuicksightDashboard(this, "dashboard", {
      // A bare address: Terraform reads lifecycle arguments of JSON configuration as references, not "${…}" templates.
      lifecycle: { ignoreChanges: ["definition"], replaceTriggeredBy: [`${DataResource.tfResourceType}.${revision.friendlyUniqueId}`] },
      awsAccountId: accountId,
      dashboardId: `${stem}-insights`,
      name: `${stem} insights`,
      versionDescription: "CCI Lite insights (modules/insights/definition.ts)",
      definition: dashboardDefinition(Object.fromEntries([...dataSets].map(([k, ds]) => [k, ds.arn]))),
      permissions: [
        { principal: props.ownerArn, actions: DASHBOARD_OWNER_ACTIONS },
        ...viewers.map((principal) => ({ principal, actions: DASHBOARD_VIEWER_ACTIONS })),
      ],
    });
  }
}

/**
 * The SHA-256 of the dashboard definition built for these data sets, with each data set's ARN replaced by its key
 * (the ARNs are fixed by the data set ids, and tokens are not stable strings): it changes exactly when the
 * definition of modules/insights/definition.ts does.
 */
export function definitionRevision(dataSetKeys: readonly string[]): string {
  const definition = dashboardDefinition(Object.fromEntries(dataSetKeys.map((k) => [k, `data-set:${k}`])));
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex");
}
