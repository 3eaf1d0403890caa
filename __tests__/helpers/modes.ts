/**
 * The configuration matrix synthesized in-process (modules/config/modes.ts): per mode, the application stack of its
 * environment and the bootstrap stack of that configuration, with the rule pack's findings. Cached per process.
 */
import { Testing } from "cdktf";
import { BootstrapStack, CciLiteStack } from "../../main";
import { CONFIG_MODES, type ModeName, modeConfig } from "../../modules/config/modes";
import type { CciLiteConfig } from "../../modules/config/schema";
import { errorsOf } from "../../modules/security";
import { fakeBundles } from "./synth";

export interface SynthesizedMode {
  readonly name: ModeName;
  readonly config: CciLiteConfig;
  /** `cdk.tf.json` of `cci-lite-<environment>` and of `bootstrap`. */
  readonly app: any;
  readonly bootstrap: any;
  /** Rule pack violations of both stacks (docs/security.md). */
  readonly ruleErrors: readonly string[];
  /** Milliseconds the two stacks took to synthesize. */
  readonly ms: number;
}

const cache = new Map<ModeName, SynthesizedMode>();

export function synthMode(name: ModeName): SynthesizedMode {
  const hit = cache.get(name);
  if (hit) return hit;
  const t0 = performance.now();
  const cfg = modeConfig(name);
  const app = Testing.app();
  const stacks = [new CciLiteStack(app, cfg, { bundles: fakeBundles() }), new BootstrapStack(app, "bootstrap", [cfg])];
  const [appJson, bootJson] = stacks.map((s) => JSON.parse(Testing.synth(s)));
  const out = { name, config: cfg, app: appJson, bootstrap: bootJson, ruleErrors: errorsOf(app), ms: performance.now() - t0 };
  cache.set(name, out);
  return out;
}

/** Every mode, `[name, base]` for `describe.each`. */
export const MODE_ROWS = Object.entries(CONFIG_MODES).map(([name, m]) => [name as ModeName, m.base] as const);
