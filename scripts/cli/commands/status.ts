/**
 * `cci status <call-id | file | job-name>` and `cci wait <call-id>`: where a call is (./locate.ts).
 */
import { FILE_RECORD_PREFIX } from "../../../lambda-src/core/s3-key";
import { checkAccount, type Environment } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { type CallStatus, locateCall, parseCallRef, SETTLED } from "../locate";
import { type Io, json, keyValueTable } from "../output";

export interface StatusOptions {
  readonly tenant?: string;
  /** Days to look back for a record when neither job nor upload exists. @default 7 */
  readonly days: number;
}

/** 0 for a call that is analysed or still on its way, 1 for FAILED or REJECTED. */
export const statusExit = (s: CallStatus): ExitCode => (s.state === "failed" || s.state === "rejected" ? EXIT.FAILED : EXIT.OK);

export function printStatus(s: CallStatus, io: Io, asJson: boolean): void {
  if (asJson) {
    io.stdout(json(s));
    return;
  }
  io.stdout(
    keyValueTable([
      [s.callId.startsWith(FILE_RECORD_PREFIX) ? "file" : "call", `${s.tenant}/${s.callId}`],
      ["state", s.state],
      ["transcribe", s.transcribeState],
      ["job", s.jobName],
      ["upload", s.uploadKey],
      ["uploaded at", s.uploadedAt],
      ["job created", s.jobCreatedAt],
      ["job completed", s.jobCompletedAt],
      ["record", s.recordStatus ? `${s.recordStatus} (written ${s.recordWrittenAt})` : "not written yet"],
      ["result", s.resultUri],
      ...(s.error ? ([["error", `${s.error.code}: ${s.error.message}`]] as const) : []),
    ]),
  );
}

const checkDays = (days: number) => {
  if (!Number.isInteger(days) || days < 0 || days > 400) throw new CliError("--days must be a whole number 0-400", EXIT.USAGE);
};

export async function statusCommand(env: Environment, ref: string, opts: StatusOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  checkDays(opts.days);
  const callRef = parseCallRef(env, ref, opts.tenant);
  await checkAccount(env);
  const s = await locateCall(env, callRef, { days: opts.days });
  printStatus(s, io, asJson);
  return statusExit(s);
}

export interface WaitOptions extends StatusOptions {
  /** Seconds to wait for a settled record. @default 1800 */
  readonly timeout: number;
  /** Seconds between checks. @default 15 */
  readonly interval: number;
}

/**
 * Polls until the call's record is written (analysed, failed or rejected) or `timeout` passes. A call that is not
 * found yet is waited for too (its upload event may still be on its way), up to the timeout. Time is the
 * environment's clock.
 */
export async function waitCommand(env: Environment, ref: string, opts: WaitOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const clock = env.clock;
  checkDays(opts.days);
  if (!(opts.timeout > 0) || !(opts.interval > 0)) throw new CliError("--timeout and --interval must be positive numbers of seconds", EXIT.USAGE);
  const callRef = parseCallRef(env, ref, opts.tenant);
  await checkAccount(env);
  const deadline = clock.now().getTime() + opts.timeout * 1000;
  let last: CallStatus | undefined;
  for (;;) {
    try {
      last = await locateCall(env, callRef, { days: opts.days });
      if (SETTLED.includes(last.state)) break;
      io.stderr(`cci wait: ${callRef.tenant}/${callRef.callId} is ${last.state}${last.transcribeState ? ` (Transcribe ${last.transcribeState})` : ""}`);
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== EXIT.NOT_FOUND) throw e;
      io.stderr(`cci wait: ${callRef.tenant}/${callRef.callId} not seen yet`);
    }
    if (clock.now().getTime() + opts.interval * 1000 > deadline) {
      if (last) printStatus(last, io, asJson);
      throw new CliError(
        `${callRef.tenant}/${callRef.callId} did not settle within ${opts.timeout} s (last state: ${last?.state ?? "not found"})`,
        EXIT.TIMEOUT,
      );
    }
    await clock.sleep(opts.interval * 1000);
  }
  printStatus(last, io, asJson);
  return statusExit(last);
}
