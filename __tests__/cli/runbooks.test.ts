/**
 * Every CloudWatch alarm of the synthesized stacks links its runbook section: its description ends with
 * `Runbook: docs/runbooks.md#<anchor>`, the anchor is one of modules/constructs/runbooks.ts and is a section
 * heading of docs/runbooks.md. The runbooks cover guide §15.A-E and use the `cci` command for diagnosis.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RUNBOOK, RUNBOOKS_DOC } from "../../modules/constructs/runbooks";
import { synthApp, synthBootstrap } from "../helpers/synth";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", RUNBOOKS_DOC), "utf8");
/** GitHub's anchor of a section heading (`## Queue age` is `#queue-age`; the headings are plain words). */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/\s+/g, "-");
/** Each runbook section (a `## ` heading and its text), by anchor. */
const sections = new Map(
  doc
    .split(/^(?=## )/m)
    .slice(1)
    .map((s) => [slug(s.slice(3, s.indexOf("\n"))), s] as const),
);
const anchors = new Set(sections.keys());

describe("alarm descriptions link their runbook", () => {
  const stacks = { app: synthApp(), bootstrap: synthBootstrap() };
  it.each(Object.entries(stacks))("every alarm of the %s stack", (_name, stack) => {
    const alarms = Object.entries(stack.resources("aws_cloudwatch_metric_alarm"));
    for (const [id, alarm] of alarms) {
      const m = /Runbook: docs\/runbooks\.md#([a-z0-9-]+)$/.exec(alarm.alarm_description ?? "");
      expect({ id, link: m?.[1] }).toEqual({ id, link: expect.any(String) });
      expect(Object.values(RUNBOOK)).toContain(m?.[1]);
      expect(anchors).toContain(m?.[1]);
      expect(alarm.alarm_description.length).toBeLessThanOrEqual(1024);
    }
  });
  it("the application stack has its alarms (the check above is not vacuous)", () => {
    expect(Object.keys(stacks.app.resources("aws_cloudwatch_metric_alarm")).length).toBeGreaterThanOrEqual(15);
  });
});

describe("docs/runbooks.md", () => {
  it("has a section for every anchor of modules/constructs/runbooks.ts and the design's additions", () => {
    for (const a of [...Object.values(RUNBOOK), "budget-alert", "paused-processing", "key-access-denied", "athena-columns-missing"])
      expect(anchors).toContain(a);
  });
  it("covers guide §15.A-E", () => {
    for (const s of ["15.A", "15.B", "15.C", "15.D", "15.E"]) expect(doc).toContain(`*Guide §${s}, `);
  });
  it("every section has symptom, diagnosis, fix and verify, and diagnoses with cci", () => {
    for (const [anchor, text] of sections) {
      for (const part of ["**Symptom.**", "**Diagnosis.**", "**Fix.**", "**Verify.**"])
        expect({ anchor, has: text.includes(part) }).toEqual({ anchor, has: true });
      expect({ anchor, cci: /`cci [a-z]+/.test(text) || anchor === "paused-processing" }).toEqual({ anchor, cci: true });
    }
  });
  it("every in-document link points at an anchor", () => {
    for (const m of doc.matchAll(/\]\(#([a-z0-9-]+)\)/g)) expect(anchors).toContain(m[1]);
  });
});
