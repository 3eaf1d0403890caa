#!/usr/bin/env node
// The `cci` command (docs/cli.md). npm links this file into node_modules/.bin through the root package's
// `file:scripts/cli` devDependency (npm ci does not link a root package's own `bin`). It runs the TypeScript entry
// with tsx, resolved from the repository's node_modules, in this process.

const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const { register } = require(require.resolve("tsx/cjs/api", { paths: [repoRoot] }));
register();
// The SDK's Node.js support notice is not about the operator's task; AWS's own switch silences it unless set.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require(path.join(__dirname, "..", "main.ts")).cli();
