/**
 * `cci reprocess <call-id…> [--force]`: finds each call's transcription job (./locate.ts) and invokes the analyze
 * function with the pipeline's own reprocess request (`{jobNames, force}`, lambda-src/services/analyze-event.ts),
 * synchronously, then prints analyze's answer per job.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { ReprocessRequest, ReprocessResponse } from "../../../lambda-src/services/analyze-event";
import { call } from "../aws";
import { checkAccount, type Environment } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { locateCall, parseCallRef } from "../locate";
import { type Io, json, table } from "../output";

export interface ReprocessOptions {
  readonly tenant?: string;
  readonly force: boolean;
  readonly days: number;
}

export async function reprocessCommand(env: Environment, refs: readonly string[], opts: ReprocessOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const callRefs = refs.map((r) => parseCallRef(env, r, opts.tenant));
  await checkAccount(env);
  const jobNames: string[] = [];
  for (const ref of callRefs) {
    const s = await locateCall(env, ref, { days: opts.days });
    if (!s.jobName) {
      throw new CliError(
        `${ref.tenant}/${ref.callId} has no transcription job (state ${s.state}${s.error ? `, ${s.error.code}` : ""}); upload it again instead`,
        EXIT.NOT_FOUND,
      );
    }
    jobNames.push(s.jobName);
  }
  const fn = env.names.functionName("analyze");
  const request: ReprocessRequest = { jobNames, force: opts.force };
  const out = await call("lambda:InvokeFunction", env.region, () =>
    env.clients.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(request)) })),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
  if (out.FunctionError) throw new CliError(`${fn} failed (${out.FunctionError}): ${text.slice(0, 300)}`, EXIT.FAILED);
  let answer: ReprocessResponse;
  try {
    answer = JSON.parse(text) as ReprocessResponse;
  } catch {
    throw new CliError(`${fn} answered something that is not JSON: ${text.slice(0, 200)}`, EXIT.FAILED);
  }
  const results = answer.results ?? [];
  if (asJson) io.stdout(json({ function: fn, force: opts.force, results }));
  else {
    io.stdout(
      table(
        ["job", "outcome", "result key", "detail"],
        results.map((r) => [
          r.jobName,
          r.outcome,
          "resultKey" in r ? r.resultKey : "",
          "error" in r
            ? r.error
            : [("errorCode" in r ? r.errorCode : undefined) ?? "", "skipReason" in r ? r.skipReason : ""].filter(Boolean).join(", record kept: "),
        ]),
        80,
      ),
    );
    if (results.some((r) => r.outcome === "SKIPPED" && "skipReason" in r && r.skipReason === "own") && !opts.force) {
      io.stderr("cci reprocess: a job's COMPLETED record was kept; add --force to analyse it again");
    }
    if (results.some((r) => r.outcome === "SKIPPED" && "skipReason" in r && r.skipReason === "claimed")) {
      io.stderr("cci reprocess: another delivery is analysing the job now (its claim lasts at most 25 minutes); it writes the record: see cci status");
    }
    if (results.some((r) => r.outcome === "SKIPPED" && "skipReason" in r && r.skipReason === "source-changed")) {
      io.stderr("cci reprocess: the input key holds a newer upload than the job's; that upload's own job makes the record: see cci status");
    }
  }
  // A SKIPPED run with an error code failed (a forced run after the transcript expired); the record it met stays.
  // A job claimed by another delivery, or whose upload was replaced, was not reprocessed by this request either.
  const notDone = (r: (typeof results)[number]) => "skipReason" in r && (r.skipReason === "claimed" || r.skipReason === "source-changed");
  const ok = (r: (typeof results)[number]) => r.outcome === "COMPLETED" || (r.outcome === "SKIPPED" && !("errorCode" in r && r.errorCode) && !notDone(r));
  return results.every(ok) ? EXIT.OK : EXIT.FAILED;
}
