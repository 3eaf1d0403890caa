/**
 * The Lambda environment of each handler: variable names, types and defaults, defined once. The infrastructure
 * writes the variables with {@link environmentVariables} (through {@link HANDLER_ENVIRONMENT}); each handler reads
 * its own with {@link readConfig} and its spec ({@link ANALYZE_ENVIRONMENT}, ...), so a bundle carries only its own
 * handler's variables. A variable added here is written and read, or the type checker complains on both sides.
 * Pure: callers pass `process.env`, tests pass a plain object.
 */
import type { HandlerName } from "./handlers";
import { MAX_HANDOUTS_PER_RUN } from "./pacing";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * One variable. Its kind is its fallback's type: a positive number, a flag, or (no fallback) a required string.
 * `T` is the value's type.
 */
interface Variable<T extends string | number | boolean = string | number | boolean> {
  readonly name: string;
  /** Used when the variable is absent or empty; without one the variable is required. */
  readonly fallback?: T;
}
// Pure constructors (`@__NO_SIDE_EFFECTS__`), so a bundle drops the specs its handler does not read.
/* @__NO_SIDE_EFFECTS__ */ const text = (name: string): Variable<string> => ({ name });
/* @__NO_SIDE_EFFECTS__ */ const positive = (name: string, fallback: number): Variable<number> => ({ name, fallback });
/* @__NO_SIDE_EFFECTS__ */ const flag = (name: string, fallback: boolean): Variable<boolean> => ({ name, fallback });
/** A spec that adds variables to `base` (a call, not a spread: esbuild keeps a spread it cannot prove unused). */
/* @__NO_SIDE_EFFECTS__ */ const extend = <B extends object, M extends object>(base: B, more: M): B & M => ({ ...base, ...more });

const COMMON = {
  environment: text("ENVIRONMENT"),
  inputBucket: text("INPUT_BUCKET"),
  resultsBucket: text("RESULTS_BUCKET"),
  kmsKeyArn: text("KMS_KEY_ARN"),
  jobNamePrefix: text("JOB_NAME_PREFIX"),
  /** SSM path of the configuration documents, e.g. `/cci-lite/prod/config` (no trailing slash). */
  configPath: text("CONFIG_PATH"),
};
/** start's variables. */
export const START_ENVIRONMENT = extend(COMMON, { transcribeRoleArn: text("TRANSCRIBE_ROLE_ARN") });
/** analyze's variables. */
export const ANALYZE_ENVIRONMENT = extend(COMMON, {
  bedrockModelId: text("BEDROCK_MODEL_ID"),
  bedrockRegion: text("BEDROCK_REGION"),
  bedrockMaxTokens: positive("BEDROCK_MAX_TOKENS", 1024),
  deleteInputOnSuccess: flag("DELETE_INPUT_ON_SUCCESS", false),
});
/** reconcile's variables (analyze's too: it writes records as analyze does). */
export const RECONCILE_ENVIRONMENT = extend(ANALYZE_ENVIRONMENT, {
  stuckJobHours: positive("STUCK_JOB_HOURS", 6),
  reconcileLookbackHours: positive("RECONCILE_LOOKBACK_HOURS", 48),
  /** The analyze function reconcile hands missed jobs to (asynchronous invocation). */
  analyzeFunctionName: text("ANALYZE_FUNCTION_NAME"),
  /** Hand-outs per run: the budget the configured quotas give (contracts/pacing.ts `handoutBudget`). */
  reconcileMaxHandouts: positive("RECONCILE_MAX_HANDOUTS", MAX_HANDOUTS_PER_RUN),
});

/** Every handler's variables, for the infrastructure (the handlers name their own spec: their bundles stay lean). */
export const HANDLER_ENVIRONMENT = {
  start: START_ENVIRONMENT,
  analyze: ANALYZE_ENVIRONMENT,
  reconcile: RECONCILE_ENVIRONMENT,
} as const satisfies Record<HandlerName, EnvironmentSpec>;

/** A handler's variables: setting name -> variable. */
export type EnvironmentSpec = Readonly<Record<string, Variable>>;
type ValueOf<V> = V extends Variable<infer T> ? T : never;
/** The typed settings a spec describes. */
export type ConfigOf<S extends EnvironmentSpec> = { readonly [K in keyof S]: ValueOf<S[K]> };
/** The typed settings a handler reads from its environment. */
export type HandlerConfig<H extends HandlerName> = ConfigOf<(typeof HANDLER_ENVIRONMENT)[H]>;
export type CommonConfig = { readonly [K in keyof typeof COMMON]: string };
export type StartConfig = HandlerConfig<"start">;
export type AnalyzeConfig = HandlerConfig<"analyze">;
export type ReconcileConfig = HandlerConfig<"reconcile">;

/** Powertools reads these itself (service name, metrics namespace, log level). */
export const POWERTOOLS = {
  serviceName: "POWERTOOLS_SERVICE_NAME",
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  logLevel: "POWERTOOLS_LOG_LEVEL",
} as const;

function parse(v: Variable, env: Env): string | number | boolean {
  const raw = env[v.name]?.trim();
  if (raw === undefined || raw === "") {
    if (v.fallback !== undefined) return v.fallback;
    throw new Error(`Missing required environment variable ${v.name}`);
  }
  switch (typeof v.fallback) {
    case "number": {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`Environment variable ${v.name} must be a positive number, got "${raw}"`);
      return n;
    }
    case "boolean":
      return raw.toLowerCase() === "true";
    default:
      return v.name === COMMON.configPath.name ? raw.replace(/\/+$/, "") : raw;
  }
}

/**
 * Reads and checks a handler's settings (`readConfig(ANALYZE_ENVIRONMENT, process.env)`); throws naming the variable
 * that is missing or malformed.
 */
export function readConfig<S extends EnvironmentSpec>(spec: S, env: Env): ConfigOf<S> {
  return Object.fromEntries(Object.entries(spec).map(([field, v]) => [field, parse(v, env)])) as ConfigOf<S>;
}

/** The variables the infrastructure sets for a handler (values may be Terraform tokens). */
export function environmentVariables<H extends HandlerName>(handler: H, values: HandlerConfig<H>): Record<string, string> {
  const spec: EnvironmentSpec = HANDLER_ENVIRONMENT[handler];
  const out: Record<string, string> = {};
  for (const [field, v] of Object.entries(spec)) out[v.name] = String((values as Record<string, unknown>)[field]);
  return out;
}
