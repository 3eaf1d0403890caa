/**
 * `cci`: operate a deployed CCI Lite environment from a terminal (docs/cli.md). Arguments and help by commander;
 * each command lives in ./commands/ and returns its exit code (./exit-codes.ts); an expected failure is one line on
 * stderr, `cci <command>: <what went wrong>`.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type Clock, systemClock } from "../../lambda-src/core/clock";
import { ENDPOINT_ENV } from "./aws";
import { doctorCommand } from "./commands/doctor";
import { logsCommand } from "./commands/logs";
import { redriveCommand } from "./commands/redrive";
import { reprocessCommand } from "./commands/reprocess";
import { FORMATS, resultsCommand, STATUSES } from "./commands/results";
import { statusCommand, waitCommand } from "./commands/status";
import { uploadCommand } from "./commands/upload";
import { DEFAULT_CONFIG_DIR, type GlobalOptions, openEnvironment } from "./environment";
import { CliError, EXIT, type ExitCode } from "./exit-codes";
import { type Io, processIo } from "./output";

export interface RunDeps {
  readonly io?: Io;
  /** Every command's time (Environment.clock); the bin passes the system clock. */
  readonly clock: Clock;
}

const EXIT_HELP = `
Exit codes:
  0  done (status/wait: the call is analysed or still on its way)
  1  a call FAILED or was REJECTED, a file was refused, a reprocess or redrive did not succeed
  2  bad arguments or configuration
  3  AWS credentials missing or for another account, or access denied (the IAM action is named)
  4  no such call, job or log group
  5  wait/redrive: not settled within --timeout
  6  AWS throttled or unavailable after retries: run it again later
Docs: docs/cli.md; runbooks: docs/runbooks.md`;

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

