/**
 * Plan JSON -> summary and Markdown, against the REAL offline plan of the default configuration
 * (__tests__/helpers/offline-plan.ts), plus variations derived from it.
 */
import { loadOfflinePlan, type LoadedPlan } from "../helpers/offline-plan";
import { countsLine, planCommentMarker, renderPlanFailure, renderPlanMarkdown, summarizePlan, type PlanJson } from "../../scripts/delivery/plan-summary";
import { codeBlock, fenceFor, GITHUB_BODY_LIMIT, truncateText } from "../../scripts/delivery/truncate";
import { parseCheckovReport } from "../../scripts/delivery/scan";

jest.setTimeout(600_000);

const RUN_URL = "https://github.com/acme/cci-lite/actions/runs/123";
let prod: LoadedPlan;
let bootstrap: LoadedPlan;

beforeAll(() => {
  prod = loadOfflinePlan("cci-lite-prod");
  bootstrap = loadOfflinePlan("bootstrap-prod");
});

/** Terraform's own "Plan: X to add, Y to change, Z to destroy." line from `terraform show -no-color`. */
function terraformCounts(text: string): { add: number; change: number; destroy: number } {
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(text);
  if (!m) throw new Error("no Plan: line in the plan text");
  return { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) };
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

describe("summarizePlan on the real offline plans", () => {
  test.each(["cci-lite-prod", "bootstrap"])("%s: counts match Terraform's own Plan: line", (stack) => {
    const plan = stack === "bootstrap" ? bootstrap : prod;
    const s = summarizePlan(plan.json);
    expect({ add: s.add, change: s.change, destroy: s.destroy }).toEqual(terraformCounts(plan.text));
    expect(s.add).toBeGreaterThan(0);
    expect(s.hasChanges).toBe(true);
    expect(s.errored).toBe(false);
    expect(s.terraformVersion).toMatch(/^1\.11\./);
    // Every managed resource the plan creates is listed once, in plan order.
    const creates = (plan.json.resource_changes as PlanJson["resource_changes"])!.filter((rc) => rc.change.actions.join() === "create");
    expect(s.resources.map((r) => r.address)).toEqual(creates.map((rc) => rc.address));
    expect(s.resources.every((r) => r.action === "create")).toBe(true);
  });

  test("data sources (read) and no-ops are not listed", () => {
    const json = clone(prod.json) as PlanJson;
    const rcs = json.resource_changes!;
    rcs[0]!.change.actions = ["no-op"];
    rcs[1]!.change.actions = ["read"];
    const s = summarizePlan(json);
    expect(s.resources.map((r) => r.address)).not.toContain(rcs[0]!.address);
    expect(s.resources.map((r) => r.address)).not.toContain(rcs[1]!.address);
    expect(s.add).toBe(rcs.length - 2);
  });

  test("replace counts once in add and once in destroy; updates and deletes are counted; destructive first", () => {
    const json = clone(prod.json) as PlanJson;
    const rcs = json.resource_changes!;
    rcs[0]!.change.actions = ["delete", "create"];
    rcs[1]!.change.actions = ["create", "delete"];
    rcs[2]!.change.actions = ["update"];
    rcs[3]!.change.actions = ["delete"];
    const s = summarizePlan(json);
    expect(s.replace).toBe(2);
    expect(s.destroy).toBe(3);
    expect(s.change).toBe(1);
    expect(s.add).toBe(rcs.length - 4 + 2);
    expect(countsLine(s)).toBe(`${s.add} to add, 1 to change, 3 to destroy (2 replaced)`);
    const md = renderPlanMarkdown({ stack: "cci-lite-prod", summary: s, planText: prod.text });
    const table = md.slice(md.indexOf("| Action |"));
    expect(table.indexOf(rcs[3]!.address)).toBeLessThan(table.indexOf(rcs[0]!.address)); // destroy before replace
    expect(table.indexOf(rcs[0]!.address)).toBeLessThan(table.indexOf(rcs[2]!.address)); // replace before update
  });

  test("imports, moves and output-only changes", () => {
    const json = clone(prod.json) as PlanJson;
    const rcs = json.resource_changes!;
    rcs[0]!.change = { ...rcs[0]!.change, actions: ["no-op"], importing: { id: "bucket-name" } };
    rcs[1]!.change.actions = ["no-op"];
    rcs[1]!.previous_address = "aws_s3_bucket.old";
    const s = summarizePlan(json);
    expect(s.import).toBe(1);
    expect(s.move).toBe(1);
    expect(s.resources.find((r) => r.address === rcs[0]!.address)?.action).toBe("import");
    expect(s.resources.find((r) => r.address === rcs[1]!.address)).toMatchObject({ action: "move", previousAddress: "aws_s3_bucket.old" });

    const outputsOnly = clone(prod.json) as PlanJson;
    for (const rc of outputsOnly.resource_changes!) rc.change.actions = ["no-op"];
    const o = summarizePlan(outputsOnly);
    expect(o.resources).toEqual([]);
    expect(o.outputsChanged.length).toBeGreaterThan(0);
    expect(o.hasChanges).toBe(true); // -detailed-exitcode also reports 2 for output changes
    for (const k of Object.keys(outputsOnly.output_changes ?? {})) outputsOnly.output_changes![k]!.actions = ["no-op"];
    expect(summarizePlan(outputsOnly).hasChanges).toBe(false);
  });

  test("rejects what is not a plan, and unknown actions", () => {
    expect(() => summarizePlan({} as PlanJson)).toThrow(/Not a Terraform plan/);
    const json = clone(prod.json) as PlanJson;
    json.resource_changes![0]!.change.actions = ["explode"];
    expect(() => summarizePlan(json)).toThrow(/Unknown Terraform plan actions/);
  });
});

