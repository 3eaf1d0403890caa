/**
 * The call browser (scripts/report/calls-html.ts) as a person sees it, in the Chromium of browser.test.ts: the list,
 * its filters and search, a call's page (summary, categories with what matched, sentiment per speaker, why the
 * transcript is not shown), an axe-core scan of both with 0 violations, and two screenshots for the README.
 * Expected numbers are counted from the sample's records directly, never from the page's own model.
 */
import * as path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { manualClock } from "../../lambda-src/core/clock";
import { runReport } from "../../scripts/report/index";

export interface Shared {
  readonly context: () => BrowserContext;
  readonly callsFile: () => string;
  readonly consoleErrors: string[];
  readonly refused: string[];
  readonly records: readonly CallResult[];
  /** The report's clock. */
  readonly now: string;
  readonly compareScreenshot: (shot: Buffer, file: string, minBytes: number) => { width: number; height: number };
  readonly imagesDir: string;
}

type Sample = CallResult & { readonly categories?: ReadonlyArray<{ readonly name: string; readonly matched_by: readonly string[] }> };

export function callBrowserTests(s: Shared): void {
  describe("the call browser in Chromium", () => {
    let page: Page;
    const calls = (s.records as readonly Sample[]).filter((r) => !r.rejected_file);
    const kept = (r: CallResult) => Date.parse(r.timestamp) + 7 * 86_400_000 > Date.parse(s.now);
    /** The call the page tests open: the newest completed acme call with a summary and a category, not expired. */
    const chosen = calls
      .filter((r) => r.tenant === "acme" && r.status === "COMPLETED" && r.summary && r.categories?.length && kept(r))
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
    const rows = () => page.locator("#call-rows tr");
    const count = () => page.locator("#match-count").innerText();
    const column = async (i: number) => (await page.locator(`#call-rows tr td:nth-child(${i})`).allInnerTexts()).map((t) => t.trim());
    const open = async (hash: string) => {
      await page.evaluate((h) => {
        (globalThis as any).location.hash = h;
      }, hash);
      await page.waitForFunction((h) => (globalThis as any).location.hash === h && !(globalThis as any).document.getElementById("call-view").hidden, hash);
    };
    const axe = async () => {
      // axe-core's own source, evaluated in the page (not a script element: the page's CSP admits no other script).
      const { source } = jest.requireActual("axe-core") as { source: string };
      await page.evaluate(source);
      return page.evaluate(async () => {
        const r = await (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ["violations"] });
        return {
          passed: r.passes.length as number,
          violations: r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")) })),
        };
      });
    };
    /** No violation, and the scan really ran: rules passed (color contrast, labels, landmarks, table headers…). */
    const expectAccessible = async () => {
      const { passed, violations } = await axe();
      expect(violations).toEqual([]);
      expect(passed).toBeGreaterThan(15);
    };

    beforeAll(async () => {
      page = await s.context().newPage();
      page.on("console", (m) => {
        if (m.type() === "error") s.consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => s.consoleErrors.push(String(e)));
      await page.goto(`file://${s.callsFile()}`);
      await page.waitForSelector("body[data-rendered=true]", { timeout: 20_000 });
    }, 60_000);
    afterAll(() => page?.close());

    it("lists every call, newest first, 50 a page, without a console error or a network request", async () => {
      expect(await count()).toBe(`${calls.length} of ${calls.length} calls match; showing 1–50`);
      expect(await rows().count()).toBe(50);
      const newest = [...calls].sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
      expect(await rows().first().innerText()).toContain(newest.call_id);
      await page.click("#next-page");
      expect(await count()).toContain("showing 51–100");
      await page.click("#prev-page");
      expect(s.consoleErrors).toEqual([]);
      expect(s.refused).toEqual([]);
    });

    it("filters by category and status: the rows are exactly the sample's completed billing calls", async () => {
      await page.selectOption("#f-category", "billing");
      await page.selectOption("#f-status", "COMPLETED");
      const expected = calls.filter((r) => r.status === "COMPLETED" && r.categories?.some((c) => c.name === "billing"));
      expect(expected.length).toBeGreaterThan(3);
      expect(await count()).toMatch(new RegExp(`^${expected.length} of ${calls.length} calls match`));
      expect(new Set(await column(3))).toEqual(new Set(expected.map((r) => r.call_id)));
      for (const c of await column(6)) expect(c.split(", ")).toContain("billing");
    });

    it("filters by tenant, date range and sentiment, and searches the summaries", async () => {
      await page.click("button[type=reset]");
      await page.waitForFunction(() => (globalThis as any).document.getElementById("f-category").value === "");
      await page.selectOption("#f-tenant", "globex");
      await page.fill("#f-from", "2026-11-03");
      await page.fill("#f-to", "2026-11-05");
      await page.selectOption("#f-sentiment", "NEGATIVE");
      const inRange = (r: CallResult) => r.tenant === "globex" && r.uploaded_at!.slice(0, 10) >= "2026-11-03" && r.uploaded_at!.slice(0, 10) <= "2026-11-05";
      const negative = calls.filter((r) => inRange(r) && r.sentiment?.Sentiment === "NEGATIVE");
      expect(await count()).toMatch(new RegExp(`^${negative.length} of `));
      await page.click("button[type=reset]");
      await page.fill("#f-search", "Refund");
      const refund = calls.filter((r) => [r.summary ?? "", ...r.action_items, ...r.risks].join(" ").toLowerCase().includes("refund"));
      expect(refund.length).toBeGreaterThan(3);
      expect(await count()).toMatch(new RegExp(`^${refund.length} of `));
      await page.fill("#f-search", "no such words anywhere");
      expect(await count()).toBe(`0 of ${calls.length} calls match`);
      await page.click("button[type=reset]");
      await page.waitForFunction((n) => (globalThis as any).document.getElementById("match-count").textContent.startsWith(`${n} of`), calls.length);
    });

    it("screenshot: the list, docs/images/calls-list.png", async () => {
      s.compareScreenshot(await page.screenshot(), path.join(s.imagesDir, "calls-list.png"), 40_000);
    });

    it("axe-core: the list has no violations", async () => {
      await expectAccessible();
    });

    it("opens a call from the list: summary, action items, risks, categories with what matched, sentiment per speaker", async () => {
      await page.fill("#f-search", chosen.call_id);
      await page.click(`#call-rows a:text-is("${chosen.call_id}")`);
      await page.waitForSelector("#call-title");
      expect(await page.locator("#call-title").innerText()).toBe(`Call ${chosen.call_id}`);
      // Focus moves to the call's heading (a screen reader announces the new page).
      expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe("call-title");
      expect(await page.title()).toBe(`Call ${chosen.call_id} · CCI Lite calls`);
      expect(await page.locator("#call-summary").innerText()).toBe(chosen.summary);
      const text = await page.locator("#call-view").innerText();
      // As rendered: HTML collapses runs of spaces (the sample has "issue  refund").
      for (const item of [...chosen.action_items, ...chosen.risks]) expect(text).toContain(item.replace(/\s+/g, " "));
      const categories = await page.locator("#call-categories li").allInnerTexts();
      expect(categories).toEqual(chosen.categories!.map((c) => `${c.name} — matched by ${c.matched_by.join("; ")}`));
      const speakers = await page.locator("#speaker-table tbody tr").allInnerTexts();
      expect(speakers.map((r) => r.split("\t")[0])).toEqual(["customer (ch_0)", "agent (ch_1)"]);
      chosen.speakers.forEach((sp, i) => {
        expect(speakers[i]).toContain(sp.sentiment!.Sentiment);
      });
    });

    it("says the transcript is not available to the reader (the report was made without --transcripts)", async () => {
      expect(await page.locator("#transcript-status").innerText()).toMatch(
        /^The transcript is not available to the reader of this report: it was made without --transcripts\. Only principals in access\.transcriptReaders/,
      );
      expect(await page.locator("ol.turns").count()).toBe(0);
    });

    it("screenshot: the call's page, docs/images/call-page.png", async () => {
      s.compareScreenshot(await page.screenshot({ fullPage: true }), path.join(s.imagesDir, "call-page.png"), 40_000);
    });

    it("axe-core: the call's page has no violations", async () => {
      await expectAccessible();
    });

    it("an expired transcript says so, with its date; a failed call shows its error", async () => {
      const old = calls.find((r) => r.status === "COMPLETED" && !kept(r))!;
      await open(`#/call/${old.tenant}/${old.call_id}`);
      expect(await page.locator("#transcript-status").innerText()).toMatch(
        /^The transcript has expired: transcripts are kept 7 days \(retention\.transcriptsDays\), this one until 2026-11-\d\d\.$/,
      );
      const failed = calls.find((r) => r.status === "FAILED")!;
      await open(`#/call/${failed.tenant}/${failed.call_id}`);
      expect(await page.locator("#call-error").innerText()).toBe(`${failed.error!.code}: ${failed.error!.message}`);
      expect(await page.locator("#transcript-status").innerText()).toBe("This call has no transcript: it failed (see the error above).");
    });

    it("made with --transcripts (a transcript reader's run), the call's page shows the transcript turns", async () => {
      const file = path.join(path.dirname(s.callsFile()), "with-transcripts.html");
      const made = await runReport(["--sample", "--transcripts", "--out", file], { clock: manualClock(s.now) });
      const reader = await s.context().newPage();
      try {
        await reader.goto(`file://${made.callsOut}#/call/${chosen.tenant}/${chosen.call_id}`);
        await reader.waitForSelector("ol.turns li");
        const turns = await reader.locator("ol.turns li").allInnerTexts();
        expect(turns.map((t) => t.split("\n")[0])).toEqual(["agent (ch_1)", "customer (ch_0)", "agent (ch_1)", "customer (ch_0)"]);
        expect(turns[1]).toContain(chosen.summary);
        expect(await reader.locator("#transcript-status").count()).toBe(0);
      } finally {
        await reader.close();
      }
    });

    it("back to the list: the list again, filters as they were (the search for the chosen call)", async () => {
      await page.click("text=← All calls");
      await page.waitForFunction(() => !(globalThis as any).document.getElementById("list-view").hidden);
      expect(await page.inputValue("#f-search")).toBe(chosen.call_id);
      expect(await column(3)).toEqual([chosen.call_id]);
      expect(await page.title()).toBe("CCI Lite calls");
      expect(s.consoleErrors).toEqual([]);
      expect(s.refused).toEqual([]);
    });
  });
}
