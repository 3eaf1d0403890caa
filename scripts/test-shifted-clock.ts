/**
 * `npm run test:shifted` (part of `npm test`): the jest suite, less the terraform tier (__tests__/tiers.js), under a
 * shifted system clock, once 400 days ahead and once 30 days back, with Debian's `faketime` (libfaketime shifts every
 * process it starts, jest's workers, tmux and Chromium included). Proves that no test depends on the day it runs.
 *
 *   npm run test:shifted [-- --offset '+400 days' --offset '-30 days'] [-- <jest arguments…>]
 *
 * Exit 0 when every pass passes; 1 otherwise; 2 when faketime is missing (`npm run prerequisites` says how to get it).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as tiers from "../__tests__/tiers";

const REPO_ROOT = path.resolve(__dirname, "..");

/** The clock offsets of `npm test` (faketime's relative syntax). */
export const SHIFTS: readonly string[] = ["+400 days", "-30 days"];

/** The command line of one pass: faketime, then jest without the terraform tier and without the plan fixture. */
export function shiftedCommand(offset: string, jestArgs: readonly string[] = []): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: "faketime",
    args: [offset, process.execPath, path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js"), ...tiers.withoutTerraform.args, "--", ...jestArgs],
    env: { ...process.env, ...tiers.withoutTerraform.env },
  };
}

function main(): number {
  const { values, positionals } = parseArgs({ options: { offset: { type: "string", multiple: true } }, allowPositionals: true, strict: true });
  const offsets = values.offset?.length ? values.offset : SHIFTS;
  if (spawnSync("faketime", ["-f", "+0", "true"]).error) {
    console.error("missing prerequisite: faketime: `apt-get install faketime` (Debian/Ubuntu); `npm run prerequisites` lists every tool");
    return 2;
  }
  const failed: string[] = [];
  for (const offset of offsets) {
    const { command, args, env } = shiftedCommand(offset, positionals);
    const shown = spawnSync("faketime", [offset, "date", "-u", "+%Y-%m-%d"], { encoding: "utf8" }).stdout.trim();
    console.log(`\n== jest with the clock shifted ${offset} (today is ${shown} there), without the terraform tier ==`);
    const r = spawnSync(command, args, { cwd: REPO_ROOT, env, stdio: "inherit" });
    if (r.status !== 0) failed.push(offset);
  }
  if (failed.length) console.error(`\nshifted-clock passes failed: ${failed.join(", ")}`);
  return failed.length ? 1 : 0;
}

if (require.main === module) process.exit(main());
