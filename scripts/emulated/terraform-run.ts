/**
 * Terraform for the emulated tier: every call in its own process group, its output appended to a log file, a
 * timeout that stops the whole group and says which step of which stack ran out of time, and a registry of the
 * running calls so the tier can stop them on any exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";

const running = new Set<ChildProcess>();

/** Stops every terraform call still running (each process group, with its provider plugins). */
export function stopAllTerraform(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

export interface TerraformCall {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The stack and step, for messages: `cci-lite-dev apply`. */
  readonly label: string;
  readonly timeoutMs: number;
  /** Output of every call is appended here. */
  readonly logFile: string;
  /** Exit codes that count as success (e.g. 2 for `plan -detailed-exitcode`). @default [0] */
  readonly okCodes?: readonly number[];
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly seconds: number;
}

const tail = (text: string, lines = 40): string => text.trimEnd().split("\n").slice(-lines).join("\n");

/** Runs `terraform <args>`; rejects with the step, the exit code or the timeout, and the end of its output. */
export function runTerraform(args: readonly string[], call: TerraformCall): Promise<TerraformResult> {
  const started = performance.now(); // a duration: the monotonic clock
  fs.appendFileSync(call.logFile, `\n$ terraform ${args.join(" ")}\n`);
  const child = spawn("terraform", args, { cwd: call.cwd, env: call.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stdout = "";
  let output = "";
  child.stdout?.on("data", (b: Buffer) => {
    stdout += b.toString("utf8");
    output += b.toString("utf8");
    fs.appendFileSync(call.logFile, b);
  });
  child.stderr?.on("data", (b: Buffer) => {
    output += b.toString("utf8");
    fs.appendFileSync(call.logFile, b);
  });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, call.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`${call.label}: terraform could not start (${e.message}); it must be on PATH (npm run prerequisites)`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      running.delete(child);
      const seconds = (performance.now() - started) / 1000;
      if (timedOut)
        reject(new Error(`${call.label}: terraform ${args[0]} did not finish within ${call.timeoutMs / 1000} s; its last output:\n${tail(output)}`));
      else if (code !== null && (call.okCodes ?? [0]).includes(code)) resolve({ code, stdout, seconds });
      else reject(new Error(`${call.label}: terraform ${args.join(" ")} failed (exit ${code}) after ${seconds.toFixed(0)} s:\n${tail(output)}`));
    });
  });
}
