/**
 * The capacity model's inputs: the deployed settings (read from the configuration and the code that deploys them),
 * the AWS quotas (defaults = AWS defaults, each overridable) and the behaviour assumptions (latencies, job speed,
 * transcript density). Sources and assumptions: docs/pipeline.md, "Capacity model".
 */
import type { CciLiteConfig } from "../../modules/config/schema";
import { MAX_RETENTION_SECONDS } from "../../modules/constructs/encrypted-queue";
import { FUNCTION_SETTINGS } from "../../modules/processor/functions";
import { EVENT_GRACE_MINUTES, MAX_HANDOUTS_PER_RUN } from "../../lambda-src/services/reconcile-jobs";
import { largerTokenBudget } from "../../lambda-src/core/summary";
import { INTAKE_BATCH_SIZE, INTAKE_BATCHING_WINDOW_SECONDS, intakeVisibilityTimeoutSeconds } from "../../modules/processor/intake";

/** Settings of one deployment that shape its throughput (all from the configuration and the infrastructure code). */
export interface DeployedSettings {
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly intakeRetentionSeconds: number;
  readonly startMaxConcurrency: number;
  readonly startTimeoutSeconds: number;
  /** analyze's concurrency: its reserved concurrency, else the account's unreserved pool. */
  readonly analyzeConcurrency: number;
  readonly analyzeTimeoutSeconds: number;
  readonly reconcilePeriodSeconds: number;
  readonly reconcileTimeoutSeconds: number;
  /** Audio lifetime in the input bucket. */
  readonly inputDays: number;
  readonly bedrockMaxTokens: number;
}

/** AWS quotas the pipeline meets (defaults in {@link DEFAULT_QUOTAS}, sources in {@link QUOTA_SOURCES}). */
export interface Quotas {
  readonly transcribeStartTps: number;
  readonly transcribeConcurrentJobs: number;
  readonly transcribeQueuedJobs: number;
  /** Share of the concurrent-job slots that queued jobs may use. */
  readonly transcribeQueueSlotShare: number;
  readonly comprehendDetectTps: number;
  readonly comprehendBatchTps: number;
  readonly bedrockRequestsPerMinute: number;
  readonly bedrockTokensPerMinute: number;
  /** Bedrock "Model invocation max tokens per day"; 0 = the documented default, tokens per minute x 24 x 60. */
  readonly bedrockTokensPerDay: number;
  /** GetTranscriptionJob requests per second (analyze: one per invocation). */
  readonly transcribeGetTps: number;
  /** ListTranscriptionJobs requests per second (reconcile: one per page of 100 jobs). */
  readonly transcribeListTps: number;
  /** Account concurrency left for analyze when it has no reservation. */
  readonly lambdaAccountConcurrency: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  transcribeStartTps: 25,
  transcribeConcurrentJobs: 250,
  transcribeQueuedJobs: 10_000,
  transcribeQueueSlotShare: 0.9,
  comprehendDetectTps: 20,
  comprehendBatchTps: 10,
  bedrockRequestsPerMinute: 250,
  bedrockTokensPerMinute: 1_000_000,
  bedrockTokensPerDay: 0,
  transcribeGetTps: 30,
  transcribeListTps: 5,
  lambdaAccountConcurrency: 1000,
};

