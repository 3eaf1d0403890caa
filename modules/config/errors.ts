/**
 * The two errors a user can meet before anything is synthesized. Both print like a configuration problem
 * (`Invalid <where>:` and one `- field: problem` line each), never as a stack trace (main.ts).
 */

/** A configuration file that fails validation; `file` names the file, each problem names the field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A construct given props it cannot build from; `construct` is its path in the app, `field` the prop. */
export class ValidationError extends Error {
  constructor(
    readonly construct: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Invalid ${construct}:\n  - ${field}: ${problem}`);
    this.name = "ValidationError";
  }
}

/** True for the errors above: print `message` alone. */
export function isUserError(e: unknown): e is ConfigError | ValidationError {
  return e instanceof ConfigError || e instanceof ValidationError;
}
