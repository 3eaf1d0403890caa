/**
 * `npm run doctor [-- --env <name>] [--config-dir <dir>] [--json]`: a read-only preflight of the target AWS account
 * before the first apply (docs/doctor.md). Uses the default AWS credential chain and the configuration's region.
 * `npm run doctor -- --github`: the repository's delivery settings instead, through the GitHub REST API (./github/).
 *
 * Exit codes: 0 every check ok or skipped; 1 at least one problem; 2 usage, configuration or credentials error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../modules/config/load";
import { parseOptions, UsageError } from "../args";
import type { CciLiteConfig } from "../../modules/config/schema";
import { gatherFacts } from "./aws";
import { callerIdentity, createClients, type DoctorClients } from "./aws/clients";
import { credentialErrors, runChecks, type CheckResult } from "./checks";
import { runGithubDoctor } from "./github";

export const USAGE = "usage: npm run doctor -- [--env <name>] [--config-dir <dir>] [--json] | --github [--config-dir <dir>] [--json]";

export interface DoctorIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

const consoleIo: DoctorIo = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
};

export interface DoctorOptions {
  readonly env: string;
  readonly configDir: string;
  readonly json: boolean;
  /** Check the GitHub repository's settings (every configuration in the folder) instead of the AWS account. */
  readonly github: boolean;
}

/** The options; `--help`/`-h` returns "help". Throws a UsageError naming a bad option. */
export function parseArgs(argv: readonly string[], defaults: { configDir: string }): DoctorOptions | "help" {
  const { values } = parseOptions(argv, {
    env: { type: "string" },
    "config-dir": { type: "string" },
    json: { type: "boolean" },
    github: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";
  for (const name of ["env", "config-dir"] as const) if (values[name] === "") throw new UsageError(`--${name} needs a value`);
  if (values.github && values.env !== undefined) throw new UsageError("--github checks the repository of every configuration: drop --env");
  return { env: values.env ?? "prod", configDir: values["config-dir"] ?? defaults.configDir, json: values.json === true, github: values.github === true };
}

/** `config/prod.json` when under the working directory, else the absolute path. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

/** `ok      lambda-concurrency    message` / `PROBLEM bucket-names/input  message  fix: ...` */
export function formatResults(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.id.length));
  return results.map((r) => {
    const status = r.status === "problem" ? "PROBLEM" : r.status;
    return `${status.padEnd(8)}${r.id.padEnd(width + 2)}${r.message}${r.status === "problem" && r.fix ? `  fix: ${r.fix}` : ""}`;
  });
}

export interface MainDeps {
  readonly io?: DoctorIo;
  /** Defaults to real SDK clients (tests mock them with aws-sdk-client-mock). */
  readonly clients?: (cfg: CciLiteConfig) => DoctorClients;
  /** @default `CCI_LITE_CONFIG_DIR`, else `<repo>/config` */
  readonly defaultConfigDir?: string;
  /** `GITHUB_TOKEN`/`GH_TOKEN`/`GITHUB_API_URL` for `--github`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The summary line of a run. */
function summary(results: readonly CheckResult[], before: string): string {
  const problems = results.filter((r) => r.status === "problem").length;
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  return problems === 0
    ? `doctor: no problems (${count("ok")} ok, ${count("skipped")} skipped)`
    : `doctor: ${problems} problem${problems === 1 ? "" : "s"} (${count("ok")} ok, ${count("skipped")} skipped); fix them ${before} (docs/doctor.md)`;
}

async function githubMain(options: DoctorOptions, io: DoctorIo, env: NodeJS.ProcessEnv): Promise<number> {
  const run = await runGithubDoctor({ configDir: options.configDir, env });
  if (!run.ok) {
    io.stderr(run.message);
    return 2;
  }
  const problems = run.results.filter((r) => r.status === "problem").length;
  if (options.json) io.stdout(JSON.stringify({ repository: run.repository, api: run.api, problems, results: run.results }, null, 2));
  else {
    io.stdout(`doctor: GitHub repository ${run.repository} (${run.api}, read-only)`);
    for (const line of formatResults(run.results)) io.stdout(line);
    io.stdout(summary(run.results, "before the first push"));
  }
  return problems === 0 ? 0 : 1;
}

/** Runs the doctor; returns the exit code. Never throws for expected failures. */
export async function main(argv: readonly string[], deps: MainDeps = {}): Promise<number> {
  const io = deps.io ?? consoleIo;
  const defaultConfigDir = deps.defaultConfigDir ?? process.env.CCI_LITE_CONFIG_DIR ?? path.join(__dirname, "..", "..", "config");
  let options: DoctorOptions;
  try {
    const parsed = parseArgs(argv, { configDir: defaultConfigDir });
    if (parsed === "help") {
      io.stdout(USAGE);
      return 0;
    }
    options = parsed;
  } catch (e) {
    io.stderr(`doctor: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.github) return githubMain(options, io, deps.env ?? process.env);

  let cfg: CciLiteConfig;
  const configFile = displayPath(path.join(options.configDir, `${options.env}.json`));
  if (!fs.existsSync(path.join(options.configDir, `${options.env}.json`))) {
    const available = fs.existsSync(options.configDir)
      ? fs
          .readdirSync(options.configDir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => path.basename(f, ".json"))
      : [];
    io.stderr(`doctor: ${configFile} does not exist (--env ${options.env}; available: ${available.join(", ") || "none"})`);
    return 2;
  }
  try {
    [cfg] = loadEnvironments(options.configDir, options.env);
  } catch (e) {
    const err = e as Error;
    io.stderr(err.name === "ConfigError" ? err.message : `doctor: cannot read the configuration in ${options.configDir}: ${err.message}`);
    return 2;
  }

  const clients = (deps.clients ?? createClients)(cfg);
  const caller = await callerIdentity(clients, cfg.region);
  if (!caller.ok) {
    const e = caller.error;
    io.stderr(
      e.kind === "credentials"
        ? `doctor: no usable AWS credentials (${e.message}); sign in to account ${cfg.accountId} (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run it again`
        : `doctor: cannot ask AWS STS who the caller is in ${cfg.region} (${e.message}); check the network and the credentials`,
    );
    return 2;
  }

  const facts = await gatherFacts(clients, cfg, caller.value);
  const [expired] = credentialErrors(facts);
  if (expired) {
    io.stderr(`doctor: the AWS credentials stopped working during the checks (${expired.action}: ${expired.message}); refresh them and run it again`);
    return 2;
  }

  const results = runChecks(facts, { cfg, configFile });
  const problems = results.filter((r) => r.status === "problem").length;
  if (options.json) {
    io.stdout(
      JSON.stringify(
        { environment: cfg.environment, configFile, account: caller.value.account, caller: caller.value.arn, region: cfg.region, problems, results },
        null,
        2,
      ),
    );
  } else {
    io.stdout(`doctor: ${configFile}, account ${caller.value.account}, region ${cfg.region} (read-only)`);
    for (const line of formatResults(results)) io.stdout(line);
    io.stdout(summary(results, "before the first apply"));
  }
  return problems === 0 ? 0 : 1;
}

if (require.main === module) {
  // The SDK's Node.js support notice (multi-line, about SDK releases after January 2027) is not about this account;
  // AWS's own switch silences it unless the caller set it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // Unexpected: still one line, no stack trace (set DEBUG_DOCTOR=1 for it).
      console.error(`doctor: ${(e as Error)?.message ?? String(e)}`);
      if (process.env.DEBUG_DOCTOR) console.error(e);
      process.exit(2);
    },
  );
}
