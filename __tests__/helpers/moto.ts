/**
 * A moto server (`python3 -m moto.server`, /work/shared/notes/emulator-facts.md) for a test: started on a free
 * 127.0.0.1 port with `MOTO_ACCOUNT_ID=111122223333` and its HTTP(S) proxies pointed at a closed local port, so
 * nothing it does leaves the machine. When moto cannot start, the error names the prerequisite and how to install it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";

export interface MotoServer {
  readonly url: string;
  readonly proc: ChildProcess;
}

function freePort(): Promise<number> {
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

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers (at most 15 s). */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const closed = `http://127.0.0.1:${await freePort()}`;
  const proc = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MOTO_ACCOUNT_ID: "111122223333",
      HTTP_PROXY: closed,
      HTTPS_PROXY: closed,
      NO_PROXY: "127.0.0.1,localhost",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString("utf8")).slice(-2000);
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
  while (performance.now() - t0 < 15_000) {
    if (exited) throw new Error(`${MOTO_MISSING}: ${exited}; ${stderr.trim()}`);
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.status < 500) return { url, proc };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error(`${MOTO_MISSING}: no answer within 15 s; ${stderr.trim()}`);
}

/** Stops the server and waits until it has exited. */
export async function stopMoto(moto: MotoServer): Promise<void> {
  if (moto.proc.exitCode !== null || moto.proc.signalCode !== null) return;
  const gone = new Promise((r) => moto.proc.once("exit", r));
  moto.proc.kill("SIGTERM");
  await gone;
}
