/**
 * The alarm catalogue's runbook table (modules/constructs/runbooks.ts) against docs/runbooks.md, without
 * synthesizing: every anchor an alarm can link to is a section heading of the document.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RUNBOOK, RUNBOOKS_DOC, type RunbookKey, runbookRef } from "../../modules/constructs/runbooks";
import { headingAnchors, missingAnchors } from "../helpers/markdown";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", RUNBOOKS_DOC), "utf8");

describe("runbook anchors", () => {
  it("every anchor of the RUNBOOK table is a heading of docs/runbooks.md", () => {
    expect(missingAnchors(doc, Object.values(RUNBOOK))).toEqual([]);
  });

  it("the checker names an anchor whose heading is missing (it can fail)", () => {
    const withoutQueueAge = doc.replace(/^## Queue age$/m, "## Something else");
    expect(withoutQueueAge).not.toBe(doc);
    expect(missingAnchors(withoutQueueAge, Object.values(RUNBOOK))).toEqual([RUNBOOK.queueAge]);
    expect(missingAnchors("# Runbooks\n\nNo sections.\n", ["jobs-stuck", "queue-age"])).toEqual(["jobs-stuck", "queue-age"]);
  });

  it("reads GitHub's anchors from headings only, not from code blocks or prose", () => {
    const fake = "# Runbooks\n## Jobs stuck\nqueue-age\n```\n## Queue age\n```\n### Function errors (guide §15.B)\n";
    expect([...headingAnchors(fake)]).toEqual(["runbooks", "jobs-stuck", "function-errors-guide-15b"]);
    expect(missingAnchors(fake, ["jobs-stuck", "queue-age"])).toEqual(["queue-age"]);
  });

  it("the anchors are distinct, and an alarm's link is the anchor of its key", () => {
    const anchors = Object.values(RUNBOOK);
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const key of Object.keys(RUNBOOK) as RunbookKey[]) expect(runbookRef(key)).toBe(` Runbook: docs/runbooks.md#${RUNBOOK[key]}`);
  });
});
