/**
 * A moto server (`python3 -m moto.server`, /work/shared/notes/emulator-facts.md) for a test or the emulated tier
 * (scripts/test-emulated.ts): started on a free 127.0.0.1 port with `MOTO_ACCOUNT_ID` (default 111122223333) and its
 * HTTP(S) proxies pointed at a closed local port, so nothing it does leaves the machine. When moto cannot start, the
 * error names the prerequisite and how to install it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

export interface MotoServer {
  readonly url: string;
  readonly port: number;
  readonly proc: ChildProcess;
  /** The last 20,000 characters moto wrote to stderr (its request log): shown when a step against it fails. */
  log(): string;
}

/** The pinned moto version (`npm run prerequisites` checks it; `pip install 'moto[server]==5.2.1'`). */
export const MOTO_VERSION = "5.2.1";

export interface MotoOptions {
  /** The account moto answers as (`MOTO_ACCOUNT_ID`). @default "111122223333" */
  readonly accountId?: string;
  /**
   * Load the AWS managed IAM policies (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`), so attaching e.g. ReadOnlyAccess
   * works; costs about a second of start-up. @default false
   */
  readonly loadManagedPolicies?: boolean;
  /** Also append everything moto writes to stderr (its request log and tracebacks) to this file. @default none */
  readonly logFile?: string;
  /** How long to wait for the first answer. @default 15000 */
  readonly startTimeoutMs?: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const MOTO_MISSING =
  "moto's S3 server is a prerequisite of this test and could not be started (`python3 -m moto.server`): install it with `pip install 'moto[server]==5.2.1'` (/work/shared/notes/emulator-facts.md)";

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers (at most 15 s by default). */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const port = await freePort();
  const closed = `http://127.0.0.1:${await freePort()}`;
  const proc = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MOTO_ACCOUNT_ID: options.accountId ?? "111122223333",
      ...(options.loadManagedPolicies ? { MOTO_IAM_LOAD_MANAGED_POLICIES: "true" } : {}),
      // moto builds boto3 clients inside (e.g. Lambda's CreateFunction): fake keys, and no instance-metadata lookup.
      AWS_ACCESS_KEY_ID: "AKIAMOTOSERVER000000",
      AWS_SECRET_ACCESS_KEY: "moto-server-fake-secret",
      AWS_EC2_METADATA_DISABLED: "true",
      HTTP_PROXY: closed,
      HTTPS_PROXY: closed,
      NO_PROXY: "127.0.0.1,localhost",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (b: Buffer) => {
    if (options.logFile) fs.appendFileSync(options.logFile, b);
    stderr = (stderr + b.toString("utf8")).slice(-20_000);
  });
  let exited: string | undefined;
  proc.on("error", (e) => {
    exited = String(e);
  });
  proc.on("exit", (code) => {
    exited ??= `exit ${code}`;
  });
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now(); // a duration: the monotonic clock
  while (performance.now() - t0 < timeoutMs) {
    if (exited) throw new Error(`${MOTO_MISSING}: ${exited}; ${stderr.trim().slice(-2000)}`);
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.status < 500) return { url, port, proc, log: () => stderr };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error(`${MOTO_MISSING}: no answer within ${timeoutMs / 1000} s; ${stderr.trim().slice(-2000)}`);
}

/** Stops the server and waits until it has exited. */
export async function stopMoto(moto: MotoServer): Promise<void> {
  if (moto.proc.exitCode !== null || moto.proc.signalCode !== null) return;
  const gone = new Promise((r) => moto.proc.once("exit", r));
  moto.proc.kill("SIGTERM");
  await gone;
}