describe("renderPlanMarkdown", () => {
  test("bootstrap (fits): marker first, counts up front, every resource listed, full plan collapsed", () => {
    const s = summarizePlan(bootstrap.json);
    const md = renderPlanMarkdown({
      stack: "bootstrap",
      summary: s,
      planText: bootstrap.text,
      runUrl: RUN_URL,
      commitSha: "0123456789abcdef0123",
      marker: planCommentMarker("bootstrap"),
    });
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- cci-lite:terraform-plan stack=bootstrap -->");
    expect(lines[1]).toMatch(/^### Terraform plan: `bootstrap`/);
    expect(md.indexOf(`**Plan:** ${countsLine(s)}`)).toBeLessThan(md.indexOf("| Action |"));
    for (const r of s.resources) expect(md).toContain(`\`${r.address}\``);
    expect(md).toContain("<details><summary>Full plan output</summary>");
    expect(md).toContain(bootstrap.text.trim()); // not truncated
    expect(md).not.toContain("truncated");
    expect(md).toContain(`[workflow run](${RUN_URL})`);
    expect(md).toContain("`0123456789ab`");
  });

  test("cci-lite-prod (larger than a comment): truncated under GitHub's limit with a link to the run", () => {
    expect(prod.text.length).toBeGreaterThan(GITHUB_BODY_LIMIT); // the real plan really needs truncation
    const s = summarizePlan(prod.json);
    const md = renderPlanMarkdown({ stack: "cci-lite-prod", summary: s, planText: prod.text, runUrl: RUN_URL, marker: planCommentMarker("cci-lite-prod") });
    expect(md.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 2000); // uses the space it has
    expect(md).toMatch(/The plan output above was truncated \(\d+ characters left out\)/);
    expect(md).toContain(`the full plan is in the [workflow run](${RUN_URL})`);
    // Counts and the complete resource list survive truncation.
    expect(md).toContain(`**Plan:** ${countsLine(s)}`);
    for (const r of s.resources) expect(md).toContain(`\`${r.address}\``);
    // The shown part is a prefix of the real plan, cut at a line end.
    const fence = fenceFor(prod.text);
    const start = md.indexOf(`${fence}text\n`) + fence.length + 5;
    const shown = md.slice(start, md.indexOf("[... truncated ...]", start));
    expect(prod.text.startsWith(shown)).toBe(true);
    expect(shown.endsWith("\n")).toBe(true);
  });

  test("stays under the limit for very large plans and huge resource lists", () => {
    const json = clone(prod.json) as PlanJson;
    const many = Array.from({ length: 40 }, (_, k) => json.resource_changes!.map((rc) => ({ ...rc, address: `${rc.address}_${k}` }))).flat();
    json.resource_changes = many;
    const s = summarizePlan(json);
    const md = renderPlanMarkdown({ stack: "cci-lite-prod", summary: s, planText: prod.text.repeat(20), runUrl: RUN_URL });
    expect(s.resources.length).toBeGreaterThan(3000);
    expect(md.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(md).toMatch(/…and \d+ more resource\(s\)/);
    expect(md).toContain(`**Plan:** ${countsLine(s)}`);
  });

  test("a plan containing backticks cannot break out of its code block", () => {
    const text = `${bootstrap.text}\n  + policy = <<EOT\n\`\`\`\nnot markdown\n\`\`\`\`\nEOT\n`;
    const md = renderPlanMarkdown({ stack: "bootstrap", summary: summarizePlan(bootstrap.json), planText: text });
    expect(md).toContain("`````text\n");
    expect(codeBlock("a ``` b")).toBe("````\na ``` b\n````\n");
  });

  test("scan findings are shown with the plan", () => {
    const scan = parseCheckovReport({
      check_type: "terraform_plan",
      results: {
        failed_checks: [
          {
            check_id: "CKV_AWS_18",
            check_name: "Ensure the S3 bucket has access logging enabled",
            resource: "aws_s3_bucket.storage_input",
            severity: "LOW",
            guideline: "https://docs.example/ckv_aws_18",
          },
        ],
      },
      summary: { passed: 120, failed: 1, skipped: 0, parsing_errors: 0, checkov_version: "3.3.30" },
    });
    const md = renderPlanMarkdown({ stack: "bootstrap", summary: summarizePlan(bootstrap.json), planText: bootstrap.text, scan });
    expect(md).toContain("Security scan (checkov 3.3.30):</b> ⚠️ 1 finding(s)");
    expect(md).toContain("[CKV_AWS_18: Ensure the S3 bucket has access logging enabled](https://docs.example/ckv_aws_18)");
    expect(md.indexOf("Security scan")).toBeLessThan(md.indexOf("Full plan output"));
  });

  test("a failed plan shows the end of the log, where the error is", () => {
    const log = `${"x".repeat(100_000)}\nError: No valid credential sources found\n`;
    const md = renderPlanFailure({ stack: "cci-lite-prod", log, runUrl: RUN_URL, marker: planCommentMarker("cci-lite-prod") });
    expect(md.startsWith(planCommentMarker("cci-lite-prod"))).toBe(true);
    expect(md).toContain("❌ plan failed");
    expect(md).toContain("Error: No valid credential sources found");
    expect(md.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  });
});

describe("truncateText", () => {
  test("keeps short text, cuts long text at a line end with the note within the budget", () => {
    expect(truncateText("abc", 10, () => "!")).toEqual({ text: "abc", truncated: false, omitted: 0 });
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const r = truncateText(text, 500, (n) => `\n[${n} cut]\n`);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(500);
    expect(r.text).toMatch(/\n\[\d+ cut\]\n$/);
    expect(r.omitted).toBe(text.length - r.text.indexOf("\n["));
  });

  test("never leaves half a surrogate pair", () => {
    const r = truncateText("😀".repeat(100), 51, () => "");
    expect(r.text).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
