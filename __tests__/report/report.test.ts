/** `npm run report` without a browser: the sample, the loaders, the figures, the page's self-containment. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { RESULT_COLUMNS, RESULT_PARTITION_KEYS } from "../../lambda-src/contracts/result-schema";
import { manualClock } from "../../lambda-src/core/clock";
import { datedResult, daysBetween, loadFolder } from "../../scripts/report/load";
import { buildModel } from "../../scripts/report/model";
import { renderHtml } from "../../scripts/report/html";
import { runReport, UsageError, writeSample } from "../../scripts/report/index";
import { generateSample, SAMPLE_TENANTS } from "../../scripts/report/sample";

/** The report's clock: what its "generated" line says, never the machine's time. */
const clock = manualClock("2031-07-01T08:00:00Z");

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "cci-report-"));

describe("generated sample", () => {
  const sample = generateSample();

  it("is deterministic", () => {
    expect(JSON.stringify(generateSample())).toBe(JSON.stringify(sample));
    expect(JSON.stringify(generateSample({ seed: 8 }))).not.toBe(JSON.stringify(sample));
  });

  it("conforms to the result schema: exactly the table's columns and the tenant, in the bucket's layout", () => {
    // `categories` (issue 23): in the sample whether or not the result schema has its column yet.
    const keys = [...new Set([...RESULT_COLUMNS.map((c) => c.name), RESULT_PARTITION_KEYS[0].name, "categories"])].sort();
    for (const { key, result } of sample) {
      expect(Object.keys(result).sort()).toEqual(keys);
      expect(key).toBe(`${result.tenant}/${result.uploaded_at!.slice(0, 10).replace(/-/g, "/")}/${result.call_id}.json`);
      expect(["COMPLETED", "FAILED", "REJECTED"]).toContain(result.status);
      if (result.status !== "COMPLETED") expect(result.error?.code).toMatch(/^[A-Z_]+$/);
    }
  });

  it("covers several tenants and languages, both speaker modes, model sentiment, failures, rejections and summary errors", () => {
    expect(new Set(sample.map((r) => r.result.tenant))).toEqual(new Set(SAMPLE_TENANTS.map((t) => t.id)));
    expect(new Set(sample.map((r) => r.result.language_code).filter(Boolean))).toEqual(new Set(["en-US", "de-DE", "es-ES"]));
    expect(new Set(sample.map((r) => r.result.speaker_mode).filter(Boolean))).toEqual(new Set(["channel_identification", "speaker_labels"]));
    expect(sample.some((r) => r.result.sentiment_source === "model")).toBe(true);
    for (const s of ["FAILED", "REJECTED"]) expect(sample.some((r) => r.result.status === s)).toBe(true);
    expect(sample.some((r) => r.result.summary_error)).toBe(true);
    // Recorder sidecars: file records at their own key, never a call's.
    const files = sample.filter((r) => r.result.rejected_file);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.key).toMatch(/\/file!.+\.json\.json$/);
      expect(f.result).toMatchObject({ status: "REJECTED", error: { code: "UNSUPPORTED_FORMAT" } });
    }
    expect(new Set(sample.map((r) => r.key)).size).toBe(sample.length);
  });
});

describe("figures", () => {
  const rows = generateSample().map((r) => datedResult(r.key, JSON.stringify(r.result)));
  const model = buildModel(rows, { source: "test", generatedAt: "2026-11-30T00:00:00Z" });

  it("totals and calls per day match the records counted directly; rejected files are not calls", () => {
    const calls = rows.filter((r) => !r.result.rejected_file);
    const files = rows.length - calls.length;
    expect(files).toBeGreaterThan(0);
    const count = (s: string) => calls.filter((r) => r.result.status === s).length;
    expect(model.totals).toEqual({
      calls: calls.length,
      completed: count("COMPLETED"),
      failed: count("FAILED"),
      rejected: count("REJECTED"),
      files,
      meanScore: model.totals.meanScore,
    });
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(model.callsByDay.COMPLETED) + sum(model.callsByDay.FAILED) + sum(model.callsByDay.REJECTED)).toBe(calls.length);
    expect(model.latestCalls.some((c) => c.callId.startsWith("file!"))).toBe(false);
    expect(model.days).toHaveLength(14);
  });

  it("failures add up to failed + rejected + summary errors + rejected files (status FILE); stop words never are top terms", () => {
    const summaryErrors = rows.filter((r) => r.result.summary_error).length;
    expect(model.failures.reduce((a, f) => a + f.calls, 0)).toBe(model.totals.failed + model.totals.rejected + summaryErrors + model.totals.files);
    expect(model.failures.filter((f) => f.status === "FILE")).toEqual([{ status: "FILE", code: "UNSUPPORTED_FORMAT", calls: model.totals.files }]);
    const terms = model.topTerms.map((t) => t.term);
    for (const stop of ["the", "der", "que", "customer", "kunde", "cliente"]) expect(terms).not.toContain(stop);
    expect(terms).toContain("refund");
    expect(model.topActionItems.find((i) => i.item === "issue refund")).toBeDefined();
  });

  it("the mean score is weighted by scored calls (model-sourced sentiment has none)", () => {
    const scored = rows.filter((r) => r.result.status === "COMPLETED" && r.result.sentiment?.SentimentScore);
    const mean = scored.reduce((a, r) => a + r.result.sentiment!.SentimentScore!.Positive - r.result.sentiment!.SentimentScore!.Negative, 0) / scored.length;
    expect(model.totals.meanScore).toBeCloseTo(mean, 10);
    expect(model.sentimentByTenant.initech.every((v) => v === null)).toBe(true);
  });
});

