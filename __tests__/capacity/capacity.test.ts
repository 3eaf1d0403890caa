/** The capacity model (scripts/capacity): small scenarios whose outcome is known by hand. */
import { BASE_CONFIG } from "../helpers/synth";
import { parseConfig } from "../../modules/config/load";
import { FUNCTION_SETTINGS } from "../../modules/processor/functions";
import { INTAKE_BATCH_SIZE } from "../../modules/processor/intake";
import { type Scenario, stageCapacities, sustainedMaximum } from "../../scripts/capacity/capacity";
import { DEFAULT_BEHAVIOUR, DEFAULT_QUOTAS, deployedSettings } from "../../scripts/capacity/model";
import { simulate } from "../../scripts/capacity/simulate";

const cfg = parseConfig(BASE_CONFIG, "test.json");
const settings = deployedSettings(cfg);
const base: Scenario = { settings, quotas: DEFAULT_QUOTAS, behaviour: DEFAULT_BEHAVIOUR, calls: { medianSeconds: 600, sigma: 0, fixedSeconds: 600 }, seed: 1 };
const jobSeconds = (len: number) => DEFAULT_BEHAVIOUR.jobOverheadSeconds + DEFAULT_BEHAVIOUR.jobSecondsPerAudioSecond * len;

describe("capacity model: deployed settings", () => {
  it("reads the queue and function settings from the configuration and the infrastructure code", () => {
    expect(settings.batchSize).toBe(INTAKE_BATCH_SIZE);
    expect(settings.visibilityTimeoutSeconds).toBe(6 * FUNCTION_SETTINGS.start.timeoutSeconds);
    expect(settings.maxReceiveCount).toBe(cfg.processing.maxReceiveCount);
    expect(settings.startMaxConcurrency).toBe(cfg.processing.intakeMaxConcurrency);
    expect(settings.reconcilePeriodSeconds).toBe(cfg.processing.reconcileEveryMinutes * 60);
    expect(settings.analyzeConcurrency).toBe(DEFAULT_QUOTAS.lambdaAccountConcurrency);
    expect(deployedSettings(parseConfig({ ...BASE_CONFIG, processing: { reservedConcurrency: { analyze: 7 } } }, "x.json")).analyzeConcurrency).toBe(7);
  });
});

describe("capacity model: scenarios known by hand", () => {
  it("no load: one call's upload-to-result latency is its job time plus seconds", () => {
    const r = simulate({ ...base, workload: { kind: "burst", count: 1 } });
    expect(r).toMatchObject({ uploads: 1, completed: 1, inDlq: 0, lost: 0, bottleneck: null });
    // + S3 event, the batching window (one message waits for a fuller batch), start, the event, analyze.
    expect(r.latencySeconds.p50).toBeGreaterThan(jobSeconds(600));
    expect(r.latencySeconds.p50).toBeLessThan(jobSeconds(600) + 20);
  });

  it("a burst over Transcribe's job queue goes to retries through SQS and completes when the retries suffice", () => {
    const quotas = { ...DEFAULT_QUOTAS, transcribeConcurrentJobs: 10, transcribeQueuedJobs: 50 };
    const r = simulate({ ...base, quotas, calls: { medianSeconds: 60, sigma: 0, fixedSeconds: 60 }, workload: { kind: "burst", count: 100 } });
    // 10 running + 50 queued accepted at once; the other 40 get LimitExceededException (after the SDK's retries)
    // and come back after the visibility timeout, when the queue has drained (50 jobs / 9 slots x 44 s < 360 s).
    expect(r.counts.transcribeLimitExceeded).toBeGreaterThan(0);
    expect(r.counts.sqsRetries).toBe(40);
    expect(r).toMatchObject({ completed: 100, inDlq: 0, lost: 0 });
    expect(r.peaks.transcribeQueued).toBe(50);
    expect(r.latencySeconds.max).toBeGreaterThan(settings.visibilityTimeoutSeconds);
  });

  it("the same burst ends in the DLQ when maxReceiveCount is exceeded before the queue drains", () => {
    const quotas = { ...DEFAULT_QUOTAS, transcribeConcurrentJobs: 10, transcribeQueuedJobs: 50 };
    const r = simulate({
      ...base,
      settings: { ...settings, maxReceiveCount: 2 },
      quotas,
      calls: { medianSeconds: 600, sigma: 0, fixedSeconds: 600 },
      workload: { kind: "burst", count: 200 },
    });
    // 260 s jobs, 9 queue slots: 50 queued jobs need ~24 min, two receives span 6 min.
    expect(r.inDlq).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.completed + r.inDlq).toBe(200);
    expect(r.bottleneck).toMatch(/^Transcribe/);
  });

  it("100 % event loss: reconcile recovers every call within its grace plus one period", () => {
    const behaviour = { ...DEFAULT_BEHAVIOUR, eventLossRate: 1 };
    const r = simulate({ ...base, behaviour, workload: { kind: "burst", count: 20 } });
    expect(r).toMatchObject({ completed: 20, inDlq: 0, lost: 0 });
    expect(r.counts.eventsLost).toBe(20);
    expect(r.counts.reconciled).toBe(20);
    expect(r.latencySeconds.max).toBeLessThanOrEqual(jobSeconds(600) + DEFAULT_BEHAVIOUR.reconcileGraceSeconds + settings.reconcilePeriodSeconds + 60);
  });

  it("uploads that wait longer than their audio lives are reported lost, with the reason", () => {
    // Transcribe can take one job at a time: the 3rd 2-hour call's job starts after a day (audio: 1 day).
    const quotas = { ...DEFAULT_QUOTAS, transcribeConcurrentJobs: 1, transcribeQueueSlotShare: 1, transcribeQueuedJobs: 100 };
    const r = simulate({ ...base, quotas, calls: { medianSeconds: 7200, sigma: 0, fixedSeconds: 7200 }, workload: { kind: "burst", count: 40 } });
    expect(r.lost).toBeGreaterThan(0);
    expect(Object.keys(r.lostReasons)).toEqual([expect.stringMatching(/^audio expired before its job ran/)]);
  });

  it("is deterministic for a seed", () => {
    const w = { kind: "rate", perHour: 2000, hours: 1, poisson: true } as const;
    expect(simulate({ ...base, calls: { medianSeconds: 240, sigma: 0.9 }, workload: w })).toEqual(
      simulate({ ...base, calls: { medianSeconds: 240, sigma: 0.9 }, workload: w }),
    );
  });

  it("finds the sustained maximum near the tightest stage and names it", () => {
    const quotas = { ...DEFAULT_QUOTAS, transcribeConcurrentJobs: 20 };
    const sc = { ...base, quotas, calls: { medianSeconds: 300, sigma: 0, fixedSeconds: 300 } };
    // 18 slots for queued jobs (90 %) / 140 s jobs = 463 calls/hour.
    expect(Math.round(stageCapacities(sc)["Transcribe concurrent jobs"])).toBe(463);
    const s = sustainedMaximum(sc, 3);
    expect(s.limitingStage).toBe("Transcribe concurrent jobs");
    expect(s.callsPerHour).toBeGreaterThan(0.85 * 463);
    // Above it only while no job waits: jobs that need not queue may use all 20 slots (20 / 140 s = 514 calls/hour).
    expect(s.callsPerHour).toBeLessThanOrEqual(1.02 * 514);
  });
});
