/**
 * What a person sees: the installed `cci` bin (node_modules/.bin/cci, linked by npm from scripts/cli) run in a real
 * terminal (tmux), against the shared fake endpoint (bench/fake-aws.ts, never AWS): `upload` draws a progress bar,
 * `results` a table. Also: `cci --help` as a plain subprocess.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FakeAws } from "../../bench/fake-aws";
import { systemClock } from "../../lambda-src/core/clock";
import { childEnv, startCliFake } from "./fake-endpoint";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "node_modules", ".bin", "cci");

it("npx cci --help works from the installed bin", () => {
  const r = spawnSync(BIN, ["--help"], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("Usage: cci [options] [command]");
  for (const c of ["upload", "status", "wait", "results", "reprocess", "redrive", "logs", "doctor"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${c} `));
});

/** A PCM WAV header and `bytes` of silence. */
function wav(rate: number, bits: number, channels: number, bytes: number): Buffer {
  const b = Buffer.alloc(44 + bytes);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(36 + bytes, 4);
  b.write("WAVEfmt ", 8, "latin1");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE((rate * channels * bits) / 8, 28);
  b.writeUInt16LE((channels * bits) / 8, 32);
  b.writeUInt16LE(bits, 34);
  b.write("data", 36, "latin1");
  b.writeUInt32LE(bytes, 40);
  return b;
}

it("upload reads duration and channels from the files' headers and refuses what Transcribe cannot take, before any AWS call", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-media-"));
  const files = {
    "too-long.wav": wav(1, 8, 1, 14_401), // 1 Hz, one byte per second: 14,401 s
    "too-short.wav": wav(8000, 16, 1, 1600), // 0.1 s
    "six-channels.wav": wav(8000, 16, 6, 96_000),
    "fine.wav": wav(8000, 16, 1, 16_000),
  };
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  // No endpoint, no credentials: a refusal must come before any AWS call.
  const r = spawnSync(BIN, ["upload", ...Object.keys(files).map((f) => path.join(dir, f)), "--tenant", "demo-tenant"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: "true" },
  });
  expect(r.status).toBe(1);
  expect(r.stderr.trim().split("\n")).toEqual([
    `cci upload: refused ${path.join(dir, "too-long.wav")}: TOO_LONG The audio lasts 14401 s; Transcribe accepts at most 14400 s (4 hours)`,
    `cci upload: refused ${path.join(dir, "too-short.wav")}: TOO_SHORT The audio lasts 0.10 s; Transcribe needs at least 0.5 s`,
    `cci upload: refused ${path.join(dir, "six-channels.wav")}: TOO_MANY_CHANNELS The audio has 6 channels; Transcribe takes at most 2`,
    "cci upload: nothing uploaded (3 of 4 files refused)",
  ]);
});

describe("in a terminal", () => {
  let fake: FakeAws;
  let tmp: string;
  // One tmux server per screen, on its own socket: reusing one socket right after `kill-server` races the old server's
  // shutdown ("server exited unexpectedly"), which a slow or clock-shifted machine hits.
  const sockets: string[] = [];
  const tmux = (socket: string, ...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  beforeAll(async () => {
    // The installed bin runs on the machine's clock (its entry point), so the fake AWS does too; nothing here depends on the date.
    fake = await startCliFake(systemClock);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-tty-"));
  });
  afterAll(async () => {
    for (const socket of sockets) spawnSync("tmux", ["-L", socket, "kill-server"]);
    await fake.close();
  });

  async function screenAfter(script: string, done: RegExp): Promise<string> {
    const file = path.join(tmp, "run.sh");
    const env = childEnv(fake, { CCI_STATE_DIR: path.join(tmp, "state") });
    const exports = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, "'\\''")}'`)
      .join("\n");
    fs.writeFileSync(file, `${exports}\ncd '${ROOT}'\nclear\n${script}\necho "== done $? =="\n`);
    const socket = `cci-test-${process.pid}-${sockets.length}`;
    sockets.push(socket);
    tmux(socket, "new-session", "-d", "-x", "200", "-y", "50", "bash", "--norc", "--noprofile");
    tmux(socket, "send-keys", `bash '${file}'`, "Enter");
    const until = performance.now() + 60_000; // waiting for a real terminal: a duration, on the monotonic clock
    let screen = "";
    while (performance.now() < until) {
      screen = tmux(socket, "capture-pane", "-p", "-J");
      if (done.test(screen)) {
        spawnSync("tmux", ["-L", socket, "kill-server"]);
        return screen;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out; the screen was:\n${screen}`);
  }

  it("upload shows a progress bar per file, then the call id and where the result will be", async () => {
    const audio = path.join(tmp, "first-test.wav");
    fs.writeFileSync(audio, Buffer.alloc(12 * 1024 * 1024, 3));
    const screen = await screenAfter(`'${BIN}' upload '${audio}' --tenant demo-tenant --part-size 5`, /== done \d+ ==/);
    expect(screen).toContain("== done 0 ==");
    // cli-progress's bar, complete: full blocks, 100 %, MiB counts and the file name.
    expect(screen).toMatch(/█{10,}\s+100% \| 12\/12 MiB \| first-test\.wav/);
    expect(screen).toMatch(/│ first-test\.wav\s+│ first-test\s+│ s3:\/\/cci-lite-prod-input-111122223333-eu-central-1\/demo-tenant\/calls\/first-test\.wav/);
    expect(screen).toContain("cci status first-test --tenant demo-tenant");
  });

  it("results prints a table of the tenant's calls", async () => {
    const screen = await screenAfter(`'${BIN}' results --tenant demo-tenant --since 7d`, /== done \d+ ==/);
    expect(screen).toContain("== done 0 ==");
    expect(screen).toMatch(/┌─+┬/);
    expect(screen).toMatch(/│ call_date\s+│ call_id\s+│ status\s+│ sentiment/);
    expect(screen).toMatch(/│ 2026\/11\/29\s+│ sample\s+│ COMPLETED\s+│ POSITIVE/);
    expect(screen).toMatch(/│ 2026\/11\/28\s+│ call-7\s+│ FAILED .*│ EMPTY_TRANSCRIPT/);
    expect(screen).toContain("2 calls (Athena query q-1, workgroup cci-lite-prod)");
  });
});
