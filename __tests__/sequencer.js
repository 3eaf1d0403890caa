// Runs the tests of the terraform tier (__tests__/tiers.js) after all others: meanwhile the plan fixture, started by
// the global setup, plans in the background, so no jest worker waits for it while other tests could run.
const Sequencer = require("@jest/test-sequencer").default;
const { terraform } = require("./tiers");

const isTerraform = (p) => terraform.some((f) => p.endsWith(`/__tests__/${f}`));

class TiersLast extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => !isTerraform(t.path)), ...sorted.filter((t) => isTerraform(t.path))];
  }
}

module.exports = TiersLast;
