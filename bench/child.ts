/**
 * One benchmark process (compiled by bench/run.ts to dist/bench/child.mjs and run with plain `node`, so no
 * TypeScript loader is measured). Starts the fake AWS endpoint, imports the handler module, serves one
 * invocation (cold), optionally N more (warm), and reports JSON on file descriptor 3. The handler's own logs
 * (stdout/stderr) go to the parent, which keeps only a bounded prefix.
 *
 * argv: <module path> <handler name> <warm invocations> [--floor]
 *   --floor: everything except importing/invoking the handler (process + fake endpoint overhead).
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { systemClock } from "../lambda-src/core/clock";
import { startFakeAws } from "./fake-aws";
import { eventFor, type BenchHandler } from "./events";

function report(msg: unknown): void {
  fs.writeSync(3, `${JSON.stringify(msg)}\n`);
}

function context(name: string, i: number): Record<string, unknown> {
  // Lambda's maximum timeout: the handlers' own time budgets never bite. A duration, so the monotonic clock.
  const deadline = performance.now() + 900_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `cci-lite-bench-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:cci-lite-bench-${name}`,
    memoryLimitInMB: "256",
    awsRequestId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    logGroupName: `/aws/lambda/cci-lite-bench-${name}`,
    logStreamName: "2026/11/25/[$LATEST]bench",
    getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function describe(value: unknown): unknown {
  if (value instanceof Error) return { error: value.name, message: value.message };
  return value === undefined ? null : value;
}

async function main(): Promise<void> {
  const [modulePath, name, warmArg, floorArg] = process.argv.slice(2) as [string, BenchHandler, string, string?];
  const warm = Number(warmArg);
  // The deployed handlers run on the system clock (their exported `handler`), so the fake AWS does too.
  const clock = systemClock;
  const fake = await startFakeAws({ clock });
  process.env.AWS_ENDPOINT_URL = fake.url;
  const tImport = performance.now();
  if (floorArg === "--floor") {
    report({ kind: "cold", processMs: tImport, importMs: 0, invokeMs: 0, ok: true, result: null, calls: [], maxRssKiB: process.resourceUsage().maxRSS });
    await fake.close();
    return;
  }
  const mod = (await import(pathToFileURL(modulePath).href)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
  const tLoaded = performance.now();
  let ok = true;
  let result: unknown;
  try {
    result = await mod.handler(eventFor(name, fake.uploadedAt, clock.now()), context(name, 0));
  } catch (e) {
    ok = false;
    result = describe(e);
  }
  const tDone = performance.now();
  report({
    kind: "cold",
    processMs: tDone,
    importMs: tLoaded - tImport,
    invokeMs: tDone - tLoaded,
    ok,
    result: describe(result),
    calls: fake.takeCalls(),
    maxRssKiB: process.resourceUsage().maxRSS,
    rssMiB: process.memoryUsage().rss / 1048576,
  });
  if (warm > 0) {
    let maxRss = process.memoryUsage().rss;
    let failures = 0;
    let lastError: unknown = null;
    fake.takeBusyMs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 1; i <= warm; i++) {
      // The fake is stateful: back to the seeded call, so every warm invocation takes the cold one's path.
      fake.reset();
      try {
        await mod.handler(eventFor(name, fake.uploadedAt, clock.now()), context(name, i));
      } catch (e) {
        failures++;
        lastError = describe(e);
      }
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const calls = fake.takeCalls();
    const fakeMs = fake.takeBusyMs();
    report({
      kind: "warm",
      invocations: warm,
      failures,
      lastError,
      cpuUsPerEvent: (cpu.user + cpu.system) / warm,
      fakeUsPerEvent: (fakeMs * 1000) / warm,
      wallMsPerEvent: wallMs / warm,
      callsPerEvent: calls.length / warm,
      unhandled: calls.filter((c) => c.startsWith("UNHANDLED") || c.startsWith("ERROR")).slice(0, 5),
      maxRssMiB: maxRss / 1048576,
      maxRssKiB: process.resourceUsage().maxRSS,
    });
  }
  await fake.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    report({ kind: "fatal", error: String(e instanceof Error ? e.stack : e) });
    process.exit(1);
  },
);
