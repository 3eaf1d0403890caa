/**
 * The call's categories: the tenant's rules from the analyze package's `category-rules.json` (written at synth from
 * the configuration, docs/configuration.md "Call categories"), matched by core/categories.ts. No file, or no entry
 * for the tenant: no categories. A file or rules it cannot use: an ERROR log line (the function's error-log alarm
 * fires) and no categories; the call's record is written all the same. Read at each call (a file of at most
 * 64 KB per tenant from the package, well under a millisecond), so nothing is cached across calls.
 */
import { readFileSync } from "node:fs";
import type { CallCategory } from "../contracts/result-schema";
import { type CategoryInput, categorize } from "../core/categories";
import { CATEGORY_RULES_FILE, type CategoryDocument } from "../core/category-rules";
import { logger } from "../aws/observability";

/** The categories of a call of `tenant` (empty when it has no rules or they are unusable, which is logged as an error). */
export function callCategories(tenant: string, input: CategoryInput): CallCategory[] {
  try {
    const doc = JSON.parse(readFileSync(`${process.env.LAMBDA_TASK_ROOT ?? "."}/${CATEGORY_RULES_FILE}`, "utf8")) as CategoryDocument;
    const rules = Object.hasOwn(doc, tenant) ? doc[tenant] : undefined; // a tenant named "constructor" is no rule list
    return rules ? categorize(rules, input) : [];
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") logger.error("Category rules unusable", { error: e as Error });
    return [];
  }
}