/** Where each default comes from (printed by `npm run capacity -- --quotas`, quoted in docs/pipeline.md). */
export const QUOTA_SOURCES: Record<keyof Quotas, { readonly flag: string; readonly source: string }> = {
  transcribeStartTps: {
    flag: "--transcribe-tps",
    source: "Transcribe quotas: StartTranscriptionJob 25 TPS (docs.aws.amazon.com/transcribe/latest/dg/limits-guidelines.html)",
  },
  transcribeConcurrentJobs: { flag: "--transcribe-concurrent", source: "Transcribe quotas: 250 concurrent batch jobs (same page)" },
  transcribeQueuedJobs: {
    flag: "--transcribe-queued",
    source: "Transcribe job queueing: up to 10,000 queued jobs, then LimitExceededException (docs.aws.amazon.com/transcribe/latest/dg/job-queueing.html)",
  },
  transcribeQueueSlotShare: {
    flag: "--transcribe-queue-share",
    source: "Transcribe job queueing: queued jobs use at most 90 % of the concurrency slots (same page)",
  },
  comprehendDetectTps: {
    flag: "--comprehend-tps",
    source: "Comprehend DetectSentiment requests per second, 20 (Comprehend guidelines-and-limits; NOT verified in this repository: check Service Quotas)",
  },
  comprehendBatchTps: {
    flag: "--comprehend-batch-tps",
    source: "Comprehend BatchDetectSentiment requests per second, 10 (same page; NOT verified: check Service Quotas)",
  },
  bedrockRequestsPerMinute: {
    flag: "--bedrock-rpm",
    source:
      "Bedrock 'Cross-Region InvokeModel requests per minute' for Claude Haiku 4.5: no published default; placeholder, new accounts get less (bedrock/latest/userguide/quotas.html; quotas-runtime.html now says bedrock-runtime no longer enforces it: NOT verified, kept as processing.quotas paces by it)",
  },
  bedrockTokensPerMinute: {
    flag: "--bedrock-tpm",
    source:
      "Bedrock 'Cross-Region InvokeModel tokens per minute' for Claude Haiku 4.5: no published default; placeholder (quotas-runtime.html); input + max_tokens reserved when a request starts, settled at input + burndown x output",
  },
  bedrockTokensPerDay: {
    flag: "--bedrock-tpd",
    source:
      "Bedrock 'Model invocation max tokens per day': by default tokens per minute x 24 x 60 (0 here = that default; quotas-runtime.html; new accounts may get less)",
  },
  transcribeGetTps: {
    flag: "--transcribe-get-tps",
    source: "Transcribe quotas: GetTranscriptionJob 30 TPS (limits-guidelines.html; older accounts: 20)",
  },
  transcribeListTps: { flag: "--transcribe-list-tps", source: "Transcribe quotas: ListTranscriptionJobs 5 TPS (same page)" },
  lambdaAccountConcurrency: {
    flag: "--lambda-concurrency",
    source: "Lambda concurrent executions, 1,000 per region (lambda/latest/dg/gettingstarted-limits.html; new accounts may have less)",
  },
};

/** How the pipeline behaves per call: assumptions, not quotas (docs/pipeline.md lists them). */
export interface Behaviour {
  /** Transcribe job time = overhead + factor x call length (measure yours: CompletionTime - StartTime). */
  readonly jobOverheadSeconds: number;
  readonly jobSecondsPerAudioSecond: number;
  /** Share of completion events EventBridge never delivers. */
  readonly eventLossRate: number;
  readonly eventDelaySeconds: number;
  readonly s3EventDelaySeconds: number;
  /** start: one S3 record (tenant settings cached, ranged GET, StartTranscriptionJob round trip). */
  readonly startRecordSeconds: number;
  /** analyze without the model calls: GetTranscriptionJob, HeadObject, transcript GET, parsing, PutObject. */
  readonly analyzeBaseSeconds: number;
  readonly comprehendCallSeconds: number;
  readonly bedrockBaseSeconds: number;
  readonly bedrockSecondsPerOutputToken: number;
  readonly outputTokens: number;
  /**
   * Quota tokens per output token (Bedrock's "token burndown rate": 5 for Anthropic Claude 4 models, quotas.html;
   * NOT verified for Haiku 4.5 in this repository). Settled tokens = input + burndown x output.
   */
  readonly outputTokenBurndown: number;
  /** Share of summaries cut at max_tokens and asked again with a doubled budget (an assumption, not measured). */
  readonly maxTokensRetryShare: number;
  /** One ListTranscriptionJobs page (100 jobs) round trip. */
  readonly listPageSeconds: number;
  readonly promptTokens: number;
  /** Transcript density and size. */
  readonly wordsPerSecond: number;
  readonly bytesPerWord: number;
  readonly charsPerToken: number;
  readonly speakers: number;
  /** The model prompt keeps at most this many transcript characters (lambda-src summary truncation). */
  readonly promptTranscriptChars: number;
  /** SDK standard retry mode: attempts per request, backoff base for throttling, cap. */
  readonly sdkMaxAttempts: number;
  readonly sdkThrottleBaseSeconds: number;
  readonly sdkMaxDelaySeconds: number;
  /** Lambda asynchronous invocation retries of a failed analyze (job-events: maximumRetryAttempts) and their delays. */
  readonly asyncRetryDelaysSeconds: readonly number[];
  /** reconcile: grace after a job finishes before it counts as missed, look-back window, jobs handed out per run. */
  readonly reconcileGraceSeconds: number;
  readonly reconcileLookbackSeconds: number;
  readonly reconcileMaxPerRun: number;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  jobOverheadSeconds: 20,
  jobSecondsPerAudioSecond: 0.4,
  eventLossRate: 0,
  eventDelaySeconds: 1,
  s3EventDelaySeconds: 1,
  startRecordSeconds: 0.25,
  analyzeBaseSeconds: 0.6,
  comprehendCallSeconds: 0.2,
  bedrockBaseSeconds: 1.5,
  bedrockSecondsPerOutputToken: 0.01,
  outputTokens: 300,
  outputTokenBurndown: 5,
  maxTokensRetryShare: 0.02,
  listPageSeconds: 0.3,
  promptTokens: 700,
  wordsPerSecond: 2.5,
  bytesPerWord: 6,
  charsPerToken: 4,
  speakers: 2,
  promptTranscriptChars: 60_000,
  sdkMaxAttempts: 3,
  sdkThrottleBaseSeconds: 0.5,
  sdkMaxDelaySeconds: 20,
  asyncRetryDelaysSeconds: [60, 120],
  reconcileGraceSeconds: EVENT_GRACE_MINUTES * 60,
  reconcileLookbackSeconds: 48 * 3600,
  reconcileMaxPerRun: MAX_HANDOUTS_PER_RUN,
};

