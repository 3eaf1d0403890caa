/**
 * `npm run capacity`: what the deployed configuration can carry. Simulates a 10,000-upload burst and 100,000 calls
 * a day (or the workload given), then searches the highest sustained calls per hour. Method and assumptions:
 * docs/pipeline.md, "Capacity model".
 *
 * Options: --env <name> (default prod), --burst N, --per-hour N [--hours H] [--poisson], --per-day N,
 * --call-median S, --call-sigma X, --call-fixed S, --event-loss R (0-1), --seed N, --no-search, --quotas,
 * --reconcile-max-per-run N, --job-factor X, --job-overhead S, --output-burndown X (Bedrock quota tokens per output
 * token), --cut-share R (0-1, answers cut at max_tokens), and one flag per quota (--quotas lists them).
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadEnvironments } from "../../modules/config/load";
import { exitOnUsageError, nonNegative, parseOptions } from "../args";
import { run, type Scenario, sustainedMaximum } from "./capacity";
import { handoutBudget } from "../../lambda-src/contracts/pacing";
import { DEFAULT_BEHAVIOUR, DEFAULT_CALL_LENGTHS, DEFAULT_QUOTAS, deployedSettings, QUOTA_SOURCES, type Quotas, type Workload } from "./model";
import { quotaTable, scenarioTable, settingsText, sustainedText } from "./report";

const count = { type: "string" } as const;

/** The options (strict `node:util` parseArgs): the workload and behaviour ones, then one per quota (`--quotas`). */
const OPTIONS = {
  env: { type: "string" },
  burst: count,
  "per-hour": count,
  hours: count,
  poisson: { type: "boolean" },
  "per-day": count,
  "call-median": count,
  "call-sigma": count,
  "call-fixed": count,
  "event-loss": count,
  seed: count,
  "no-search": { type: "boolean" },
  quotas: { type: "boolean" },
  "reconcile-max-per-run": count,
  "job-factor": count,
  "job-overhead": count,
  "output-burndown": count,
  "cut-share": count,
  ...Object.fromEntries(Object.values(QUOTA_SOURCES).map((q) => [q.flag.replace(/^--/, ""), count])),
} as const;

/** The command line: `num` reads a numeric option (non-negative), `flag` a switch, `env` the environment. */
export function parseCapacityArgs(argv: readonly string[]) {
  const { values } = parseOptions(argv, OPTIONS);
  const v = values as Readonly<Record<string, string | boolean | undefined>>;
  const numbers = new Map<string, number>();
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === "string" && name !== "env") numbers.set(name, nonNegative(name, value) as number);
  }
  return {
    env: values.env ?? "prod",
    flag: (name: string): boolean => v[name.replace(/^--/, "")] === true,
    num: (name: string): number | undefined => numbers.get(name.replace(/^--/, "")),
  };
}

