/**
 * Loads and validates environment configuration files. A bad file fails here, before any construct exists,
 * with one line per problem naming the file and the field.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "./errors";
import { configSchema, type CciLiteConfig } from "./schema";

function fieldPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "");
}

/** Validates an already-parsed document; `file` only labels the messages. */
export function parseConfig(raw: unknown, file: string): CciLiteConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((i) => {
        if (i.code === "unrecognized_keys") {
          const where = fieldPath(i.path);
          return `${i.keys.map((k) => (where ? `${where}.${k}` : k)).join(", ")}: unknown field`;
        }
        return `${fieldPath(i.path) || "(root)"}: ${i.message}`;
      }),
    );
  }
  return result.data;
}

/** Reads and validates one configuration file. */
export function loadConfigFile(file: string): CciLiteConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot be read: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`is not valid JSON: ${(e as Error).message}`]);
  }
  const cfg = parseConfig(raw, file);
  const base = path.basename(file, ".json");
  if (base !== cfg.environment) {
    throw new ConfigError(file, [`environment: is "${cfg.environment}" but the file is named ${base}.json (they must match)`]);
  }
  return cfg;
}

/**
 * Loads the environments to synthesize: every `config/<env>.json`, or only those named in `CCI_LITE_ENVS`
 * (comma-separated). Each names its account; environments of one account share its bootstrap stack
 * ({@link accountGroups}), one repository serves them all.
 */
export function loadEnvironments(configDir: string, only = process.env.CCI_LITE_ENVS): CciLiteConfig[] {
  const available = fs
    .readdirSync(configDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => path.basename(f, ".json"))
    .sort();
  const wanted = only
    ? only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : available;
  for (const w of wanted) {
    if (!available.includes(w)) {
      throw new ConfigError(path.join(configDir, `${w}.json`), [`does not exist (CCI_LITE_ENVS names it; available: ${available.join(", ") || "none"})`]);
    }
  }
  if (wanted.length === 0) throw new ConfigError(configDir, ["holds no <environment>.json file"]);
  const configs = wanted.map((w) => loadConfigFile(path.join(configDir, `${w}.json`)));
  const singletons = accountSingletonProblems(configs);
  if (singletons.length) throw new ConfigError(configDir, singletons);
  const repos = [...new Set(configs.map((c) => c.github.repository))];
  if (repos.length > 1) {
    throw new ConfigError(configDir, [`github.repository: environments name different repositories (${repos.join(", ")})`]);
  }
  return configs;
}

/** The environments of one account, and the name of its bootstrap stack. */
export interface AccountGroup {
  readonly accountId: string;
  /** `bootstrap` when every environment shares one account, else `bootstrap-<its environments, joined by ->`. */
  readonly stackName: string;
  readonly environments: readonly CciLiteConfig[];
}

/** Groups the environments by account (separate accounts are the recommendation: docs/delivery.md). */
export function accountGroups(configs: readonly CciLiteConfig[]): AccountGroup[] {
  const accounts = [...new Set(configs.map((c) => c.accountId))];
  return accounts.map((accountId) => {
    const environments = configs.filter((c) => c.accountId === accountId);
    const names = environments.map((c) => c.environment).sort();
    return { accountId, stackName: accounts.length === 1 ? "bootstrap" : `bootstrap-${names.join("-")}`, environments };
  });
}

/**
 * Account-wide singletons have one owner among the environments of an account (docs/delivery.md, "Environments and
 * accounts"): the region's GuardDuty detector (a second would fail to create) and the CloudTrail trail (a second bills
 * management events twice). The others set `guardduty.createDetector: false` (they forward its findings) and
 * `cloudtrail.enabled: false`.
 */
export function accountSingletonProblems(configs: readonly CciLiteConfig[]): string[] {
  const problems: string[] = [];
  for (const group of accountGroups(configs)) {
    const owners = (what: (c: CciLiteConfig) => boolean) => group.environments.filter(what).map((c) => c.environment);
    const detector = owners((c) => c.guardduty.enabled && c.guardduty.createDetector);
    const regions = new Set(group.environments.filter((c) => detector.includes(c.environment)).map((c) => c.region));
    if (detector.length > regions.size)
      problems.push(
        `guardduty.createDetector: ${detector.join(" and ")} share account ${group.accountId} and both create the region's one detector; keep it in one and set createDetector: false in the others (they forward its findings)`,
      );
    const trails = owners((c) => c.cloudtrail.enabled);
    if (trails.length > 1)
      problems.push(
        `cloudtrail.enabled: ${trails.join(" and ")} share account ${group.accountId}; one environment owns the account's trail, set false in the others`,
      );
  }
  return problems;
}
