/**
 * `cci logs [start|analyze|reconcile…] [--since 1h] [--call <id>]`: the functions' structured (Powertools JSON)
 * log lines from CloudWatch Logs FilterLogEvents, in the log groups named by modules/config/naming.ts, filtered by
 * a call id (a quoted term: every line that names the call, its key or its job).
 */
import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { HANDLER_NAMES, type HandlerName } from "../../../lambda-src/contracts/handlers";
import { call, isNotFound } from "../aws";
import { checkAccount, type Environment } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { type Io, json, table } from "../output";
import { parseSince } from "../since";

export interface LogsOptions {
  readonly since: string;
  readonly call?: string;
  readonly limit: number;
}

export interface LogLine {
  readonly time: string;
  readonly function: HandlerName;
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | null;
}

function parseLine(fn: HandlerName, e: FilteredLogEvent): LogLine {
  const raw = (e.message ?? "").trim();
  let fields: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) fields = parsed as Record<string, unknown>;
  } catch {
    fields = null;
  }
  const level = typeof fields?.level === "string" ? fields.level : /\bERROR\b/.test(raw) ? "ERROR" : raw.startsWith("REPORT") ? "REPORT" : "";
  const message = typeof fields?.message === "string" ? fields.message : raw;
  return { time: new Date(e.timestamp ?? 0).toISOString(), function: fn, level, message, fields };
}

export async function logsCommand(env: Environment, functions: readonly string[], opts: LogsOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const unknown = functions.filter((f) => !(HANDLER_NAMES as readonly string[]).includes(f));
  if (unknown.length) throw new CliError(`unknown function ${unknown.join(", ")} (one of ${HANDLER_NAMES.join(", ")})`, EXIT.USAGE);
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 10_000) throw new CliError("--limit must be a whole number 1-10000", EXIT.USAGE);
  if (opts.call !== undefined && !/^[A-Za-z0-9._-]{1,200}$/.test(opts.call))
    throw new CliError("--call takes a call id or job name ([A-Za-z0-9._-])", EXIT.USAGE);
  const since = parseSince(opts.since, env.clock.now());
  const chosen = (functions.length ? functions : HANDLER_NAMES) as readonly HandlerName[];
  await checkAccount(env);
  const lines: LogLine[] = [];
  for (const fn of chosen) {
    const group = env.names.logGroupName(fn);
    let token: string | undefined;
    let count = 0;
    do {
      const page = await call("logs:FilterLogEvents", env.region, async () => {
        try {
          return await env.clients.logs.send(
            new FilterLogEventsCommand({
              logGroupName: group,
              startTime: since.getTime(),
              filterPattern: opts.call ? `"${opts.call}"` : undefined,
              nextToken: token,
              limit: opts.limit,
            }),
          );
        } catch (e) {
          if (isNotFound(e)) throw new CliError(`log group ${group} does not exist (is ${env.cfg.environment} deployed in ${env.region}?)`, EXIT.NOT_FOUND);
          throw e;
        }
      });
      for (const e of page.events ?? []) lines.push(parseLine(fn, e));
      count += page.events?.length ?? 0;
      token = page.nextToken;
    } while (token && count < opts.limit);
  }
  lines.sort((a, b) => a.time.localeCompare(b.time));
  const shown = lines.slice(-opts.limit);
  if (asJson) io.stdout(json({ since: since.toISOString(), call: opts.call ?? null, functions: chosen, events: shown }));
  else if (!shown.length) io.stdout(`no log lines since ${since.toISOString()}${opts.call ? ` naming ${opts.call}` : ""} in ${chosen.join(", ")}`);
  else
    io.stdout(
      table(
        ["time", "function", "level", "message"],
        shown.map((l) => [l.time, l.function, l.level, l.message]),
        100,
      ),
    );
  return EXIT.OK;
}
