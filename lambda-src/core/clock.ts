/**
 * Time as an input (issue #18). Everything that needs the time — the Lambda handlers and services, the `cci`
 * command, the report, the benchmark's fake AWS — takes it from a {@link Clock}. Only the entry points hand in
 * {@link systemClock}: the Lambda handlers' exported `handler`, the `cci` bin, `npm run report`, the benchmark's
 * processes. Tests and replays hand in a {@link manualClock}, so no result depends on the day it runs.
 *
 * Pure (no SDK, no I/O), so the runtime, the infrastructure and the tools share it. Durations measured only to be
 * printed ("done in 3.2 s") may use the monotonic `performance.now()` instead: they decide nothing.
 */

export interface Clock {
  /** The current time. */
  now(): Date;
  /** Resolves after `ms` milliseconds of this clock (a manual clock moves forward by `ms` at once). */
  sleep(ms: number): Promise<void>;
}

/** The machine's clock: the one clock of production code, passed in by the entry points. */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});

/** Whether `d` is a Date that names a point in time (not an Invalid Date). */
export function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  /** Moves the clock by `ms` milliseconds (forward, or back when negative). */
  advance(ms: number): void;
  /** Puts the clock at `at`. */
  set(at: Date | string | number): void;
}

function toMillis(at: Date | string | number): number {
  const t = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(t)) throw new RangeError(`not a point in time: ${String(at)}`);
  return t;
}

/**
 * A clock standing at `start` (a Date, an ISO string or epoch milliseconds) until it is advanced or set;
 * `sleep(ms)` advances it by `ms` without waiting. For tests, replays and the benchmark's fakes.
 */
export function manualClock(start: Date | string | number): ManualClock {
  let t = toMillis(start);
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    set: (at: Date | string | number) => {
      t = toMillis(at);
    },
  };
}
