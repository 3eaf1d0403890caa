/**
 * The capacity model under the real reconcile and analyze rules (issue 19 item 5): give-up outcomes, the
 * bottleneck from admitted use, and each added quota binding. Virtual clock only: nothing here reads the date.
 */
import { BASE_CONFIG } from "../helpers/synth";
import { parseConfig } from "../../modules/config/load";
import { handoutBudget } from "../../lambda-src/contracts/pacing";
import { MAX_HANDOUTS } from "../../lambda-src/services/reconcile-jobs";
import { MODEL_RETRY_WINDOW_MS } from "../../lambda-src/core/summary";
import type { Scenario } from "../../scripts/capacity/capacity";
import { DEFAULT_BEHAVIOUR, DEFAULT_QUOTAS, deployedSettings, type Quotas, type Workload } from "../../scripts/capacity/model";
import { simulate } from "../../scripts/capacity/simulate";

const cfg = parseConfig(BASE_CONFIG, "test.json");
const settings = deployedSettings(cfg);
// Short calls (120 s): three DetectSentiment requests each, ~1,200 input tokens.
const base: Scenario = { settings, quotas: DEFAULT_QUOTAS, behaviour: DEFAULT_BEHAVIOUR, calls: { medianSeconds: 120, sigma: 0, fixedSeconds: 120 }, seed: 1 };
const sim = (quotas: Partial<Quotas>, workload: Workload, behaviour: Partial<typeof DEFAULT_BEHAVIOUR> = {}, sc: Scenario = base) =>
  simulate({ ...sc, quotas: { ...sc.quotas, ...quotas }, behaviour: { ...sc.behaviour, ...behaviour }, workload });

describe("capacity model: the real reconcile rules", () => {
  it("the issue's scenario (Bedrock 80 requests/minute, 5,000 calls/hour) no longer reports 0 lost: calls end without a summary", () => {
    const quotas = { ...DEFAULT_QUOTAS, bedrockRequestsPerMinute: 80 };
    const behaviour = { ...DEFAULT_BEHAVIOUR, reconcileMaxPerRun: handoutBudget({ modelRequestsPerMinute: 80, comprehendRequestsPerSecond: 20 }, 15) };
    const r = simulate({ ...base, quotas, behaviour, calls: { medianSeconds: 240, sigma: 0.9 }, workload: { kind: "rate", perHour: 5000, hours: 7 } });
    // Bedrock carries 4,800 requests an hour: the backlog outlives the model's 6-hour window. Comprehend is paid
    // once and its sentiment saved, so the calls end COMPLETED without a summary (MODEL_UNAVAILABLE).
    expect(r.completedWithoutSummary).toBeGreaterThan(0);
    expect(r.counts.gaveUp).toBeGreaterThan(0);
    expect(r.counts.duplicatesAbsorbed).toBeGreaterThan(0); // hand-outs of jobs analyze still held
    expect(r.completed + r.completedWithoutSummary + r.processingErrors + r.lost + r.inDlq).toBe(r.uploads);
    expect(r.bottleneck).toBe("Bedrock requests per minute");
  });

  it("a call whose sentiment was never saved ends as PROCESSING_ERROR after 3 hand-outs and the model window, not before", () => {
    // Comprehend so slow that no attempt completes the sentiment; every completion event lost.
    const r = sim({ comprehendDetectTps: 0.0001 }, { kind: "burst", count: 3 }, { eventLossRate: 1 });
    expect(r.processingErrors).toBe(3);
    expect(r.completed + r.completedWithoutSummary).toBe(0);
    expect(r.counts.reconciled).toBeGreaterThanOrEqual(3 * MAX_HANDOUTS);
    // Given up only past the model's retry window after the job finished.
    expect(r.drainSeconds).toBeGreaterThan(MODEL_RETRY_WINDOW_MS / 1000);
  });

  it("the bottleneck is the quota closest to its limit (Bedrock), not the one with the most throttles (Comprehend)", () => {
    // Comprehend at 2 requests/s (burst 2): each call's 3 back-to-back requests throttle (the SDK's retries absorb
    // it), yet use 1/8 of it. Bedrock at 5.5 requests/minute for 5 calls a minute: ~90 % used, rarely throttled.
    const r = sim({ comprehendDetectTps: 2, bedrockRequestsPerMinute: 5.5 }, { kind: "rate", perHour: 300, hours: 2 });
    expect(r.counts.comprehendThrottled).toBeGreaterThan(r.counts.bedrockThrottled);
    expect(r.bottleneck).toBe("Bedrock requests per minute");
    expect(r.utilisation["Bedrock requests per minute"]).toBeGreaterThan(r.utilisation["Comprehend TPS"]);
  });
});

describe("capacity model: each added quota can bind", () => {
  const tenPerMinute: Workload = { kind: "rate", perHour: 600, hours: 2 };

  it("Bedrock tokens per minute with the output-token burndown (5x binds where 1x does not)", () => {
    const five = sim({ bedrockTokensPerMinute: 25_000 }, tenPerMinute);
    const one = sim({ bedrockTokensPerMinute: 25_000 }, tenPerMinute, { outputTokenBurndown: 1 });
    expect(five.bottleneck).toBe("Bedrock tokens per minute");
    expect(five.counts.bedrockThrottled).toBeGreaterThan(0);
    expect(one.counts.bedrockThrottled).toBe(0);
    expect(five.utilisation["Bedrock tokens per minute"]).toBeGreaterThan(one.utilisation["Bedrock tokens per minute"]);
  });

  it("Bedrock tokens per day: calls past the model window end without a summary", () => {
    const r = sim({ bedrockTokensPerDay: 300_000 }, { kind: "rate", perHour: 300, hours: 1 });
    expect(r.bottleneck).toBe("Bedrock tokens per day");
    expect(r.completedWithoutSummary).toBeGreaterThan(0);
  });

  it("the doubled max_tokens retry: a cut answer costs a second request and can make Bedrock bind", () => {
    const none = sim({ bedrockRequestsPerMinute: 15 }, tenPerMinute, { maxTokensRetryShare: 0 });
    const all = sim({ bedrockRequestsPerMinute: 15 }, tenPerMinute, { maxTokensRetryShare: 1 });
    expect(none.counts.bedrockCutRetries).toBe(0);
    expect(none.counts.bedrockThrottled).toBe(0);
    expect(all.counts.bedrockCutRetries).toBeGreaterThanOrEqual(all.completed);
    expect(all.counts.bedrockThrottled).toBeGreaterThan(0);
    expect(all.bottleneck).toBe("Bedrock requests per minute");
  });

  it("Transcribe GetTranscriptionJob TPS (one per analyze invocation)", () => {
    const r = sim({ transcribeGetTps: 0.05 }, { kind: "rate", perHour: 200, hours: 1 });
    expect(r.counts.transcribeGetThrottled).toBeGreaterThan(0);
    expect(r.bottleneck).toBe("Transcribe GetTranscriptionJob TPS");
  });

  it("Transcribe ListTranscriptionJobs TPS: a throttled listing fails the run, and missed jobs pass the look-back", () => {
    const r = sim({ transcribeListTps: 0.001 }, { kind: "burst", count: 5 }, { eventLossRate: 1 });
    expect(r.counts.reconcileRunsFailed).toBeGreaterThan(0);
    expect(r.counts.reconciled).toBe(0);
    expect(r.lostReasons).toEqual({ "job outside reconcile's look-back without a result": 5 });
    expect(r.bottleneck).toBe("Transcribe ListTranscriptionJobs TPS");
  });
});
