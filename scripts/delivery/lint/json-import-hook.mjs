// Node ESM loader hook: @actions/workflow-parser imports its JSON schemas without
// `with { type: "json" }`, which Node 20/22 reject (ERR_IMPORT_ASSERTION_TYPE_MISSING /
// ERR_IMPORT_ATTRIBUTE_MISSING). This hook adds the attribute for .json files.
// Registered by register-json-hook.mjs (`node --import ./register-json-hook.mjs ...`).
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && context.importAttributes?.type !== "json") {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return nextLoad(url, context);
}
