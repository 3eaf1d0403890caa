const os = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }],
  },
  // The plan fixture starts in the background as the run begins; its readers run last (docs/testing.md).
  // Tokens record no creation stack in tests: a quarter of a synthesizing file's CPU under jest (the file says why).
  setupFiles: ["<rootDir>/__tests__/setup-tokens.js"],
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  testSequencer: "<rootDir>/__tests__/sequencer.js",
  // One worker per core; scripts/test-suite.ts (test:fast, test:full) adds one per process already busy on the machine
  // when the run starts (docs/testing.md, "Workers").
  maxWorkers: os.availableParallelism(),
  testTimeout: 30000,
};
