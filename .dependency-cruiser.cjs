// Dependency rules of CCI Lite (issue 13, "Enforced layers"), checked by `npm run lint:deps` inside `npm test`.
//
// Layers, from the leaves inwards:
//   __tests__/, bench/, scripts/        tests, benchmarks, build and ops tools: may import anything, nothing imports them
//   main.ts, modules/                   infrastructure (cdktf constructs)
//   lambda-src/handlers|services|aws    runtime: Lambda adapters, orchestration, SDK wiring
//   lambda-src/core, lambda-src/contracts  pure definitions shared by runtime and infrastructure
//
// Paths are relative to the directory dependency-cruiser runs in (the repository root). Packages are matched on
// their resolved path (`node_modules/<name>/...`) and, when they cannot be resolved, on their bare name.
// __tests__/tooling/layers.test.ts plants one violation per rule and checks that the rule fires by name.

/** A `to.path` pattern for the given npm package names (regular-expression fragments). */
function pkg(...names) {
  const alt = names.join("|");
  return `(^|/)node_modules/(${alt})(/|$)|^(${alt})(/|$)`;
}

/** Shared infrastructure folders any component may use (target layout, issue 13 point 2). */
const SHARED_MODULES = ["config", "iam", "constructs"];

/** Packages that must never reach a Lambda bundle. */
const BUILD_TIME_PACKAGES = ["cdktf", "cdktf-cli", "@cdktf/[^/]+", "constructs", "esbuild", "zod"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "runtime-not-to-infrastructure",
      comment:
        "Runtime code (lambda-src/) is bundled into the Lambda functions: it must not import the infrastructure (modules/, main.ts), " +
        "the build and ops tools (scripts/), the benchmarks (bench/) or the tests (__tests__/).",
      severity: "error",
      from: { path: "^lambda-src/" },
      to: { path: ["^modules/", "^main\\.ts$", "^scripts/", "^bench/", "^__tests__/"] },
    },
    {
      name: "runtime-not-to-build-packages",
      comment:
        "Runtime code (lambda-src/) must not import cdktf, cdktf-cli, @cdktf/*, constructs or esbuild (synth/build time only), " +
        "nor zod (kept out of the Lambda bundles for size; the bundle budget is 400 KB).",
      severity: "error",
      from: { path: "^lambda-src/" },
      to: { path: pkg(...BUILD_TIME_PACKAGES) },
    },
    {
      name: "core-not-to-runtime-adapters",
      comment:
        "lambda-src/core/ and lambda-src/contracts/ are pure definitions shared with the infrastructure: " +
        "they must not import the SDK wiring (lambda-src/aws/), the services (lambda-src/services/) or the handlers (lambda-src/handlers/).",
      severity: "error",
      from: { path: "^lambda-src/(core|contracts)/" },
      to: { path: "^lambda-src/(aws|services|handlers)/" },
    },
    {
      name: "core-sdk-types-only",
      comment:
        "lambda-src/core/ and lambda-src/contracts/ are pure: they may use AWS SDK and Powertools *types* " +
        "(`import type ...`), never their values (clients, loggers, commands).",
      severity: "error",
      from: { path: "^lambda-src/(core|contracts)/" },
      to: {
        path: pkg("@aws-sdk/[^/]+", "@aws-lambda-powertools/[^/]+"),
        dependencyTypesNot: ["type-only", "type-import"],
      },
    },
    {
      name: "tools-and-tests-are-leaves",
      comment:
        "Build/ops tools (scripts/), benchmarks (bench/) and tests (__tests__/) are leaves: nothing in modules/, lambda-src/ or main.ts imports them " +
        "(e.g. bundling belongs to the function construct, not to scripts/).",
      severity: "error",
      from: { path: ["^modules/", "^lambda-src/", "^main\\.ts$"] },
      to: { path: ["^scripts/", "^bench/", "^__tests__/"] },
    },
    {
      name: "infrastructure-to-runtime-contracts-only",
      comment:
        "The infrastructure (modules/, main.ts) may import runtime definitions from lambda-src/contracts/ and lambda-src/core/ only, " +
        "never handlers, services or SDK wiring (lambda-src/handlers|services|aws).",
      severity: "error",
      from: { path: ["^modules/", "^main\\.ts$"] },
      to: { path: "^lambda-src/", pathNot: "^lambda-src/(contracts|core)/" },
    },
    {
      name: "no-circular",
      comment: "No circular dependencies: every import cycle makes the layers above meaningless and the load order fragile.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-sideways-components",
      comment:
        "A component in modules/<a>/ may import another folder modules/<b>/ only when <b> is shared: " +
        `${SHARED_MODULES.map((m) => `modules/${m}/`).join(", ")}. ` +
        "Components meet in main.ts, or through the shared constructs (grant…, addToResourcePolicy), not by importing each other.",
      severity: "error",
      from: { path: "^modules/([^/]+)/" },
      to: { path: "^modules/", pathNot: `^modules/($1|${SHARED_MODULES.join("|")})/` },
    },
    {
      name: "no-provider-barrel",
      comment:
        "Import provider classes by deep path (`@cdktf/provider-aws/lib/s3-bucket`), never the barrel `@cdktf/provider-aws`: " +
        "the barrel loads every AWS resource class (about 8x the memory and 10x the load time per test file).",
      severity: "error",
      from: {},
      to: { path: "(^|/)node_modules/@cdktf/provider-aws/lib/index\\.(js|d\\.ts)$|^@cdktf/provider-aws(/lib)?/?$" },
    },
  ],
  options: {
    // Record type-only imports too (they are compiled away), so the rules above can tell them apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "(^|/)node_modules/" },
    exclude: { path: ["^cdktf\\.out/", "^dist/", "^\\.plan-work/", "^\\.plan-cache/", "^\\.gen/", "^coverage/"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