describe("the page", () => {
  it("is self-contained: Chart.js inline, no external script, style or link, a CSP that forbids fetching", () => {
    const html = renderHtml(buildModel([], { source: "empty", generatedAt: "2026-11-30T00:00:00Z" }));
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain("Chart.js v4.5.1");
  });

  it("summaries cannot break out of the page's script elements", () => {
    const [first] = generateSample();
    const evil = { ...first.result, status: "COMPLETED" as const, summary: "</script><script>alert(1)</script><!--" };
    const html = renderHtml(buildModel([datedResult(first.key, JSON.stringify(evil))], { source: "x", generatedAt: "2026-11-30T00:00:00Z" }), "/* chart */");
    expect(html).not.toContain("</script><script>alert(1)");
    expect(html).toContain("\\u003c/script>\\u003cscript>alert(1)");
  });
});

describe("loading", () => {
  it("a folder in the bucket's layout gives the same records as the sample (tenant and day from the key)", () => {
    const dir = tmp();
    expect(writeSample(dir)).toBe(generateSample().length);
    const loaded = loadFolder(dir);
    expect(loaded).toHaveLength(generateSample().length);
    expect(loaded[0]).toMatchObject({ tenant: "acme", day: "2026-11-01" });
  });

  it("names the file of a record that is not one", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "x.json"), "{}");
    expect(() => loadFolder(dir)).toThrow("x.json: not a result record (no status or call_id)");
    fs.writeFileSync(path.join(dir, "x.json"), "{");
    expect(() => loadFolder(dir)).toThrow(/^x\.json: not JSON/);
  });

  it("date ranges are checked", () => {
    expect(daysBetween("2026-11-30", "2026-12-02")).toEqual(["2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(() => daysBetween("2026-12-02", "2026-11-30")).toThrow("is not a date range");
    expect(() => daysBetween("2026/12/02", "2026-11-30")).toThrow("dates must be yyyy-mm-dd");
  });
});

describe("npm run report", () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it("--env reads one tenant's days from the configured results bucket with the caller's credentials", async () => {
    const sample = generateSample().filter((r) => r.key.startsWith("acme/2026/11/0"));
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
      Contents: sample.filter((r) => r.key.startsWith(input.Prefix)).map((r) => ({ Key: r.key })),
      IsTruncated: false,
    }));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      // The SDK's body: only what the loader uses.
      Body: { transformToString: async () => JSON.stringify(sample.find((r) => r.key === input.Key)!.result) },
    }));
    const out = path.join(tmp(), "r.html");
    const r = await runReport(["--env", "prod", "--tenant", "acme", "--since", "2026-11-01", "--until", "2026-11-03", "--out", out], {
      s3: () => new S3Client({ region: "eu-central-1" }),
      configDir: path.join(__dirname, "fixtures"),
      clock,
    });
    const lists = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(lists.map((l) => [l.Bucket, l.Prefix])).toEqual([
      ["cci-lite-prod-results-111122223333-eu-central-1", "acme/2026/11/01/"],
      ["cci-lite-prod-results-111122223333-eu-central-1", "acme/2026/11/02/"],
      ["cci-lite-prod-results-111122223333-eu-central-1", "acme/2026/11/03/"],
    ]);
    const read = sample.filter((x) => x.key < "acme/2026/11/04");
    expect(r.calls).toBe(read.filter((x) => !x.result.rejected_file).length);
    expect(r.files).toBe(1); // the sidecar of 2026-11-02's first call
    expect(r.calls + r.files).toBe(read.length);
    expect(fs.readFileSync(out, "utf8")).toContain("s3://cci-lite-prod-results-111122223333-eu-central-1/acme/ 2026-11-01..2026-11-03");
    // Generated at the time of the clock it was given.
    expect(r.html).toContain('"generatedAt":"2031-07-01T08:00:00.000Z"');
  });

  it.each([
    [[], "give exactly one of --sample, --from <folder>, --env <environment>"],
    [["--smaple"], "Unknown option '--smaple'"],
    [["--from"], "Option '--from <value>' argument missing"],
    [["--sample", "--from", "x"], "give exactly one of"],
    [["--env", "prod", "--tenant", "acme"], "--env needs --tenant, --since yyyy-mm-dd and --until yyyy-mm-dd"],
    [
      ["--env", "prod", "--tenant", "nobody", "--since", "2026-11-01", "--until", "2026-11-01"],
      'tenant "nobody" is not in config/prod.json (have: acme, globex, initech, unassigned)',
    ],
  ])("usage error %j", async (argv, message) => {
    await expect(runReport(argv, { configDir: path.join(__dirname, "fixtures"), clock })).rejects.toThrow(message);
    await expect(runReport(argv, { configDir: path.join(__dirname, "fixtures"), clock })).rejects.toBeInstanceOf(UsageError);
  });

  it("--help prints the usage with examples and writes nothing", async () => {
    const r = await runReport(["--help"], { clock });
    expect(r.help).toMatch(/^usage: npm run report -- \(--sample \| --from <folder> \| --env <environment>/);
    expect(r.help).toContain("npm run report -- --env prod --tenant acme --since 2026-11-01 --until 2026-11-14");
    expect(r.html).toBe("");
  });
});
