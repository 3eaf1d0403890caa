/**
 * Typed runtime configuration read from the environment (the variables are listed in docs/pipeline.md, "Environment variables").
 * Pure: callers pass `process.env`, tests pass a plain object.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface CommonConfig {
  readonly environment: string;
  readonly inputBucket: string;
  readonly resultsBucket: string;
  readonly kmsKeyArn: string;
  readonly jobNamePrefix: string;
  readonly configPath: string;
}

export interface StartConfig extends CommonConfig {
  readonly transcribeRoleArn: string;
}

export interface AnalyzeConfig extends CommonConfig {
  readonly bedrockModelId: string;
  readonly bedrockRegion: string;
  readonly bedrockMaxTokens: number;
  readonly deleteInputOnSuccess: boolean;
}

export interface ReconcileConfig extends AnalyzeConfig {
  readonly stuckJobHours: number;
  readonly reconcileLookbackHours: number;
}

function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === "") throw new Error(`Missing required environment variable ${name}`);
  return v.trim();
}

function positiveNumber(env: Env, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") {
    if (fallback !== undefined) return fallback;
    throw new Error(`Missing required environment variable ${name}`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Environment variable ${name} must be a positive number, got "${raw}"`);
  return n;
}

export function readCommonConfig(env: Env): CommonConfig {
  return {
    environment: required(env, "ENVIRONMENT"),
    inputBucket: required(env, "INPUT_BUCKET"),
    resultsBucket: required(env, "RESULTS_BUCKET"),
    kmsKeyArn: required(env, "KMS_KEY_ARN"),
    jobNamePrefix: required(env, "JOB_NAME_PREFIX"),
    configPath: required(env, "CONFIG_PATH").replace(/\/+$/, ""),
  };
}

export function readStartConfig(env: Env): StartConfig {
  return { ...readCommonConfig(env), transcribeRoleArn: required(env, "TRANSCRIBE_ROLE_ARN") };
}

export function readAnalyzeConfig(env: Env): AnalyzeConfig {
  return {
    ...readCommonConfig(env),
    bedrockModelId: required(env, "BEDROCK_MODEL_ID"),
    bedrockRegion: required(env, "BEDROCK_REGION"),
    bedrockMaxTokens: Math.floor(positiveNumber(env, "BEDROCK_MAX_TOKENS", 1024)),
    deleteInputOnSuccess: (env.DELETE_INPUT_ON_SUCCESS ?? "false").trim().toLowerCase() === "true",
  };
}

export function readReconcileConfig(env: Env): ReconcileConfig {
  return {
    ...readAnalyzeConfig(env),
    stuckJobHours: positiveNumber(env, "STUCK_JOB_HOURS", 6),
    reconcileLookbackHours: positiveNumber(env, "RECONCILE_LOOKBACK_HOURS", 48),
  };
}
