/**
 * The configurations the emulated tier applies, in one place: the committed config/dev.json and config/prod.json,
 * and dev in a VPC the stack creates (`network.mode: "create"`) and in one that exists (`"existing"`, whose VPC,
 * subnets and route table the tier first creates in moto). Each is an environment of one generated configuration
 * folder (bootstrap is synthesized from all of them, as it would be for one account), so their names are distinct.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { modeTopLevel } from "../../modules/config/modes";
import type { CciLiteConfigInput } from "../../modules/config/schema";

/** The ids of the existing network the tier creates in moto before synth (existing mode). */
export interface ExistingNetworkIds {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly routeTableIds: readonly string[];
}

export interface EmulatedConfiguration {
  /** The environment (config file name and `environment` field); the stack is `cci-lite-<environment>`. */
  readonly environment: string;
  /** The committed file it starts from: `config/<base>.json`. */
  readonly base: "dev" | "prod";
  /** Top-level fields replaced in the base. @default none */
  readonly overrides?: (network: ExistingNetworkIds) => Partial<CciLiteConfigInput>;
  /** The runtime wiring (upload, start, status) is exercised on this stack. @default false */
  readonly exercise?: boolean;
}

/**
 * The applied subset of the configuration matrix (modules/config/modes.ts): its `dev` and `prod` modes, and its two
 * network modes (`dev-new-vpc`, `dev-existing-vpc`, whose VPC ids are the ones the tier created in moto). The rest of
 * the matrix runs through synth, plan and simulation only (__tests__/infra/modes.test.ts, security/creatable.test.ts).
 */
export const EMULATED_CONFIGURATIONS: readonly EmulatedConfiguration[] = [
  { environment: "dev", base: "dev", exercise: true },
  { environment: "prod", base: "prod" },
  { environment: "netcreate", base: "dev", overrides: () => modeTopLevel("dev-new-vpc") },
  {
    environment: "netexisting",
    base: "dev",
    overrides: (n) => ({
      ...modeTopLevel("dev-existing-vpc"),
      network: { mode: "existing", vpcId: n.vpcId, subnetIds: [...n.subnetIds], routeTableIds: [...n.routeTableIds] },
    }),
  },
];

export const REPO_CONFIG_DIR = path.resolve(__dirname, "..", "..", "config");

/**
 * The one account and region of the emulator: prod's. moto serves one account (MOTO_ACCOUNT_ID), so every emulated
 * configuration is put into it: the shared-account configuration (docs/delivery.md, "Environments and accounts"),
 * with one `bootstrap` stack for all environments, as the `modes` plan target has it.
 */
export function accountOf(configDir: string = REPO_CONFIG_DIR): { accountId: string; region: string } {
  const prod = JSON.parse(fs.readFileSync(path.join(configDir, "prod.json"), "utf8"));
  return { accountId: prod.accountId, region: prod.region };
}

/** Writes `<dir>/<environment>.json` for every emulated configuration; returns the folder. */
export function writeEmulatedConfigs(dir: string, network: ExistingNetworkIds, configDir: string = REPO_CONFIG_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const c of EMULATED_CONFIGURATIONS) {
    const base = JSON.parse(fs.readFileSync(path.join(configDir, `${c.base}.json`), "utf8")) as CciLiteConfigInput;
    const cfg = { ...base, ...(c.overrides?.(network) ?? {}), environment: c.environment, ...accountOf(configDir) };
    fs.writeFileSync(path.join(dir, `${c.environment}.json`), `${JSON.stringify(cfg, null, 2)}\n`);
  }
  return dir;
}
