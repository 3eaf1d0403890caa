/** The call browser without a browser: its model, its transcript states and sources, the page's self-containment. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { manualClock } from "../../lambda-src/core/clock";
import { CALLS_CSP, renderCallsHtml } from "../../scripts/report/calls-html";
import { buildCallsModel, type CallsOptions, categoriesOf, transcriptOf, transcriptTurns } from "../../scripts/report/calls-model";
import { callsPath, runReport, writeSample } from "../../scripts/report/index";
import { datedResult } from "../../scripts/report/load";
import { generateSample } from "../../scripts/report/sample";
import { sampleTranscript } from "../../scripts/report/sample-transcripts";
import { bucketTranscripts } from "../../scripts/report/transcripts";

/** Three days after the sample's last day: its last four days' transcripts are kept (7 days), the older ones expired. */
const NOW = "2026-11-17T12:00:00.000Z";
const sample = generateSample();
const rows = sample.map((r) => datedResult(r.key, JSON.stringify(r.result)));
const completed = rows.filter((r) => r.result.status === "COMPLETED" && !r.result.rejected_file);
/** Kept: written less than 7 days before NOW (the sample has no job completion time, so the record's time counts). */
const kept = (r: (typeof rows)[number]) => Date.parse(r.result.timestamp) + 7 * 86_400_000 > Date.parse(NOW);
const recent = completed.filter(kept);
const old = completed.filter((r) => !kept(r));
const opts = (o: Partial<CallsOptions> = {}): CallsOptions => ({ source: "test", generatedAt: NOW, transcriptsDays: 7, ...o });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "cci-calls-"));

describe("categories, read defensively", () => {
  it.each([
    [{}, []],
    [{ categories: null }, []],
    [{ categories: "billing" }, []],
    [{ categories: [{ name: 3 }, null, { name: "billing" }] }, [{ name: "billing", matched_by: [] }]],
    [{ categories: [{ name: "x", matched_by: ["summary: refund*", 7] }] }, [{ name: "x", matched_by: ["summary: refund*"] }]],
  ])("%j -> %j", (record, expected) => {
    expect(categoriesOf(record)).toEqual(expected);
  });

  it("the sample's completed calls carry categories with what matched; others none", () => {
    const model = buildCallsModel(rows, opts());
    expect(model.categories).toEqual(expect.arrayContaining(["billing", "at risk", "unhappy", "rechnung", "facturación"]));
    const billing = model.calls.find((c) => c.categories.some((k) => k.name === "billing"));
    expect(billing?.summary?.toLowerCase()).toMatch(/invoice|billing|refund/);
    expect(billing?.categories.find((k) => k.name === "billing")?.matched_by[0]).toMatch(/^summary: /);
    expect(model.calls.filter((c) => c.status !== "COMPLETED").every((c) => c.categories.length === 0)).toBe(true);
  });
});

describe("transcript states", () => {
  it("none for failed and rejected calls; expired after transcriptsDays (the date it went); not permitted without --transcripts", () => {
    const failed = rows.find((r) => r.result.status === "FAILED")!;
    expect(transcriptOf(failed, opts()).state).toBe("none");
    expect(transcriptOf(old[0], opts())).toEqual({ state: "expired", expiredOn: expect.stringMatching(/^2026-11-\d\d$/) });
    expect(transcriptOf(recent[0], opts())).toEqual({ state: "not-permitted" });
    // A longer retention keeps the old one: it is then merely not permitted.
    expect(transcriptOf(old[0], opts({ transcriptsDays: 30 })).state).toBe("not-permitted");
  });

  it("with --transcripts: shown as turns, missing, or refused (not permitted)", () => {
    const r = recent[0];
    const id = `${r.tenant}/${r.result.transcription_job_name}`;
    const shown = transcriptOf(r, opts({ transcripts: new Map([[id, { doc: sampleTranscript(r.result) }]]) }));
    expect(shown.state).toBe("shown");
    expect(shown.turns?.map((t) => t.text)).toContain(r.result.summary ?? "I have a question about my account.");
    expect(transcriptOf(r, opts({ transcripts: new Map() })).state).toBe("missing");
    expect(transcriptOf(r, opts({ transcripts: new Map([[id, { problem: "not-permitted" as const }]]) })).state).toBe("not-permitted");
  });

  it("turns name the role for channel-identified calls and the label for speaker labels", () => {
    const stereo = completed.find((r) => r.result.speaker_mode === "channel_identification")!.result;
    expect(transcriptTurns(sampleTranscript(stereo)).map((t) => t.speaker)).toEqual(["agent (ch_1)", "customer (ch_0)", "agent (ch_1)", "customer (ch_0)"]);
    const mono = completed.find((r) => r.result.speaker_mode === "speaker_labels")!.result;
    const turns = transcriptTurns(sampleTranscript(mono));
    expect(turns.map((t) => t.speaker)).toEqual(["spk_0", "spk_1", "spk_0", "spk_1"]);
    expect(turns[0].text).toBe("Vielen Dank für Ihren Anruf, wie kann ich helfen?");
  });
});

