// Marks this jest run and starts the plan fixture (helpers/offline-plan.ts) in the background at once (unless
// scripts/test-suite.ts already did), so the offline plans are ready by the time the sequencer reaches the tests that
// read them. It is not started when the run cannot need it: a pass with CCI_LITE_PLAN_FIXTURE=off (test:fast and the
// shifted clocks), or a run whose path patterns select no file of the terraform tier (__tests__/tiers.js); a test that
// still asks starts it then.
const { randomUUID } = require("node:crypto");
const path = require("node:path");
const { terraform } = require("./tiers");

function mayNeedPlans(globalConfig) {
  if (process.env.CCI_LITE_PLAN_FIXTURE === "off") return false;
  const patterns = [...(globalConfig.nonFlagArgs ?? []), ...(globalConfig.testPathPatterns?.patterns ?? [])];
  if (patterns.length === 0) return true;
  const files = terraform.map((f) => path.join(__dirname, f));
  return patterns.some((p) => {
    let re;
    try {
      re = new RegExp(p, "i");
    } catch {
      return true;
    }
    return files.some((f) => re.test(f));
  });
}

module.exports = async (globalConfig) => {
  // `npm run test:full` starts the fixture before its static checks and passes its run id; plain jest makes one.
  process.env.CCI_LITE_TEST_RUN ||= randomUUID(); // empty counts as unset
  if (!mayNeedPlans(globalConfig)) return;
  // tsx registers TypeScript for this one require; the fixture module is TypeScript.
  const { register } = require("tsx/cjs/api");
  const unregister = register();
  try {
    require("./helpers/offline-plan").startPlanFixture(process.env.CCI_LITE_TEST_RUN);
  } finally {
    unregister();
  }
};
