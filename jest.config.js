/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }],
  },
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  // Terraform init/plan tests run the real binary; keep the two cores busy but not oversubscribed.
  maxWorkers: 2,
  testTimeout: 30000,
};
