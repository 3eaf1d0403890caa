/** reconcile's hand-out budget from the configured quotas (lambda-src/contracts/pacing.ts). */
import {
  COMPREHEND_REQUESTS_PER_JOB,
  HANDOUT_QUOTA_SHARE,
  handoutBudget,
  MAX_HANDOUTS_PER_RUN,
  MODEL_REQUESTS_PER_JOB,
} from "../../lambda-src/contracts/pacing";

describe("handoutBudget", () => {
  it("is half of what the binding quota allows in one period", () => {
    expect(HANDOUT_QUOTA_SHARE).toBe(0.5);
    // 250 model requests a minute for 15 minutes at 2 a job: 1,875 jobs; Comprehend 20/s at 3 a job: 6,000. Half of 1,875.
    expect(handoutBudget({ modelRequestsPerMinute: 250, comprehendRequestsPerSecond: 20 }, 15)).toBe(937);
    expect(handoutBudget({ modelRequestsPerMinute: 10, comprehendRequestsPerSecond: 20 }, 15)).toBe(Math.floor((0.5 * 10 * 15) / MODEL_REQUESTS_PER_JOB));
  });
  it("follows Comprehend when Comprehend binds", () => {
    expect(handoutBudget({ modelRequestsPerMinute: 100_000, comprehendRequestsPerSecond: 1 }, 10)).toBe(
      Math.floor((0.5 * 60 * 10) / COMPREHEND_REQUESTS_PER_JOB),
    );
  });
  it("never exceeds the per-run cap, and never drops below one", () => {
    expect(handoutBudget({ modelRequestsPerMinute: 1_000_000, comprehendRequestsPerSecond: 10_000 }, 15)).toBe(MAX_HANDOUTS_PER_RUN);
    expect(handoutBudget({ modelRequestsPerMinute: 1, comprehendRequestsPerSecond: 1 }, 10)).toBe(2);
    expect(handoutBudget({ modelRequestsPerMinute: 1, comprehendRequestsPerSecond: 1 }, 1)).toBe(1);
  });
});
