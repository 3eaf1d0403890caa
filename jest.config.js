/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }],
  },
  // The plan fixture starts in the background as the run begins; its readers run last (docs/testing.md).
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  testSequencer: "<rootDir>/__tests__/sequencer.js",
  // Three workers on two cores: a worker waiting on a subprocess (Terraform, tmux, Chromium) leaves its core to the
  // others, and on a shared machine the run keeps its share of the cores (docs/testing.md).
  maxWorkers: 3,
  testTimeout: 30000,
};
