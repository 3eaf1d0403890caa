/**
 * Identity statements for people who query results in Athena (tenant readers, analysts): the workgroup, the table
 * definitions, and the condition that limits S3 access to requests Athena makes for them.
 */
import type { ArnBuilder, Statement } from "./policy";

/** S3 requests Athena makes on the caller's behalf carry this (and direct requests do not). */
export const CALLED_VIA_ATHENA = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["athena.amazonaws.com"] } };

/** Run and read queries in one workgroup. */
export function queryWorkgroup(sid: string, at: ArnBuilder, workgroup: string): Statement {
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
    Resource: at.arn("athena", `workgroup/${workgroup}`),
  };
}

/** Read the Glue definitions (and projected partitions) of `tables` in `database`. */
export function readTableDefinitions(sid: string, at: ArnBuilder, database: string, tables: readonly string[]): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
    Resource: [at.arn("glue", "catalog"), at.arn("glue", `database/${database}`), ...tables.map((t) => at.arn("glue", `table/${database}/${t}`))],
  };
}
