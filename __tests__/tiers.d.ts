/** The types of tiers.js (the one list of test tiers), for the TypeScript that reads it. */
/** Test files of the terraform tier, relative to __tests__/. */
export declare const terraform: string[];
/** Jest path patterns (regular expressions) matching the files of a tier. */
export declare function patternsOf(files: readonly string[]): string[];
/** Jest without the terraform tier: the arguments that ignore its files (the last option: it takes every argument after it) and the environment that turns the plan fixture off. */
export declare const withoutTerraform: { readonly args: readonly string[]; readonly env: { readonly CCI_LITE_PLAN_FIXTURE: "off" } };
