/**
 * Identity statements for people who query results in Athena (tenant readers, analysts): the workgroup, the table
 * definitions, and the condition that limits S3 access to requests Athena makes for them.
 */
import type { Statement } from "./policy";

/** S3 requests Athena makes on the caller's behalf carry this (and direct requests do not). */
export const CALLED_VIA_ATHENA = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["athena.amazonaws.com"] } };

/** Run and read queries in one workgroup. */
export function queryWorkgroup(sid: string, region: string, accountId: string, workgroup: string): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: [
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetWorkGroup",
      "athena:ListQueryExecutions",
    ],
    Resource: `arn:aws:athena:${region}:${accountId}:workgroup/${workgroup}`,
  };
}

/** Read the Glue definitions (and projected partitions) of `tables` in `database`. */
export function readTableDefinitions(sid: string, region: string, accountId: string, database: string, tables: readonly string[]): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
    Resource: [
      `arn:aws:glue:${region}:${accountId}:catalog`,
      `arn:aws:glue:${region}:${accountId}:database/${database}`,
      ...tables.map((t) => `arn:aws:glue:${region}:${accountId}:table/${database}/${t}`),
    ],
  };
}
