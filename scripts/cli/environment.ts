/**
 * The deployed environment a command works on, found from `config/<env>.json` and the caller's account: every
 * name comes from modules/config/naming.ts (the functions the stacks use), never from a copied ARN.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import type { Clock } from "../../lambda-src/core/clock";
import { loadConfigFile } from "../../modules/config/load";
import { type Naming, naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import { call, type Clients, createClients, ENDPOINT_ENV } from "./aws";
import { CliError, EXIT } from "./exit-codes";

/** Options every command takes. */
export interface GlobalOptions {
  readonly env: string;
  readonly configDir: string;
  readonly json: boolean;
  readonly endpointUrl?: string;
}

export interface Environment {
  readonly cfg: CciLiteConfig;
  readonly names: Naming;
  readonly clients: Clients;
  readonly region: string;
  /** `config/prod.json` relative to the working directory when inside it. */
  readonly configFile: string;
  /**
   * The command's one clock (lambda-src/core/clock.ts): the look-back of status/wait/reprocess, `--since`, the
   * result key printed by upload, and every timeout and wait. The bin passes the system clock, tests a manual one.
   */
  readonly clock: Clock;
}

/** The repository's config/ folder; `CCI_LITE_CONFIG_DIR` (as for the doctor) or `--config-dir` override it. */
export const DEFAULT_CONFIG_DIR = path.join(__dirname, "..", "..", "config");

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

/** Loads and validates `<configDir>/<env>.json` (a bad file: exit 2 with the file and field). */
export function loadEnvironmentConfig(opts: GlobalOptions): { cfg: CciLiteConfig; configFile: string } {
  const file = path.join(opts.configDir, `${opts.env}.json`);
  if (!fs.existsSync(file)) {
    const available = fs.existsSync(opts.configDir)
      ? fs
          .readdirSync(opts.configDir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => path.basename(f, ".json"))
      : [];
    throw new CliError(`${displayPath(file)} does not exist (--env ${opts.env}; available: ${available.join(", ") || "none"})`, EXIT.USAGE);
  }
  try {
    return { cfg: loadConfigFile(file), configFile: displayPath(file) };
  } catch (e) {
    throw new CliError((e as Error).message.replace(/\n\s*/g, " "), EXIT.USAGE);
  }
}

/** Configuration, names, clients (no AWS call yet) and the clock. */
export function openEnvironment(opts: GlobalOptions, clock: Clock): Environment {
  const { cfg, configFile } = loadEnvironmentConfig(opts);
  const endpoint = opts.endpointUrl ?? process.env[ENDPOINT_ENV];
  return { cfg, names: naming(cfg), clients: createClients(cfg.region, endpoint || undefined), region: cfg.region, configFile, clock };
}

/**
 * STS GetCallerIdentity (needs no permission): fails with exit 3 without credentials, or when they belong to
 * another account than the configuration deploys to (every name would be wrong there).
 */
export async function checkAccount(env: Environment): Promise<{ account: string; arn: string }> {
  const out = await call("sts:GetCallerIdentity", env.region, () => env.clients.sts.send(new GetCallerIdentityCommand({})));
  const account = out.Account ?? "";
  if (account !== env.cfg.accountId) {
    throw new CliError(
      `the AWS credentials are for account ${account || "(unknown)"} (${out.Arn ?? "?"}) but ${env.configFile} deploys to ${env.cfg.accountId}; sign in to that account or pick another --env`,
      EXIT.AWS_ACCESS,
    );
  }
  return { account, arn: out.Arn ?? "" };
}

/** The environment key's ARN from its alias (kms:DescribeKey): what an SSE-KMS upload must name. */
export async function keyArn(env: Environment): Promise<string> {
  const out = await call("kms:DescribeKey", env.region, () => env.clients.kms.send(new DescribeKeyCommand({ KeyId: env.names.keyAlias })));
  const arn = out.KeyMetadata?.Arn;
  if (!arn) throw new CliError(`kms:DescribeKey answered no key for ${env.names.keyAlias}`, EXIT.FAILED);
  return arn;
}

/** The tenant a command is about: `--tenant`, or the only configured tenant; it must be configured. */
export function resolveTenant(cfg: CciLiteConfig, tenant: string | undefined): string {
  const ids = cfg.tenants.map((t) => t.id);
  if (!tenant) {
    if (ids.length === 1) return ids[0];
    throw new CliError(`--tenant is required (configured tenants: ${ids.join(", ") || "none"})`, EXIT.USAGE);
  }
  if (!ids.includes(tenant))
    throw new CliError(`tenant "${tenant}" is not configured in environment ${cfg.environment} (configured: ${ids.join(", ") || "none"})`, EXIT.USAGE);
  return tenant;
}
