/** The types of tiers.js (the one list of test tiers), for the TypeScript that reads it. */
/** Test files of the terraform tier, relative to __tests__/. */
export declare const terraform: string[];
/** Jest path patterns (regular expressions) matching the files of a tier. */
export declare function patternsOf(files: readonly string[]): string[];
