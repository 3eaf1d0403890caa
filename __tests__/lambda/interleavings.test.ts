/**
 * Proof over interleavings (issue #19 item 4): a model-based test with fast-check's `commands` that drives the
 * REAL start, analyze and reconcile handlers (`handlerWith(clock)`) in-process against aws-sdk-client-mock fakes
 * with the semantics the write protocol relies on (conditional PutObject on the results bucket, `IfMatch` reads of
 * the input bucket, Transcribe jobs with tags, Lambda's asynchronous invocations with their 2 retries), on one
 * manual clock. Each run generates uploads (audio, empty audio, sidecars, overwrites), duplicate / late / lost
 * deliveries, Transcribe finishing jobs, throttles, reconcile runs (some overlapping), expiries and reprocess
 * requests; then drains (every pending delivery, reconcile every 7 h) and checks the invariants of
 * docs/pipeline.md "Result identity", "Paying once" and "Reconcile". The harness is in ./pipeline-model.ts.
 */
import "./fixtures"; // first: the environment is set before Powertools is constructed
import * as fc from "fast-check";
import { metrics } from "../../lambda-src/aws/observability";
import {
  checkInvariants,
  commandArbitraries,
  comprehendPaidTwice,
  commands as C,
  drain,
  INTERLEAVINGS,
  MAX_COMMANDS,
  NUM_RUNS,
  newWorld,
  runScript,
  runWorld,
  type World,
  wireMocks,
} from "./pipeline-model";

/**
 * Cases that once failed, kept as regressions: the seed that found each (with the generator of the commit named), and
 * its shrunk command script, which stays valid when the generator changes. Each script runs as its own test and as
 * an `examples` entry of the property.
 */
const REGRESSIONS = [
  {
    // Seed 3, 400 runs, generator of d4a0619 (path 370:6:5:10:10:16:16:21:28:31:34:34:38:38:40:21:21:21:21:21:24:22:22:22:32:33:33).
    // Fixed in services/process-job.ts: a forced reprocess whose summary failed past the model's 6 h retry window
    // (Bedrock throttled) wrote the job's COMPLETED record without a summary over its COMPLETED record with one.
    seed: 3,
    note: "a forced reprocess while Bedrock throttles, past the model's retry window, replaced the job's summary",
    script: [
      C.upload("a", "wav"),
      C.s3Delivery(0),
      C.transcribeFinishes(0),
      C.analyzeDelivery(0),
      C.throttle("bedrock", 1),
      C.reconcile(11),
      C.wait(349),
      C.reprocess(0, true),
    ],
  },
];

/** The committed seed; `CCI_SEED=<n>` explores another (a failing seed found that way goes into REGRESSIONS). */
const SEED = Number(process.env.CCI_SEED ?? 19_004);

function property(check: (w: World) => void) {
  return fc.asyncProperty(fc.commands(commandArbitraries(), { maxCommands: MAX_COMMANDS, size: "max" }), async (cmds) => {
    const w = newWorld();
    wireMocks(w);
    await fc.asyncModelRun(() => ({ model: {}, real: w }), cmds);
    await drain(w);
    check(w);
  });
}

describe(`pipeline interleavings (fast-check commands: ${INTERLEAVINGS})`, () => {
  let publish: jest.SpyInstance;
  beforeAll(() => {
    console.log(`pipeline interleavings: ${INTERLEAVINGS}`);
    // Thousands of invocations: Powertools' "No application metrics to publish" warning would flood the output.
    publish = jest.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics);
  });
  afterAll(() => publish.mockRestore());

  for (const r of REGRESSIONS) {
    it(`regression seed ${r.seed}: ${r.note}`, async () => {
      await runScript(r.script);
    });
  }

  it("every call ends with the newest upload's record, no COMPLETED record gives way to a worse one, models are paid once, nothing is left unsettled", async () => {
    await fc.assert(property(checkInvariants), { seed: SEED, numRuns: NUM_RUNS, examples: REGRESSIONS.map((r) => [r.script]) });
  }, 60_000);

  // Found while reading the model's runs (both outcomes satisfied invariant 1): x.wav accepted, then overwritten by
  // an empty x.wav (EMPTY_OBJECT). analyze before the overwrite kept the accepted result (the rank rule); analyze
  // after it saw the key changed and wrote nothing, so the call ended REJECTED. Fixed: analyze checks the newer
  // upload's size (services/source-check.ts) and writes when start rejects it.
  it("the record does not depend on whether an older upload was analysed before or after a rejected upload overwrote its key", async () => {
    const record = async (script: Parameters<typeof runWorld>[0]) => (await runWorld(script)).results.record("demo-tenant/2026/03/14/a.json");
    const before = await record([
      C.upload("a", "wav"),
      C.s3Delivery(0),
      C.transcribeFinishes(0),
      C.analyzeDelivery(0),
      C.upload("a", "empty"),
      C.s3Delivery(0),
    ]);
    const after = await record([C.upload("a", "wav"), C.s3Delivery(0), C.upload("a", "empty"), C.s3Delivery(0), C.transcribeFinishes(0), C.analyzeDelivery(0)]);
    expect(before).toMatchObject({ status: "COMPLETED" });
    expect({ status: after.status, job: after.transcription_job_name }).toEqual({ status: before.status, job: before.transcription_job_name });
  });

  // Issue #19 item 6 ("keep partial successes on retry"): a Comprehend throttle on a speaker's score used to make
  // the retry pay the whole call's score (and the speakers scored before) again. analyze now saves what it scored
  // in the job's claim before the throttle is retried (`partial`), so the strict form of invariant 3 holds.
  it("strict: Comprehend scores each text of a job at most once, even when a throttle cut the scoring (issue #19 item 6)", async () => {
    const strict = (w: World) => expect(comprehendPaidTwice(w)).toEqual([]);
    await fc.assert(property(strict), { seed: SEED, numRuns: 100, endOnFailure: true });
  }, 60_000);
});