function main(argv: readonly string[]): void {
  const { env, flag, num } = parseCapacityArgs(argv);
  // Only printed: a duration, on the monotonic clock. The model itself runs on its own virtual clock (simulate.ts).
  const started = performance.now();
  const [cfg] = loadEnvironments(path.join(__dirname, "..", "..", "config"), env);
  // The two quotas the configuration declares (processing.quotas, which also pace reconcile) come from it.
  const quotas = {
    ...DEFAULT_QUOTAS,
    bedrockRequestsPerMinute: cfg.processing.quotas.modelRequestsPerMinute,
    comprehendDetectTps: cfg.processing.quotas.comprehendRequestsPerSecond,
  } as { -readonly [K in keyof Quotas]: number };
  for (const k of Object.keys(QUOTA_SOURCES) as Array<keyof Quotas>) {
    const v = num(QUOTA_SOURCES[k].flag);
    if (v !== undefined) quotas[k] = v;
  }
  if (flag("--quotas")) {
    console.log(quotaTable(quotas));
    return;
  }
  const behaviour = {
    ...DEFAULT_BEHAVIOUR,
    eventLossRate: num("--event-loss") ?? DEFAULT_BEHAVIOUR.eventLossRate,
    jobSecondsPerAudioSecond: num("--job-factor") ?? DEFAULT_BEHAVIOUR.jobSecondsPerAudioSecond,
    jobOverheadSeconds: num("--job-overhead") ?? DEFAULT_BEHAVIOUR.jobOverheadSeconds,
    outputTokenBurndown: num("--output-burndown") ?? DEFAULT_BEHAVIOUR.outputTokenBurndown,
    maxTokensRetryShare: num("--cut-share") ?? DEFAULT_BEHAVIOUR.maxTokensRetryShare,
    // The deployed budget (main.ts gives reconcile the same): from the quotas in effect and the schedule.
    reconcileMaxPerRun:
      num("--reconcile-max-per-run") ??
      handoutBudget(
        { modelRequestsPerMinute: quotas.bedrockRequestsPerMinute, comprehendRequestsPerSecond: quotas.comprehendDetectTps },
        cfg.processing.reconcileEveryMinutes,
      ),
  };
  const fixed = num("--call-fixed");
  const calls = {
    medianSeconds: num("--call-median") ?? DEFAULT_CALL_LENGTHS.medianSeconds,
    sigma: num("--call-sigma") ?? DEFAULT_CALL_LENGTHS.sigma,
    ...(fixed !== undefined ? { fixedSeconds: fixed } : {}),
  };
  const settings = deployedSettings(cfg, quotas);
  const sc: Scenario = { settings, quotas, behaviour, calls, seed: num("--seed") ?? 1 };

  const workloads: Array<{ title: string; w: Workload }> = [];
  const burst = num("--burst");
  const perHour = num("--per-hour");
  const perDay = num("--per-day");
  const poisson = flag("--poisson");
  if (burst !== undefined) workloads.push({ title: `burst of ${burst.toLocaleString("en-US")}`, w: { kind: "burst", count: burst } });
  if (perHour !== undefined) {
    const hours = num("--hours") ?? 24;
    workloads.push({ title: `${perHour.toLocaleString("en-US")}/hour for ${hours} h`, w: { kind: "rate", perHour, hours, poisson } });
  }
  if (perDay !== undefined)
    workloads.push({ title: `${perDay.toLocaleString("en-US")} calls/day`, w: { kind: "rate", perHour: perDay / 24, hours: 24, poisson } });
  if (workloads.length === 0) {
    workloads.push({ title: "burst of 10,000 uploads", w: { kind: "burst", count: 10_000 } });
    workloads.push({ title: "100,000 calls/day (24 h, Poisson)", w: { kind: "rate", perHour: 100_000 / 24, hours: 24, poisson: true } });
  }

  console.log(
    `Capacity model of config/${env}.json (seed ${sc.seed}; calls log-normal, median ${calls.medianSeconds} s, sigma ${calls.sigma}${fixed !== undefined ? `; fixed ${fixed} s` : ""}; event loss ${behaviour.eventLossRate}).`,
  );
  console.log(
    `Assumptions: Transcribe job ${behaviour.jobOverheadSeconds} s + ${behaviour.jobSecondsPerAudioSecond} x call length; Bedrock output tokens count ${behaviour.outputTokenBurndown}x (not verified for this model); ${100 * behaviour.maxTokensRetryShare} % of answers cut and asked again with double max_tokens (not measured); reconcile hands out at most ${behaviour.reconcileMaxPerRun} per run.`,
  );
  console.log(settingsText(settings, quotas));
  console.log("");
  const results = workloads.map(({ title, w }) => ({ title, result: run(sc, w) }));
  console.log(scenarioTable(results));
  for (const { title, result } of results) {
    if (result.lost > 0) console.log(`\n${title}: ${result.lost} LOST -- ${JSON.stringify(result.lostReasons)}`);
    if (result.processingErrors > 0) console.log(`${title}: ${result.processingErrors} PROCESSING_ERROR (reconcile gave up, no sentiment saved)`);
    if (result.completedWithoutSummary > 0) console.log(`${title}: ${result.completedWithoutSummary} completed WITHOUT a summary (MODEL_UNAVAILABLE)`);
  }
  if (!flag("--no-search")) {
    const hours = 6;
    console.log("");
    console.log(sustainedText(sustainedMaximum(sc, hours), hours));
  }
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (results.some((r) => r.result.lost > 0 || r.result.processingErrors > 0 || r.result.completedWithoutSummary > 0)) process.exitCode = 1;
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    exitOnUsageError("capacity", e);
  }
}
