/** The capacity questions asked of the simulation: scenario tables and the highest sustained rate. */
import { type Behaviour, type CallLengths, callDemand, type DeployedSettings, type Quotas, type Workload } from "./model";
import { Rng } from "./rng";
import { RAISE, type Resource, type SimulationResult, simulate } from "./simulate";

export interface Scenario {
  readonly settings: DeployedSettings;
  readonly quotas: Quotas;
  readonly behaviour: Behaviour;
  readonly calls: CallLengths;
  readonly seed: number;
}

/** Mean demand of the call-length distribution (sampled, seeded). */
function meanDemand(sc: Scenario) {
  const rng = new Rng(sc.seed + 7);
  const n = 4000;
  const acc = { detect: 0, batch: 0, tokens: 0, settled: 0, requests: 0, jobSeconds: 0 };
  const cut = sc.behaviour.maxTokensRetryShare;
  for (let i = 0; i < n; i++) {
    const len = sc.calls.fixedSeconds ?? Math.min(14_400, Math.max(5, sc.calls.medianSeconds * Math.exp(sc.calls.sigma * rng.normal())));
    const d = callDemand(len, sc.behaviour, sc.settings.bedrockMaxTokens);
    acc.detect += d.detect / n;
    acc.batch += d.batch / n;
    // Tokens per minute count the larger of the reservation and the settled amount; a cut answer costs two requests.
    acc.tokens += ((1 - cut) * Math.max(d.tokens, d.settled) + cut * (Math.max(d.tokens, d.cut.settledFirst) + Math.max(d.cut.tokens, d.cut.settled))) / n;
    acc.settled += ((1 - cut) * d.settled + cut * (d.cut.settledFirst + d.cut.settled)) / n;
    acc.requests += (1 + cut) / n;
    acc.jobSeconds += d.jobSeconds / n;
  }
  return acc;
}

/** Calls per hour each stage can carry on average (an upper bound; the simulation adds queueing and bursts). */
export function stageCapacities(sc: Scenario): Record<Resource, number> {
  const { settings: s, quotas: q, behaviour: b } = sc;
  const d = meanDemand(sc);
  const analyzeSeconds =
    b.analyzeBaseSeconds + (d.detect + d.batch) * b.comprehendCallSeconds + b.bedrockBaseSeconds + b.bedrockSecondsPerOutputToken * b.outputTokens;
  return {
    "start concurrency": (s.startMaxConcurrency * 3600) / b.startRecordSeconds,
    "Transcribe StartTranscriptionJob TPS": q.transcribeStartTps * 3600,
    "Transcribe concurrent jobs": (Math.floor(q.transcribeConcurrentJobs * q.transcribeQueueSlotShare) * 3600) / d.jobSeconds,
    "Transcribe job queue": Number.POSITIVE_INFINITY,
    "analyze concurrency": (s.analyzeConcurrency * 3600) / analyzeSeconds,
    "Comprehend TPS": Math.min(
      d.detect > 0 ? (q.comprehendDetectTps * 3600) / d.detect : Infinity,
      d.batch > 0 ? (q.comprehendBatchTps * 3600) / d.batch : Infinity,
    ),
    "Transcribe GetTranscriptionJob TPS": q.transcribeGetTps * 3600,
    "Transcribe ListTranscriptionJobs TPS": Number.POSITIVE_INFINITY,
    "Bedrock requests per minute": (q.bedrockRequestsPerMinute * 60) / d.requests,
    "Bedrock tokens per minute": (q.bedrockTokensPerMinute * 60) / d.tokens,
    "Bedrock tokens per day": (q.bedrockTokensPerDay > 0 ? q.bedrockTokensPerDay : q.bedrockTokensPerMinute * 1440) / 24 / d.settled,
  };
}

export function run(sc: Scenario, workload: Workload, horizonSeconds?: number): SimulationResult {
  return simulate({ ...sc, workload, horizonSeconds });
}

export interface SustainedResult {
  readonly callsPerHour: number;
  /** The first rate above it and what happened there. */
  readonly above: { readonly callsPerHour: number; readonly result: SimulationResult; readonly why: string };
  readonly at: SimulationResult;
  readonly limitingStage: Resource;
  readonly analytic: Record<Resource, number>;
  readonly runs: number;
}

/**
 * A rate is sustainable when, over `hours` of steady uploads, nothing is lost or dead-lettered and the backlog does
 * not grow (calls without an outcome at the end of the upload window at most 2 % of an hour's uploads above the
 * middle): a growing backlog keeps growing until uploads outlive their audio or the queue's retention.
 */
export function sustainable(r: SimulationResult, perHour: number): string | null {
  if (r.lost > 0) return `${r.lost} lost (${Object.keys(r.lostReasons).join("; ")})`;
  if (r.processingErrors > 0) return `${r.processingErrors} PROCESSING_ERROR (reconcile gave up without sentiment)`;
  if (r.completedWithoutSummary > 0) return `${r.completedWithoutSummary} completed without a summary (MODEL_UNAVAILABLE)`;
  if (r.inDlq > 0) return `${r.inDlq} in the DLQ`;
  const growth = r.openAtEnd - r.openAtMiddle;
  if (growth > 0.02 * perHour + 20) return `backlog grows: ${r.openAtMiddle} -> ${r.openAtEnd} calls open between the middle and the end of the upload window`;
  return null;
}

/** Highest sustained calls per hour (bisection between 0 and 1.5x the analytic bound, to 1 %). */
export function sustainedMaximum(sc: Scenario, hours = 6): SustainedResult {
  const analytic = stageCapacities(sc);
  const limitingStage = (Object.keys(analytic) as Resource[]).reduce((a, k) => (analytic[k] < analytic[a] ? k : a));
  let lo = 0;
  let hi = Math.ceil(analytic[limitingStage] * 1.5);
  let loResult: SimulationResult | undefined;
  let hiResult: { result: SimulationResult; why: string } | undefined;
  let runs = 0;
  const horizon = 3 * 86_400;
  const test = (rate: number) => {
    runs++;
    const r = run(sc, { kind: "rate", perHour: rate, hours }, horizon);
    return { r, why: sustainable(r, rate) };
  };
  // Make sure the upper end fails.
  for (let first = test(hi); first.why === null; first = test(hi)) {
    lo = hi;
    loResult = first.r;
    hi *= 2;
  }
  while (hi - lo > Math.max(10, hi * 0.01)) {
    const mid = Math.round((lo + hi) / 2);
    const { r, why } = test(mid);
    if (why === null) {
      lo = mid;
      loResult = r;
    } else {
      hi = mid;
      hiResult = { result: r, why };
    }
  }
  if (!hiResult) {
    const t = test(hi);
    hiResult = { result: t.r, why: t.why ?? "" };
  }
  loResult ??= run(sc, { kind: "rate", perHour: Math.max(1, lo), hours }, horizon);
  return { callsPerHour: lo, above: { callsPerHour: hi, ...hiResult }, at: loResult, limitingStage, analytic, runs };
}

export { RAISE };
