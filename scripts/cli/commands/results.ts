/**
 * `cci results --tenant T [--since 7d] [--status FAILED] [--format table|json|csv]`: the calls of a tenant from
 * Athena, through the environment's workgroup (which enforces KMS-encrypted query results and the scan cap),
 * over the shared results table. Values are passed as execution parameters, never spliced into the SQL.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, type Row, StartQueryExecutionCommand } from "@aws-sdk/client-athena";
import type { CallStatus } from "../../../lambda-src/contracts/result-schema";
import { call } from "../aws";
import { checkAccount, type Environment, resolveTenant } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { type Io, csv, json, table } from "../output";
import { parseSince } from "../since";

export const STATUSES: readonly CallStatus[] = ["COMPLETED", "FAILED", "REJECTED"];
export const FORMATS = ["table", "json", "csv"] as const;
export type Format = (typeof FORMATS)[number];

export interface ResultsOptions {
  readonly tenant?: string;
  readonly since: string;
  readonly status?: string;
  readonly format: string;
  readonly limit: number;
}

/** The columns printed, in order (names of the result schema; nested fields flattened). */
export const RESULT_FIELDS = ["call_date", "call_id", "status", "sentiment", "language", "duration_s", "error_code", "summary", "timestamp"] as const;

export function resultsQuery(env: Environment, withStatus: boolean, limit: number): string {
  const table = `"${env.names.glueDatabase}"."${env.names.resultsTable}"`;
  return [
    "SELECT call_date, call_id, status, sentiment.sentiment AS sentiment, language_code AS language,",
    '  CAST(round(duration_seconds) AS bigint) AS duration_s, error.code AS error_code, summary, "timestamp"',
    `FROM ${table}`,
    `WHERE tenant = ? AND call_date >= ? AND "timestamp" >= ?${withStatus ? " AND status = ?" : ""}`,
    'ORDER BY "timestamp" DESC',
    `LIMIT ${limit}`,
  ].join("\n");
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "/");
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function resultsCommand(env: Environment, opts: ResultsOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const tenant = resolveTenant(env.cfg, opts.tenant);
  const format = (asJson ? "json" : opts.format) as Format;
  if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(", ")}`, EXIT.USAGE);
  const status = opts.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status as CallStatus)) throw new CliError(`--status must be one of ${STATUSES.join(", ")}`, EXIT.USAGE);
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 10_000) throw new CliError("--limit must be a whole number 1-10000", EXIT.USAGE);
  const since = parseSince(opts.since, env.clock.now());
  await checkAccount(env);

  const params = [literal(tenant), literal(ymd(since)), literal(since.toISOString()), ...(status ? [literal(status)] : [])];
  const start = await call("athena:StartQueryExecution", env.region, () =>
    env.clients.athena.send(
      new StartQueryExecutionCommand({
        QueryString: resultsQuery(env, Boolean(status), opts.limit),
        WorkGroup: env.names.workgroup,
        ExecutionParameters: params,
      }),
    ),
  );
  const id = start.QueryExecutionId;
  if (!id) throw new CliError("athena:StartQueryExecution returned no query id", EXIT.FAILED);
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    const q = await call("athena:GetQueryExecution", env.region, () => env.clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })));
    const state = q.QueryExecution?.Status?.State;
    if (state === "SUCCEEDED") break;
    if (state === "FAILED" || state === "CANCELLED") {
      throw new CliError(
        `the Athena query ${id} ${state.toLowerCase()} in workgroup ${env.names.workgroup}: ${q.QueryExecution?.Status?.StateChangeReason ?? "no reason given"}`,
        EXIT.FAILED,
      );
    }
    await env.clock.sleep(delay);
  }
  const rows: Row[] = [];
  let token: string | undefined;
  do {
    const page = await call("athena:GetQueryResults", env.region, () =>
      env.clients.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 })),
    );
    rows.push(...(page.ResultSet?.Rows ?? []));
    token = page.NextToken;
  } while (token);
  // The first row is the header.
  const data = rows.slice(1).map((r) => RESULT_FIELDS.map((_, i) => r.Data?.[i]?.VarCharValue ?? null));
  if (format === "json") {
    io.stdout(
      json({
        tenant,
        since: since.toISOString(),
        status: status ?? null,
        queryExecutionId: id,
        rows: data.map((r) => Object.fromEntries(RESULT_FIELDS.map((f, i) => [f, r[i]]))),
      }),
    );
  } else if (format === "csv") {
    io.stdout(csv(RESULT_FIELDS, data));
  } else {
    io.stdout(
      data.length ? table(RESULT_FIELDS, data, 48) : `no calls of tenant ${tenant} since ${since.toISOString()}${status ? ` with status ${status}` : ""}`,
    );
    if (data.length) io.stderr(`${data.length} call${data.length === 1 ? "" : "s"} (Athena query ${id}, workgroup ${env.names.workgroup})`);
  }
  return EXIT.OK;
}
