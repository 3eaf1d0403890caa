// Validates workflow files with GitHub's own parser (@actions/workflow-parser).
// Usage: node --import ./scripts/delivery/lint/register-json-hook.mjs \
//          scripts/delivery/lint/parse-workflows.mjs <workflow.yml>...
// Prints JSON: [{ file, errors: [message...] }] and exits 0 (the caller decides).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from "@actions/workflow-parser";

const results = [];
for (const path of process.argv.slice(2)) {
  const file = { name: basename(path), content: readFileSync(path, "utf8") };
  const parsed = parseWorkflow(file, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value && errors.length === 0) {
    // Conversion catches semantic errors (unknown `needs`, bad matrix references, ...).
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) errors.push(e.Message ?? e.message ?? String(e));
  }
  results.push({ file: path, errors });
}
process.stdout.write(JSON.stringify(results));
