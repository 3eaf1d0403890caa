/**
 * The one clock (lambda-src/core/clock.ts): the system clock is the machine's, a manual clock moves only when told.
 */
import { manualClock, systemClock } from "../../lambda-src/core/clock";

describe("clock", () => {
  it("the system clock reads the machine's time and sleeps for real", async () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    const t0 = performance.now();
    await systemClock.sleep(20);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it("a manual clock stands still until advanced, set or slept on (without waiting)", async () => {
    const c = manualClock("2031-07-01T00:00:00Z");
    expect(c.now().toISOString()).toBe("2031-07-01T00:00:00.000Z");
    c.advance(1500);
    expect(c.now().toISOString()).toBe("2031-07-01T00:00:01.500Z");
    const t0 = performance.now();
    await c.sleep(3_600_000);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(c.now().toISOString()).toBe("2031-07-01T01:00:01.500Z");
    c.set(new Date("1999-12-31T23:59:59Z"));
    expect(c.now().toISOString()).toBe("1999-12-31T23:59:59.000Z");
    c.set(0);
    expect(c.now().getTime()).toBe(0);
  });

  it("a manual clock hands out copies: changing one does not move the clock", () => {
    const c = manualClock("2031-07-01T00:00:00Z");
    c.now().setUTCFullYear(1970);
    expect(c.now().toISOString()).toBe("2031-07-01T00:00:00.000Z");
  });

  it("refuses a start that is not a point in time", () => {
    expect(() => manualClock("next tuesday")).toThrow("not a point in time: next tuesday");
  });
});