/** Call lengths: log-normal (median, sigma), clipped to Transcribe's 0.5 s - 4 h; or one fixed length. */
export interface CallLengths {
  readonly medianSeconds: number;
  readonly sigma: number;
  readonly fixedSeconds?: number;
}

export const DEFAULT_CALL_LENGTHS: CallLengths = { medianSeconds: 240, sigma: 0.9 };
export const MAX_CALL_SECONDS = 4 * 3600;

/** Uploads: a burst at time 0, or a steady rate for some hours (evenly spaced or Poisson). */
export type Workload =
  | { readonly kind: "burst"; readonly count: number }
  | { readonly kind: "rate"; readonly perHour: number; readonly hours: number; readonly poisson?: boolean };

/** The deployed settings of a validated configuration. */
export function deployedSettings(cfg: CciLiteConfig, quotas: Quotas = DEFAULT_QUOTAS): DeployedSettings {
  const p = cfg.processing;
  return {
    batchSize: INTAKE_BATCH_SIZE,
    batchingWindowSeconds: INTAKE_BATCHING_WINDOW_SECONDS,
    visibilityTimeoutSeconds: intakeVisibilityTimeoutSeconds(FUNCTION_SETTINGS.start.timeoutSeconds),
    maxReceiveCount: p.maxReceiveCount,
    intakeRetentionSeconds: MAX_RETENTION_SECONDS,
    startMaxConcurrency: Math.min(p.intakeMaxConcurrency, p.reservedConcurrency?.start ?? Number.POSITIVE_INFINITY),
    startTimeoutSeconds: FUNCTION_SETTINGS.start.timeoutSeconds,
    analyzeConcurrency: p.reservedConcurrency?.analyze ?? quotas.lambdaAccountConcurrency,
    analyzeTimeoutSeconds: FUNCTION_SETTINGS.analyze.timeoutSeconds,
    reconcilePeriodSeconds: p.reconcileEveryMinutes * 60,
    reconcileTimeoutSeconds: FUNCTION_SETTINGS.reconcile.timeoutSeconds,
    inputDays: cfg.retention.inputDays,
    bedrockMaxTokens: cfg.bedrock.maxTokens,
  };
}

/** Mean service demands per call, for the analytic capacity of each stage (bounds the rate search). */
export function callDemand(lengthSeconds: number, b: Behaviour, maxTokens: number) {
  const words = lengthSeconds * b.wordsPerSecond;
  const bytes = words * b.bytesPerWord;
  // Sentiment of the whole call and of each speaker: DetectSentiment when one chunk suffices, else batches of 25 chunks.
  const texts = [bytes, ...Array.from({ length: b.speakers }, () => bytes / b.speakers)];
  let detect = 0;
  let batch = 0;
  for (const t of texts) {
    const chunks = Math.max(1, Math.ceil(t / 5000));
    if (chunks === 1) detect++;
    else batch += Math.ceil(chunks / 25);
  }
  const transcriptChars = Math.min(b.promptTranscriptChars, bytes * 1.1);
  const inputTokens = b.promptTokens + transcriptChars / b.charsPerToken;
  // Bedrock reserves input + max_tokens against the tokens-per-minute quota when the request starts, and settles it
  // when the answer is in.
  const tokens = Math.ceil(inputTokens + maxTokens);
  // What the request settles at: input + burndown x output. A cut answer (max_tokens) is asked again with the
  // doubled budget (lambda-src largerTokenBudget): its output is the whole first budget, the retry's that plus the
  // usual answer (an assumption).
  const settled = Math.ceil(inputTokens + b.outputTokenBurndown * b.outputTokens);
  const retryBudget = largerTokenBudget(maxTokens) ?? maxTokens;
  const cut = {
    tokens: Math.ceil(inputTokens + retryBudget),
    settledFirst: Math.ceil(inputTokens + b.outputTokenBurndown * maxTokens),
    settled: Math.ceil(inputTokens + b.outputTokenBurndown * Math.min(retryBudget, maxTokens + b.outputTokens)),
  };
  return { detect, batch, tokens, settled, cut, jobSeconds: b.jobOverheadSeconds + b.jobSecondsPerAudioSecond * lengthSeconds };
}