export function buildProgram(io: Io, clock: Clock, setCode: (c: ExitCode) => void): Command {
  const program = new Command("cci")
    .description("Operate a deployed CCI Lite environment: upload calls, follow them, query results, reprocess, redrive, read logs")
    .option("--env <name>", "environment: config/<name>.json", "prod")
    .option("--config-dir <dir>", "folder of the <env>.json files", process.env.CCI_LITE_CONFIG_DIR ?? DEFAULT_CONFIG_DIR)
    .option("--json", "print JSON for scripts instead of tables", false)
    .addOption(new Option("--endpoint-url <url>", `send every AWS request to this endpoint (testing against a local fake; also ${ENDPOINT_ENV})`))
    .showHelpAfterError("(cci <command> --help shows its options and examples)")
    .addHelpText(
      "after",
      `${examples(["cci upload sample.wav --tenant demo-tenant", "cci wait sample --tenant demo-tenant", "cci results --tenant demo-tenant --since 7d"])}${EXIT_HELP}`,
    )
    .configureOutput({ writeOut: (s) => io.stdout(s.replace(/\n$/, "")), writeErr: (s) => io.stderr(s.replace(/\n$/, "")) })
    .exitOverride();

  const open = (g: GlobalOptions) => openEnvironment(g, clock);
  const globals = (cmd: Command): GlobalOptions => {
    const o = cmd.optsWithGlobals() as { env: string; configDir: string; json: boolean; endpointUrl?: string };
    return { env: o.env, configDir: o.configDir, json: Boolean(o.json), endpointUrl: o.endpointUrl };
  };
  const run =
    (fn: (g: GlobalOptions, cmd: Command) => Promise<ExitCode>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      setCode(await fn(globals(cmd), cmd));
    };

  program
    .command("upload")
    .description("upload call recordings to <tenant>/calls/ with SSE-KMS under the environment's key (multipart for large files, resumable)")
    .argument("<file...>", "audio files (wav, mp3, m4a, flac, ogg, webm, mp4, amr; up to 2 GB)")
    .option("--tenant <id>", "tenant (required when the environment has more than one)")
    .option("--part-size <MiB>", "multipart part size", num("--part-size"), 8)
    .option("--concurrency <n>", "parts in flight per file", int("--concurrency"), 4)
    .addHelpText(
      "after",
      `\nEvery file is checked first with the start function's rules (format by extension, empty, 2 GB); if any is refused nothing is uploaded.\nA multipart upload that fails after the SDK's retries keeps its parts: run the same command again (within a day) to resume.${examples(
        ["cci upload sample.wav --tenant demo-tenant", "cci upload calls/*.mp3 --tenant acme --env dev --json"],
      )}${EXIT_HELP}`,
    )
    .action(run((g, cmd) => uploadCommand(open(g), cmd.args, cmd.opts(), io, g.json)));

  program
    .command("status")
    .description("where a call is: queued, transcribing (Transcribe's state), analysing, analysed, failed (error code), rejected")
    .argument("<call>", "call id, the uploaded file (its call id; a non-audio or oversize file: its own record file!<name>), or the transcription job name")
    .option("--tenant <id>", "tenant of a call id or file (not needed for a job name, or with one tenant)")
    .option("--days <n>", "days to look back for a record when the job and upload are gone", int("--days"), 7)
    .addHelpText(
      "after",
      `${examples([
        "cci status sample --tenant demo-tenant",
        "cci status ./sample.wav --tenant demo-tenant --json",
        "cci status ./sample.json --tenant demo-tenant   # a rejected sidecar file: its record file!sample.json",
        "cci status cci-lite-prod-demo-tenant-sample-0123456789abcdef",
      ])}${EXIT_HELP}`,
    )
    .action(run((g, cmd) => statusCommand(open(g), cmd.args[0], cmd.opts(), io, g.json)));

  program
    .command("wait")
    .description("wait until a call's result is written (guide §8 first test; for scripts)")
    .argument("<call>", "call id, file or job name")
    .option("--tenant <id>", "tenant of a call id or file")
    .option("--timeout <seconds>", "give up after", num("--timeout"), 1800)
    .option("--interval <seconds>", "seconds between checks", num("--interval"), 15)
    .option("--days <n>", "days to look back for a record", int("--days"), 7)
    .addHelpText("after", `${examples(["cci upload sample.wav --tenant demo-tenant && cci wait sample --tenant demo-tenant --timeout 900"])}${EXIT_HELP}`)
    .action(run((g, cmd) => waitCommand(open(g), cmd.args[0], cmd.opts(), io, g.json)));

  program
    .command("results")
    .description("a tenant's calls from Athena, through the environment's workgroup")
    .option("--tenant <id>", "tenant (required when the environment has more than one)")
    .option("--since <when>", "30m, 24h, 7d or an ISO date", "7d")
    .addOption(new Option("--status <status>", "only calls with this status").choices([...STATUSES]))
    .addOption(new Option("--format <format>", "output format").choices([...FORMATS]).default("table"))
    .option("--limit <n>", "at most this many calls (newest first)", int("--limit"), 100)
    .addHelpText(
      "after",
      `${examples(["cci results --tenant demo-tenant", "cci results --tenant acme --since 24h --status FAILED", "cci results --tenant acme --format csv > calls.csv"])}${EXIT_HELP}`,
    )
    .action(run((g, cmd) => resultsCommand(open(g), cmd.opts(), io, g.json)));

  program
    .command("reprocess")
    .description("analyse calls again (e.g. after a model change): invokes the analyze function with their jobs")
    .argument("<call...>", "call ids, files or job names")
    .option("--tenant <id>", "tenant of call ids or files")
    .option("--force", "replace the call's COMPLETED record too", false)
    .option("--days <n>", "days to look back for a record", int("--days"), 7)
    .addHelpText(
      "after",
      `${examples(["cci reprocess sample --tenant demo-tenant --force", "cci reprocess cci-lite-prod-acme-call-7-0123456789abcdef"])}${EXIT_HELP}`,
    )
    .action(run((g, cmd) => reprocessCommand(open(g), cmd.args, cmd.opts(), io, g.json)));

  program
    .command("redrive")
    .description("move the intake dead-letter queue's messages back to the intake queue (SQS StartMessageMoveTask), with counts")
    .option("--dry-run", "only count the waiting messages", false)
    .option("--no-wait", "start the move and return")
    .option("--rate <n>", "messages per second", int("--rate"))
    .option("--timeout <seconds>", "wait at most this long for the move", num("--timeout"), 600)
    .addHelpText("after", `${examples(["cci redrive --dry-run", "cci redrive", "cci redrive --env dev --json"])}${EXIT_HELP}`)
    .action(run((g, cmd) => redriveCommand(open(g), cmd.opts(), io, g.json)));

  program
    .command("logs")
    .description("the pipeline functions' structured logs, optionally only the lines naming one call")
    .argument("[function...]", "start, analyze, reconcile (default: all three)")
    .option("--since <when>", "30m, 1h, 7d or an ISO date", "1h")
    .option("--call <id>", "only lines naming this call id (or job name)")
    .option("--limit <n>", "at most this many lines (newest)", int("--limit"), 200)
    .addHelpText("after", `${examples(["cci logs --call sample --since 2h", "cci logs analyze --since 30m --json"])}${EXIT_HELP}`)
    .action(run((g, cmd) => logsCommand(open(g), cmd.args, cmd.opts(), io, g.json)));

  program
    .command("doctor")
    .description("read-only preflight of the account before the first apply (npm run doctor; docs/doctor.md)")
    .addHelpText(
      "after",
      `${examples(["cci doctor", "cci doctor --env dev --json"])}\nExit codes (the doctor's own): 0 no problems, 1 a problem (each PROBLEM line names the field to change), 2 usage, configuration or credentials.`,
    )
    .action(run((g) => doctorCommand(g, io)));

  return program;
}

/** Runs `cci` with `argv` (without node and script); returns the exit code, never throws. */
export async function run(argv: readonly string[], deps: RunDeps): Promise<number> {
  const io = deps.io ?? processIo;
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(io, deps.clock, (c) => {
    code = c;
  });
  const name = argv.find((a) => !a.startsWith("-")) ?? "";
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; a usage error has already been printed by commander.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof CliError) {
      io.stderr(`cci ${name}: ${e.message}`.replace("cci : ", "cci: "));
      return e.exitCode;
    }
    io.stderr(`cci ${name}: ${(e as Error)?.message ?? String(e)} (unexpected; CCI_DEBUG=1 prints the stack)`.replace("cci : ", "cci: "));
    if (process.env.CCI_DEBUG) io.stderr(String((e as Error)?.stack ?? e));
    return EXIT.FAILED;
  }
}

/** The process entry (bin/cci.js): the one place the system clock is chosen. */
export function cli(): void {
  run(process.argv.slice(2), { clock: systemClock }).then((code) => {
    process.exitCode = code;
  });
}