describe("the model", () => {
  it("lists every call newest first, rejected files apart; speakers with roles and scores", () => {
    const model = buildCallsModel(rows, opts());
    const calls = rows.filter((r) => !r.result.rejected_file);
    expect(model.calls).toHaveLength(calls.length);
    expect(model.files).toBe(rows.length - calls.length);
    expect(model.tenants).toEqual(["acme", "globex", "initech"]);
    const times = model.calls.map((c) => c.timestamp);
    expect(times).toEqual([...times].sort().reverse());
    const stereo = model.calls.find((c) => c.tenant === "acme" && c.status === "COMPLETED")!;
    expect(stereo.speakers.map((s) => s.role)).toEqual(["customer", "agent"]);
    expect(stereo.speakers[0].score).not.toBeNull();
    const failed = model.calls.find((c) => c.status === "FAILED")!;
    expect(failed.error).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String), kind: "call" });
    expect(model.calls.find((c) => c.status === "COMPLETED" && c.error)?.error?.kind).toBe("summary");
  });
});

describe("the page", () => {
  const html = renderCallsHtml(buildCallsModel(rows, opts()), "report.html");

  it("is self-contained: no external script, style or link; its CSP fetches nothing and runs only its own script (by hash)", () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(CALLS_CSP).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'unsafe-inline'; img-src data:;/);
    expect(/script-src ([^;]*)/.exec(CALLS_CSP)![1]).not.toContain("unsafe");
    expect(html).toContain(`content="${CALLS_CSP}"`);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(CALLS_CSP).toContain(`'sha256-${createHash("sha256").update(scripts[0]).digest("base64")}'`);
  });

  it("record text cannot break out of the data element", () => {
    const [first] = sample;
    const evil = { ...first.result, status: "COMPLETED" as const, summary: "</script><script>alert(1)</script>" };
    const page = renderCallsHtml(buildCallsModel([datedResult(first.key, JSON.stringify(evil))], opts()), "r.html");
    expect(page).not.toContain("</script><script>alert(1)");
    expect(page).toContain("\\u003c/script>\\u003cscript>alert(1)");
  });
});

describe("npm run report writes the call browser next to the aggregate page", () => {
  const clock = manualClock(NOW);
  const transcriptStates = (file: string) => {
    const html = fs.readFileSync(file, "utf8");
    const data = JSON.parse(/<script type="application\/json" id="calls-data">(.*?)<\/script>/s.exec(html)![1]);
    const states: Record<string, number> = {};
    for (const c of data.calls) states[c.transcript.state] = (states[c.transcript.state] ?? 0) + 1;
    return states;
  };

  it("report.html -> report-calls.html, linked both ways; without --transcripts no transcript is shown", async () => {
    expect(callsPath("out/x.html")).toBe(path.join("out", "x-calls.html"));
    const out = path.join(tmp(), "report.html");
    const r = await runReport(["--sample", "--out", out], { clock });
    expect(r.callsOut).toBe(path.join(path.dirname(out), "report-calls.html"));
    expect(r.html).toContain('<a href="report-calls.html">Browse the calls</a>');
    expect(r.callsHtml).toContain('<a href="report.html">Aggregate report</a>');
    const states = transcriptStates(r.callsOut);
    expect(states.shown).toBeUndefined();
    expect(states["not-permitted"]).toBe(recent.length);
    expect(states.expired).toBeGreaterThan(0);
  });

  it("--transcripts: the sample's, and a folder's under tmp/ (as synced from the bucket); a missing one is missing", async () => {
    const a = await runReport(["--sample", "--transcripts", "--out", path.join(tmp(), "a.html")], { clock });
    expect(transcriptStates(a.callsOut).shown).toBe(recent.length);
    const dir = tmp();
    writeSample(dir);
    const gone = recent[0];
    fs.rmSync(path.join(dir, "tmp", gone.tenant, `${gone.result.transcription_job_name}.json`));
    const b = await runReport(["--from", dir, "--transcripts", "--out", path.join(tmp(), "b.html")], { clock });
    expect(transcriptStates(b.callsOut)).toMatchObject({ shown: recent.length - 1, missing: 1 });
  });

  it("from the bucket: found, missing (NoSuchKey) or refused (AccessDenied), expired ones never read", async () => {
    const s3 = mockClient(S3Client);
    const [found, missing, denied] = recent;
    const keyOf = (r: (typeof recent)[number]) => `tmp/${r.tenant}/${r.result.transcription_job_name}.json`;
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key === keyOf(found)) return { Body: { transformToString: async () => JSON.stringify(sampleTranscript(found.result)) } };
      throw Object.assign(new Error("x"), { name: input.Key === keyOf(denied) ? "AccessDenied" : "NoSuchKey" });
    });
    const got = await bucketTranscripts(new S3Client({ region: "eu-central-1" }), "b", [...old, found, missing, denied], NOW, 7);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(3);
    const states = [found, missing, denied].map((r) => transcriptOf(r, opts({ transcripts: got })).state);
    expect(states).toEqual(["shown", "missing", "not-permitted"]);
    s3.restore();
  });

  it("--transcripts-days must be a whole number", async () => {
    await expect(runReport(["--sample", "--transcripts-days", "x"], { clock })).rejects.toThrow('--transcripts-days must be a whole number of days, got "x"');
  });
});
