/**
 * Guide §11: a QuickSight Athena data source over the workgroup and a data set over the results table
 * (direct query, so a new call shows without a SPICE refresh). The data set flattens the nested columns into
 * the fields the guide's visuals need: calls by day, average sentiment, status.
 */
import { Construct } from "constructs";
import { QuicksightDataSet } from "@cdktf/provider-aws/lib/quicksight-data-set";
import { QuicksightDataSource } from "@cdktf/provider-aws/lib/quicksight-data-source";
import { StackContext } from "../constructs/stack-context";
import { DATA_SET_OWNER_ACTIONS, DATA_SOURCE_OWNER_ACTIONS } from "../iam/quicksight";

/** The data source and data set ids are `<stem>-athena` and `<stem>-calls` (the stem from the {@link StackContext}). */
export interface DashboardsProps {
  readonly workgroupName: string;
  readonly databaseName: string;
  readonly tableName: string;
  /** QuickSight user or group ARN that owns both. */
  readonly principalArn: string;
}

/** Columns of the data set and their QuickSight types. */
export const DATA_SET_COLUMNS: ReadonlyArray<{ name: string; type: string; sql: string }> = [
  { name: "tenant", type: "STRING", sql: "tenant" },
  { name: "call_date", type: "DATETIME", sql: "date_parse(call_date, '%Y/%m/%d')" },
  { name: "call_id", type: "STRING", sql: "call_id" },
  { name: "status", type: "STRING", sql: "status" },
  { name: "summary", type: "STRING", sql: "summary" },
  { name: "sentiment", type: "STRING", sql: "sentiment.sentiment" },
  { name: "sentiment_positive", type: "DECIMAL", sql: "sentiment.sentimentscore.positive" },
  { name: "sentiment_negative", type: "DECIMAL", sql: "sentiment.sentimentscore.negative" },
  { name: "sentiment_neutral", type: "DECIMAL", sql: "sentiment.sentimentscore.neutral" },
  { name: "sentiment_mixed", type: "DECIMAL", sql: "sentiment.sentimentscore.mixed" },
  { name: "language_code", type: "STRING", sql: "language_code" },
  { name: "duration_seconds", type: "DECIMAL", sql: "duration_seconds" },
  { name: "action_item_count", type: "INTEGER", sql: "cardinality(action_items)" },
  { name: "risk_count", type: "INTEGER", sql: "cardinality(risks)" },
  { name: "error_code", type: "STRING", sql: "error.code" },
  { name: "timestamp", type: "STRING", sql: '"timestamp"' },
];

export class Dashboards extends Construct {
  readonly dataSource: QuicksightDataSource;
  readonly dataSet: QuicksightDataSet;

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const { accountId, stem } = StackContext.of(this);
    this.dataSource = new QuicksightDataSource(this, "athena", {
      awsAccountId: accountId,
      dataSourceId: `${stem}-athena`,
      name: `${stem} Athena`,
      type: "ATHENA",
      parameters: { athena: { workGroup: props.workgroupName } },
      sslProperties: { disableSsl: false },
      permission: [{ principal: props.principalArn, actions: [...DATA_SOURCE_OWNER_ACTIONS] }],
    });
    const sql = `SELECT ${DATA_SET_COLUMNS.map((c) => `${c.sql} AS ${c.name === "timestamp" ? '"timestamp"' : c.name}`).join(", ")} FROM "${props.databaseName}"."${props.tableName}"`;
    this.dataSet = new QuicksightDataSet(this, "calls", {
      awsAccountId: accountId,
      dataSetId: `${stem}-calls`,
      name: `${stem} calls`,
      importMode: "DIRECT_QUERY",
      physicalTableMap: [
        {
          physicalTableMapId: "calls",
          customSql: {
            dataSourceArn: this.dataSource.arn,
            name: "calls",
            sqlQuery: sql,
            columns: DATA_SET_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
          },
        },
      ],
      permissions: [{ principal: props.principalArn, actions: [...DATA_SET_OWNER_ACTIONS] }],
    });
  }

  /**
   * Row-level security on the calls data set, keyed on its `tenant` column: the same rules data set the insight
   * data sets use (modules/insights), so a tenant's viewers who are given this data set still see only their rows.
   */
  restrictRows(rulesDataSetArn: string): void {
    this.dataSet.putRowLevelPermissionDataSet({ arn: rulesDataSetArn, permissionPolicy: "GRANT_ACCESS", formatVersion: "VERSION_2", status: "ENABLED" });
  }
}
