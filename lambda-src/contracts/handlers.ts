/**
 * The Lambda handlers of the pipeline: their names (function name suffix, bundle folder, log group) and entry.
 * The one home of these names: the infrastructure creates one function per entry, the bundler builds
 * `lambda-src/handlers/<name>.ts` for each, and the tests iterate over the same list.
 */
export const HANDLER_NAMES = ["start", "analyze", "reconcile"] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** The Lambda `handler` setting of every bundle: `index.mjs` exporting `handler`. */
export const HANDLER_ENTRY = "index.handler";

/** Source file of a handler, relative to the repository root. */
export function handlerSource(name: HandlerName): string {
  return `lambda-src/handlers/${name}.ts`;
}
