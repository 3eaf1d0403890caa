/**
 * The argument parser of the command-line tools (doctor, capacity, offline-plan, bundle, bench):
 * `node:util` `parseArgs` in strict mode, with its errors turned into one short line that names the option, e.g.
 * `unknown option --bogus`, `--env needs a value`, `--json takes no value`, `unexpected argument x`. The `cci`
 * command (scripts/cli) has subcommands and uses commander instead; scripts/delivery/cli.ts calls `parseArgs` itself
 * (strict too, Node's messages), since the bundle the role-holding jobs run is built from scripts/delivery only.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** A bad command line; the tools print its message (and their usage) and exit with their usage code. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The option a `parseArgs` error is about (`--env`, `-x`), from its message. */
function optionOf(message: string): string {
  return /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
}

/** The same message for the same mistake, whichever Node version wrote the original. */
function usageMessage(e: Error & { code?: string }): string {
  const first = e.message.split("\n")[0];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${optionOf(first)}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']*)'/.exec(first)?.[1] ?? first}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take an argument/.test(first) ? `${optionOf(first)} takes no value` : `${optionOf(first)} needs a value`;
    default:
      return first;
  }
}

/**
 * `parseArgs({ args, options, strict: true })`; throws a {@link UsageError} naming the offending option.
 * `allowPositionals` as in `parseArgs` (default false: any positional argument is an error).
 */
export function parseOptions<const O extends ParseArgsOptionsConfig, const P extends boolean = false>(
  args: readonly string[],
  options: O,
  allowPositionals?: P,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: P }>> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS_")) throw new UsageError(usageMessage(err));
    throw e;
  }
}

/** A string option's value as a non-negative number; throws a {@link UsageError} naming the option otherwise. */
export function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} needs a non-negative number, got ${value}`);
  return n;
}

/** For an entry point: on a {@link UsageError}, prints `<tool>: <message>` and exits with `code`; rethrows anything else. */
export function exitOnUsageError(tool: string, e: unknown, code = 1): never {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`${tool}: ${e.message}\n`);
  process.exit(code);
}
