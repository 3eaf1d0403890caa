/**
 * `cci upload` of a large file through the real SDK against the shared fake endpoint (bench/fake-aws.ts): a
 * multipart upload with SSE-KMS, a part that fails once (the SDK retries it), a part that keeps failing (the
 * upload keeps its parts and the command says how to resume), and the resume (only the missing parts are sent).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FakeAws } from "../../bench/fake-aws";
import { manualClock } from "../../lambda-src/core/clock";
import { EXIT } from "../../scripts/cli/exit-codes";
import { run } from "../../scripts/cli/main";
import type { Io } from "../../scripts/cli/output";
import { childEnv, startCliFake, TEST_KEY_ARN } from "./fake-endpoint";

/** One clock for the in-process `cci` and the fake AWS it talks to (the Ctrl-C test's child process keeps the machine's). */
const clock = manualClock("2026-11-29T12:00:00Z");
let fake: FakeAws;
let tmp: string;
const saved = { ...process.env };
beforeAll(async () => {
  fake = await startCliFake(clock);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-mp-"));
  Object.assign(process.env, childEnv(fake, { CCI_STATE_DIR: path.join(tmp, "state") }));
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

async function cci(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, progressStream: process.stderr };
  const code = await run(argv, { io, clock });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const MiB = 1024 * 1024;
function bigFile(name: string, mib: number): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, Buffer.alloc(mib * MiB, 7));
  return f;
}

it("a large file goes up in parts with SSE-KMS; a part that fails once is retried", async () => {
  fake.takeCalls();
  fake.failNextUploadParts(1);
  const r = await cci("upload", bigFile("long-call.wav", 12), "--tenant", "demo-tenant", "--part-size", "5", "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const up = JSON.parse(r.out).uploaded[0];
  expect(up).toMatchObject({ callId: "long-call", multipart: true, resumed: false, kmsKey: TEST_KEY_ARN });
  const calls = fake.takeCalls();
  expect(calls.filter((c) => c === "S3.UploadPart")).toHaveLength(4); // 3 parts + 1 retry
  expect(calls).toContain("S3.CompleteMultipartUpload");
  const [only] = [...fake.multipartUploads().values()].filter((m) => m.key === "demo-tenant/calls/long-call.wav");
  expect(only).toEqual({ key: "demo-tenant/calls/long-call.wav", parts: [1, 2, 3], state: "completed" });
});

it("a part that keeps failing keeps the upload; the next run resumes it and sends only the missing parts", async () => {
  const file = bigFile("resume-me.wav", 16);
  // Part 1 goes through; then every attempt fails until the SDK gives up (5 attempts per part).
  fake.failNextUploadParts(0);
  const first = cci("upload", file, "--part-size", "5", "--concurrency", "1");
  // Let part 1 succeed, then fail the rest.
  await new Promise((r) => setTimeout(r, 0));
  fake.failNextUploadParts(1000);
  const r1 = await first;
  expect(r1.code).toBe(EXIT.AWS_UNAVAILABLE);
  expect(r1.err).toMatch(/^cci upload: .*resume-me\.wav: .*run the same command again within a day to resume$/);
  const [mp] = [...fake.multipartUploads().entries()].filter(([, m]) => m.key === "demo-tenant/calls/resume-me.wav");
  expect(mp[1].state).toBe("open");
  const before = mp[1].parts;

  fake.failNextUploadParts(0);
  fake.takeCalls();
  const r2 = await cci("upload", file, "--part-size", "5", "--json");
  expect(r2.code).toBe(0);
  expect(JSON.parse(r2.out).uploaded[0]).toMatchObject({ resumed: true, multipart: true });
  const calls = fake.takeCalls();
  expect(calls).toContain("S3.ListParts");
  expect(calls).not.toContain("S3.CreateMultipartUpload");
  expect(calls.filter((c) => c === "S3.UploadPart")).toHaveLength(4 - before.length);
  expect(fake.multipartUploads().get(mp[0])).toEqual({ key: "demo-tenant/calls/resume-me.wav", parts: [1, 2, 3, 4], state: "completed" });
  // Done: nothing left to resume.
  expect(fs.readdirSync(path.join(tmp, "state", "uploads"))).toEqual([]);
});

it("Ctrl-C (SIGINT) during a multipart upload keeps the parts; the next run resumes", async () => {
  const file = bigFile("interrupted.wav", 40);
  const bin = path.join(__dirname, "..", "..", "node_modules", ".bin", "cci");
  const child = spawn(bin, ["upload", file, "--part-size", "5", "--concurrency", "1"], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const partsOf = () => [...fake.multipartUploads().values()].find((m) => m.key === "demo-tenant/calls/interrupted.wav");
  const until = performance.now() + 30_000; // waiting for a real process: a duration, on the monotonic clock
  while (!((partsOf()?.parts.length ?? 0) >= 2) && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  expect(code).toBe(130);
  expect(stderr).toContain("cci upload: interrupted; the uploaded parts are kept: run the same command again within a day to resume");
  const kept = partsOf();
  expect(kept?.state).toBe("open");
  expect(kept?.parts.length).toBeLessThan(8);

  fake.takeCalls();
  const r = await cci("upload", file, "--part-size", "5", "--json");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).uploaded[0].resumed).toBe(true);
  expect(fake.takeCalls().filter((c) => c === "S3.UploadPart").length).toBeLessThanOrEqual(8 - (kept?.parts.length ?? 0));
  expect(partsOf()).toMatchObject({ parts: [1, 2, 3, 4, 5, 6, 7, 8], state: "completed" });
});
