/** Synthesizes stacks from a configuration in-process, with tiny stand-in Lambda bundles (no esbuild). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { BootstrapStack, CciLiteStack } from "../../main";
import { parseConfig } from "../../modules/config/load";
import type { CciLiteConfig, CciLiteConfigInput } from "../../modules/config/schema";
import type { LambdaBundle } from "../../modules/constructs/bundling";
import type { HandlerName } from "../../lambda-src/contracts/handlers";

export const BASE_CONFIG: CciLiteConfigInput = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "config", "prod.json"), "utf8"));

let bundles: Record<HandlerName, LambdaBundle> | undefined;
/** Stand-in bundles: one small index.mjs per handler (the real ones are tested in __tests__/bundle). */
export function fakeBundles(): Record<HandlerName, LambdaBundle> {
  if (bundles) return bundles;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-fake-bundles-"));
  const out = {} as Record<HandlerName, LambdaBundle>;
  for (const h of ["start", "analyze", "reconcile"] as const) {
    const dir = path.join(root, h);
    fs.mkdirSync(dir);
    const file = path.join(dir, "index.mjs");
    fs.writeFileSync(file, `export const handler = async () => "${h}";\n`);
    out[h] = { dir, file, bytes: fs.statSync(file).size };
  }
  bundles = out;
  return out;
}

/** The default configuration with overrides merged at the top level. */
export function config(overrides: Partial<CciLiteConfigInput> = {}): CciLiteConfig {
  return parseConfig({ ...BASE_CONFIG, ...overrides }, "test.json");
}

export interface Synthesized {
  readonly json: any;
  /** Resources of one type, keyed by logical id. */
  resources(type: string): Record<string, any>;
  /** The only resource of a type whose logical id contains `idPart`. */
  resource(type: string, idPart?: string): any;
}

function wrap(text: string): Synthesized {
  const json = JSON.parse(text);
  const resources = (type: string) => (json.resource?.[type] ?? {}) as Record<string, any>;
  return {
    json,
    resources,
    resource(type, idPart) {
      const matches = Object.entries(resources(type)).filter(([id]) => !idPart || id.includes(idPart));
      if (matches.length !== 1)
        throw new Error(`expected one ${type}${idPart ? ` matching "${idPart}"` : ""}, found ${matches.length}: ${matches.map(([id]) => id).join(", ")}`);
      return matches[0][1];
    },
  };
}

/** Synthesizes one application stack. */
export function synthApp(overrides: Partial<CciLiteConfigInput> = {}): Synthesized {
  const app = Testing.app();
  const stack = new CciLiteStack(app, config(overrides), { bundles: fakeBundles() });
  return wrap(Testing.synth(stack));
}

/** Synthesizes the bootstrap stack. */
export function synthBootstrap(overrides: Partial<CciLiteConfigInput> = {}): Synthesized {
  const app = Testing.app();
  const stack = new BootstrapStack(app, "bootstrap", [config(overrides)]);
  return wrap(Testing.synth(stack));
}

/** Parses a policy document stored as a JSON string in a resource attribute. */
export function doc(policyJson: string): { Statement: any[] } {
  return JSON.parse(policyJson);
}

export function statement(policyJson: string, sid: string): any {
  const s = doc(policyJson).Statement.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid} in ${policyJson}`);
  return s;
}
