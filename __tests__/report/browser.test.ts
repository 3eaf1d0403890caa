/**
 * The report as a person sees it: the generated sample's HTML opened from disk in headless Chromium (Debian's
 * `chromium`, driven by playwright-core; no browser download), every request but the file itself refused.
 * Charts drawn, numbers equal to the sample counted directly, no console error; one screenshot. The call browser
 * next to it (calls-browser.ts: list, filters, search, a call's page, axe-core) runs in the same browser.
 *
 * The screenshots are compared by size and content, not pixels: `UPDATE_SCREENSHOT=1 npx jest __tests__/report/browser`
 * rewrites docs/images/report.png, calls-list.png and call-page.png (the README shows them).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { manualClock } from "../../lambda-src/core/clock";
import { runReport } from "../../scripts/report/index";
import { generateSample } from "../../scripts/report/sample";
import { callBrowserTests, type Shared } from "./calls-browser";

const CHROMIUM = "/usr/bin/chromium";
const NOW = "2026-11-17T12:00:00.000Z";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOT = path.join(__dirname, "..", "..", "docs", "images", "report.png");
const VIEWPORT = { width: 1400, height: 900 };

let context: BrowserContext;
let page: Page;
let dir: string;
let callsFile: string;
const consoleErrors: string[] = [];
const refused: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm run prerequisites)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-report-browser-"));
  const out = path.join(dir, "report.html");
  // Three days after the sample's last day: its last days' transcripts are kept (7 days), the older ones expired.
  callsFile = (await runReport(["--sample", "--out", out], { clock: manualClock(NOW) })).callsOut;
  context = await chromium.launchPersistentContext(path.join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: VIEWPORT });
  await context.route("**/*", (route) => {
    if (route.request().url().startsWith("file://")) return route.continue();
    refused.push(route.request().url());
    return route.abort();
  });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(`file://${out}`);
  await page.waitForSelector("body[data-rendered=true]", { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const records = generateSample().map((r) => r.result);
/** The calls; the sample's rejected sidecar files are counted apart. */
const sample = records.filter((r) => !r.rejected_file);
const text = (id: string) => page.locator(`#${id}`).innerText();

describe("the report in Chromium", () => {
  it("renders without a console error and without a network request", () => {
    expect(consoleErrors).toEqual([]);
    expect(refused).toEqual([]);
  });

  it("draws every chart (each canvas has painted pixels)", async () => {
    // Runs in the page (tsconfig has no DOM library: the page's globals are reached through globalThis).
    const painted = await page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll("canvas")].map((c: any) => {
        const data: Uint8ClampedArray = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return [c.id as string, n, c.width * c.height] as const;
      }),
    );
    expect(painted.map(([id]) => id)).toEqual(["calls-by-day", "sentiment-trend", "top-terms", "failures-by-code", "talk-time"]);
    for (const [id, n, area] of painted) {
      expect({ id, painted: n > area * 0.01 }).toEqual({ id, painted: true });
    }
  });

  it("shows the sample's totals, counted directly from the records", async () => {
    const count = (s: string) => sample.filter((r) => r.status === s).length;
    expect(await text("total-calls")).toBe(String(sample.length));
    expect(await text("total-completed")).toBe(String(count("COMPLETED")));
    expect(await text("total-failed")).toBe(String(count("FAILED")));
    expect(await text("total-rejected")).toBe(String(count("REJECTED")));
    expect(await text("total-files")).toBe(String(records.length - sample.length));
  });

  it("charts hold the sample's numbers: calls per day by status, failures by code", async () => {
    const charts = await page.evaluate(() => {
      const page = globalThis as any;
      const data = (id: string) => page.Chart.getChart(page.document.getElementById(id)).data;
      return { calls: data("calls-by-day"), failures: data("failures-by-code") };
    });
    const byDay = new Map<string, number>();
    for (const r of sample) byDay.set(r.uploaded_at!.slice(0, 10), (byDay.get(r.uploaded_at!.slice(0, 10)) ?? 0) + 1);
    expect(charts.calls.labels).toEqual([...byDay.keys()].sort());
    const perDay = charts.calls.labels.map((_: string, i: number) => charts.calls.datasets.reduce((a: number, d: any) => a + d.data[i], 0));
    expect(perDay).toEqual(charts.calls.labels.map((d: string) => byDay.get(d)));
    const codes = new Map<string, number>();
    for (const r of records) {
      const code = r.status !== "COMPLETED" ? r.error!.code : r.summary_error?.code;
      if (code) codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(charts.failures.labels.map((l: string, i: number) => [l, charts.failures.datasets[0].data[i]]))).toEqual(
      Object.fromEntries(codes),
    );
  });

  it("lists the latest calls with their summaries, newest first", async () => {
    const rows = await page.locator("#latest-rows tr").allInnerTexts();
    expect(rows).toHaveLength(20);
    const newest = [...sample].sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
    expect(rows[0]).toContain(newest.call_id);
    expect(rows[0]).toContain(newest.summary ?? "—");
    expect(await page.locator("#action-items-rows tr").count()).toBeGreaterThan(3);
    expect(await page.locator("#risks-rows tr").count()).toBeGreaterThan(3);
  });

  it("screenshot: the full page, the committed docs/images/report.png of the same size and not blank", async () => {
    const shot = await page.screenshot({ fullPage: true });
    // Not blank: a blank page compresses to a few KB; charts and tables do not.
    const size = compareScreenshot(shot, SCREENSHOT, 50_000);
    expect(size.height).toBeGreaterThan(VIEWPORT.height);
  });
});

/**
 * A screenshot against the committed one (rewritten first with UPDATE_SCREENSHOT=1): the viewport's width, a height
 * within 5 %, and both over `minBytes` (not blank). Returns the new one's size.
 */
function compareScreenshot(shot: Buffer, file: string, minBytes: number): { width: number; height: number } {
  const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
  if (process.env.UPDATE_SCREENSHOT === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, shot);
  }
  const committed = fs.readFileSync(file);
  expect(size(shot).width).toBe(VIEWPORT.width);
  expect(size(committed).width).toBe(size(shot).width);
  expect(Math.abs(size(committed).height - size(shot).height)).toBeLessThan(size(shot).height * 0.05);
  expect(shot.length).toBeGreaterThan(minBytes);
  expect(committed.length).toBeGreaterThan(minBytes);
  return size(shot);
}

const shared: Shared = {
  context: () => context,
  callsFile: () => callsFile,
  consoleErrors,
  refused,
  records,
  now: NOW,
  compareScreenshot,
  imagesDir: path.dirname(SCREENSHOT),
};
callBrowserTests(shared);
