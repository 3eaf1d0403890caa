/**
 * One argument parser for the command-line tools (scripts/args.ts: strict `node:util` parseArgs): every tool keeps
 * its options and refuses an unknown one with a short error that names it, instead of ignoring it or printing a
 * stack trace.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseOptions, UsageError } from "../../scripts/args";
import { parseBundleArgs } from "../../scripts/bundle-lambdas";
import { parseCapacityArgs } from "../../scripts/capacity/index";
import { parseArgs as deliveryArgs } from "../../scripts/delivery/cli";
import { main as doctor, parseArgs as doctorArgs } from "../../scripts/doctor/index";
import { parseOfflinePlanArgs } from "../../scripts/offline-plan";
import { parseEmulatedArgs } from "../../scripts/test-emulated";

const REPO = path.join(__dirname, "..", "..");
const TSX = path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs");

describe("parseOptions", () => {
  const options = { env: { type: "string" }, json: { type: "boolean" } } as const;

  it("reads string and boolean options, in both spellings", () => {
    expect(parseOptions(["--env", "dev", "--json"], options).values).toEqual({ env: "dev", json: true });
    expect(parseOptions(["--env=dev"], options).values).toEqual({ env: "dev" });
  });

  it.each([
    [["--bogus"], "unknown option --bogus"],
    [["--bogus=1"], "unknown option --bogus"],
    [["-x"], "unknown option -x"],
    [["--env"], "--env needs a value"],
    [["--env", "--json"], "--env needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["stray"], "unexpected argument stray"],
  ])("%j: %s", (argv, message) => {
    const error = (() => {
      try {
        parseOptions(argv, options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });

  it("allows positional arguments only when asked", () => {
    expect(parseOptions(["a", "--json"], options, true).positionals).toEqual(["a"]);
  });
});

describe("doctor", () => {
  it("keeps its options and defaults", () => {
    expect(doctorArgs([], { configDir: "cfg" })).toEqual({ env: "prod", configDir: "cfg", json: false, github: false });
    expect(doctorArgs(["--env=dev", "--config-dir", "x", "--json"], { configDir: "cfg" })).toEqual({ env: "dev", configDir: "x", json: true, github: false });
    expect(doctorArgs(["--github", "--config-dir", "x"], { configDir: "cfg" })).toEqual({ env: "prod", configDir: "x", json: false, github: true });
    expect(() => doctorArgs(["--github", "--env", "dev"], { configDir: "cfg" })).toThrow("drop --env");
    expect(doctorArgs(["-h"], { configDir: "cfg" })).toBe("help");
    expect(() => doctorArgs(["--env="], { configDir: "cfg" })).toThrow("--env needs a value");
  });

  it("an unknown option: exit 2, the option named, then the usage", async () => {
    const err: string[] = [];
    const code = await doctor(["--env", "prod", "--jsn"], { io: { stdout: () => undefined, stderr: (l) => err.push(l) } });
    expect(code).toBe(2);
    expect(err.join("\n")).toBe(
      "doctor: unknown option --jsn\nusage: npm run doctor -- [--env <name>] [--config-dir <dir>] [--json] | --github [--config-dir <dir>] [--json]",
    );
  });
});

describe("delivery", () => {
  it("reads each command's own options", () => {
    expect(deliveryArgs("drift-report", ["--stack", "s", "--refresh-json", "r", "--plan-json", "p", "--out-dir", "d"])).toEqual({
      stack: "s",
      "refresh-json": "r",
      "plan-json": "p",
      "out-dir": "d",
    });
    expect(deliveryArgs("apply-result", ["--outcome", ""])).toEqual({ outcome: "" });
  });

  it("names an unknown command, and an option the command does not have", () => {
    expect(() => deliveryArgs("nope", [])).toThrow(/^Unknown command nope; expected matrix, .*, drift-report or apply-result$/);
    // Node's own messages here: the delivery bundle is built from scripts/delivery only (__tests__/delivery/structure.test.ts).
    expect(() => deliveryArgs("matrix", ["--stack", "s"])).toThrow("matrix: Unknown option '--stack'");
    expect(() => deliveryArgs("render-plan", ["--stack"])).toThrow("render-plan: Option '--stack <value>' argument missing");
  });
});

describe("capacity", () => {
  it("keeps the workload, behaviour and quota options", () => {
    const a = parseCapacityArgs(["--env", "dev", "--burst", "25000", "--no-search", "--transcribe-concurrent", "500", "--event-loss", "0.05"]);
    expect(a.env).toBe("dev");
    expect(a.num("--burst")).toBe(25000);
    expect(a.num("--transcribe-concurrent")).toBe(500);
    expect(a.num("--event-loss")).toBe(0.05);
    expect(a.num("--per-hour")).toBeUndefined();
    expect(a.flag("--no-search")).toBe(true);
    expect(a.flag("--poisson")).toBe(false);
    expect(parseCapacityArgs([]).env).toBe("prod");
  });

  it("refuses an unknown option (once silently ignored) and a number that is not one", () => {
    expect(() => parseCapacityArgs(["--burts", "5"])).toThrow("unknown option --burts");
    expect(() => parseCapacityArgs(["--burst", "many"])).toThrow("--burst needs a non-negative number, got many");
    expect(() => parseCapacityArgs(["--seed", "-1"])).toThrow("--seed needs a value");
  });
});

describe("offline-plan and bundle", () => {
  it("keep their options", () => {
    expect(parseOfflinePlanArgs(["--out", "o", "--update-locks", "--jobs", "3"])).toEqual({ out: "o", updateLocks: true, jobs: 3 });
    expect(parseOfflinePlanArgs([])).toEqual({ out: undefined, updateLocks: false, jobs: undefined });
    expect(parseBundleArgs(["out", "--top"])).toEqual({ outDir: "out", measures: false, top: true, writeDocs: false });
    expect(parseBundleArgs(["--measures"]).measures).toBe(true);
  });

  it("name an unknown option or a stray argument", () => {
    expect(() => parseOfflinePlanArgs(["--update-lock"])).toThrow("unknown option --update-lock");
    expect(() => parseOfflinePlanArgs(["stray"])).toThrow("unexpected argument stray");
    expect(() => parseBundleArgs(["--tops"])).toThrow("unknown option --tops");
    expect(() => parseBundleArgs(["a", "b"])).toThrow("unexpected argument b (one output folder at most)");
  });
});

describe("test:emulated", () => {
  it("keeps --keep and --only, and names an unknown option", () => {
    expect(parseEmulatedArgs([])).toEqual({ keep: false, only: [] });
    expect(parseEmulatedArgs(["--keep", "--only", "cci-lite-dev,cci-lite-prod"])).toEqual({ keep: true, only: ["cci-lite-dev", "cci-lite-prod"] });
    expect(() => parseEmulatedArgs(["--keeep"])).toThrow("unknown option --keeep");
    expect(() => parseEmulatedArgs(["--only"])).toThrow("--only needs a value");
  });
});

describe("entry points", () => {
  // The scripts parse at start-up: an unknown option ends the process with one line, before any work.
  it.each([
    ["scripts/capacity/index.ts", "capacity: unknown option --bogus"],
    ["scripts/offline-plan.ts", "offline-plan: unknown option --bogus"],
    ["bench/synth-scale.ts", "bench/synth-scale.ts: unknown option --bogus"],
  ])("%s --bogus", (script, line) => {
    const r = spawnSync(process.execPath, [TSX, path.join(REPO, script), "--bogus"], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr.trim()).toBe(line);
    expect(r.status).toBe(1);
  });
});
