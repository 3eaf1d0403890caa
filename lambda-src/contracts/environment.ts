/**
 * The Lambda environment of each handler: variable names, types and defaults, defined once. The infrastructure
 * writes the variables with {@link environmentVariables}; the handlers read them with {@link readConfig}. A
 * variable added here is written and read, or the type checker complains on both sides.
 * Pure: callers pass `process.env`, tests pass a plain object.
 */
import type { HandlerName } from "./handlers";
import { MAX_HANDOUTS_PER_RUN } from "./pacing";

export type Env = Readonly<Record<string, string | undefined>>;

type Kind = "string" | "number" | "boolean";
interface Variable<K extends Kind = Kind> {
  readonly name: string;
  readonly kind: K;
  /** Used when the variable is absent or empty; without one the variable is required. */
  readonly fallback?: K extends "number" ? number : K extends "boolean" ? boolean : string;
}
const text = (name: string): Variable<"string"> => ({ name, kind: "string" });
const positive = (name: string, fallback: number): Variable<"number"> => ({ name, kind: "number", fallback });
const flag = (name: string, fallback: boolean): Variable<"boolean"> => ({ name, kind: "boolean", fallback });

const COMMON = {
  environment: text("ENVIRONMENT"),
  inputBucket: text("INPUT_BUCKET"),
  resultsBucket: text("RESULTS_BUCKET"),
  kmsKeyArn: text("KMS_KEY_ARN"),
  jobNamePrefix: text("JOB_NAME_PREFIX"),
  /** SSM path of the configuration documents, e.g. `/cci-lite/prod/config` (no trailing slash). */
  configPath: text("CONFIG_PATH"),
};
const START = { ...COMMON, transcribeRoleArn: text("TRANSCRIBE_ROLE_ARN") };
const ANALYZE = {
  ...COMMON,
  bedrockModelId: text("BEDROCK_MODEL_ID"),
  bedrockRegion: text("BEDROCK_REGION"),
  bedrockMaxTokens: positive("BEDROCK_MAX_TOKENS", 1024),
  deleteInputOnSuccess: flag("DELETE_INPUT_ON_SUCCESS", false),
};
const RECONCILE = {
  ...ANALYZE,
  stuckJobHours: positive("STUCK_JOB_HOURS", 6),
  reconcileLookbackHours: positive("RECONCILE_LOOKBACK_HOURS", 48),
  /** The analyze function reconcile hands missed jobs to (asynchronous invocation). */
  analyzeFunctionName: text("ANALYZE_FUNCTION_NAME"),
  /** Hand-outs per run: the budget the configured quotas give (contracts/pacing.ts `handoutBudget`). */
  reconcileMaxHandouts: positive("RECONCILE_MAX_HANDOUTS", MAX_HANDOUTS_PER_RUN),
};

/** Every handler's variables. */
export const HANDLER_ENVIRONMENT = { start: START, analyze: ANALYZE, reconcile: RECONCILE } as const satisfies Record<HandlerName, Record<string, Variable>>;

type ValueOf<V> = V extends Variable<"number"> ? number : V extends Variable<"boolean"> ? boolean : string;
/** The typed settings a handler reads from its environment. */
export type HandlerConfig<H extends HandlerName> = { readonly [K in keyof (typeof HANDLER_ENVIRONMENT)[H]]: ValueOf<(typeof HANDLER_ENVIRONMENT)[H][K]> };
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
  switch (v.kind) {
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

/** Reads and checks a handler's settings; throws naming the variable that is missing or malformed. */
export function readConfig<H extends HandlerName>(handler: H, env: Env): HandlerConfig<H> {
  const spec = HANDLER_ENVIRONMENT[handler] as Record<string, Variable>;
  return Object.fromEntries(Object.entries(spec).map(([field, v]) => [field, parse(v, env)])) as HandlerConfig<H>;
}

/** The variables the infrastructure sets for a handler (values may be Terraform tokens). */
export function environmentVariables<H extends HandlerName>(handler: H, values: HandlerConfig<H>): Record<string, string> {
  const spec = HANDLER_ENVIRONMENT[handler] as Record<string, Variable>;
  const out: Record<string, string> = {};
  for (const [field, v] of Object.entries(spec)) out[v.name] = String((values as Record<string, unknown>)[field]);
  return out;
}
