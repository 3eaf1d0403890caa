/**
 * Exit codes of every `cci` command (docs/cli.md, "Exit codes"), one home for the code and the docs test.
 */
export const EXIT = {
  /** The command did what was asked (and, for status/wait, the call is COMPLETED or still on its way). */
  OK: 0,
  /** The command ran but the outcome is a failure: a call FAILED or was REJECTED, a file was refused, a move failed. */
  FAILED: 1,
  /** Bad arguments or configuration (unknown option, missing --tenant, unreadable config/<env>.json). */
  USAGE: 2,
  /** AWS refused: no credentials, credentials for another account, or access denied (the IAM action is named). */
  AWS_ACCESS: 3,
  /** No such call, job or file. */
  NOT_FOUND: 4,
  /** `cci wait`: the call did not settle within --timeout. */
  TIMEOUT: 5,
  /** AWS throttled or was unavailable after the SDK's retries: run it again later. */
  AWS_UNAVAILABLE: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: one line on stderr (`cci <command>: <message>`) and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}
