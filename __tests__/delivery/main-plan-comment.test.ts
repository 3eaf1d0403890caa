/** M1: the "plan on main" comment on the merged pull request fits GitHub's 65,536-character body limit. */
import {
  changesMarker,
  type GuardsOctokit,
  mainPlanCommentBody,
  planChanges,
  planCommentMarker,
  type PullRequestInfo,
  reviewMainPlans,
  renderPlanMarkdown,
  summarizePlan,
} from "../../scripts/delivery/github";
import { GITHUB_BODY_LIMIT, truncateMarkdown } from "../../scripts/delivery/truncate";
import { loadOfflinePlan, PLAN_TIMEOUT_MS } from "../helpers/offline-plan";
import { fakeOctokit } from "./fake-octokit";

jest.setTimeout(PLAN_TIMEOUT_MS);

const SHA = "c".repeat(40);
const RUN = "https://github.example/o/r/actions/runs/42";

/** Lines that open or close a fence balance out: every code block the cut opened is closed again. */
function openFence(markdown: string): string | undefined {
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const m = /^(`{3,})/.exec(line);
    if (!m) continue;
    if (fence === undefined) fence = m[1];
    else if (line.trim() === fence) fence = undefined;
  }
  return fence;
}

describe("truncateMarkdown", () => {
  test("short text is kept; a cut inside a code block and <details> closes both before the note", () => {
    expect(truncateMarkdown("abc", 10, () => "!")).toEqual({ text: "abc", truncated: false, omitted: 0 });
    const md = `<details><summary>x</summary>\n\n\`\`\`\`text\n${"line ``` of plan\n".repeat(500)}\`\`\`\`\n</details>\n`;
    const r = truncateMarkdown(md, 2_000, (n) => `\nNOTE ${n}\n`);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(2_000);
    expect(openFence(r.text)).toBeUndefined();
    expect(r.text).toMatch(/````\n<\/details>\n\nNOTE \d+\n$/);
    expect(r.omitted).toBe(md.length - r.text.indexOf("````\n</details>\n\nNOTE"));
  });
});

describe("with the real offline plan (cci-lite-prod) made oversized", () => {
  function oversizedPlanMarkdown(): { markdown: string; reviewed: string[] } {
    const loaded = loadOfflinePlan("cci-lite-prod");
    // The apply job's rendering at its own budget (as render-plan --kind apply writes <stack>.md), from a plan text
    // several times the limit: the rendered plan alone is right at the budget.
    const planText = loaded.planText.length > 0 ? loaded.planText : "";
    const big = planText.repeat(Math.ceil(200_000 / Math.max(1, planText.length)));
    const markdown = renderPlanMarkdown({ stack: "cci-lite-prod", summary: summarizePlan(loaded.json), planText: big, runUrl: RUN, title: "Plan to apply" });
    return { markdown, reviewed: planChanges(loaded.json) };
  }

  test("30 planted changes on each side: the posted comment fits, says it was cut, and links the job summary and the artifact", async () => {
    const { markdown, reviewed } = oversizedPlanMarkdown();
    expect(markdown.length).toBeGreaterThan(60_000);
    const planted = Array.from({ length: 30 }, (_, n) => `module.planted_${n}.aws_s3_bucket_policy.${"x".repeat(120)}_${n} update`);
    const gh = fakeOctokit() as unknown as GuardsOctokit & ReturnType<typeof fakeOctokit>;
    const pr: PullRequestInfo = { number: 9, merged_at: "2026-12-01T00:00:00Z", merge_commit_sha: SHA, base: { ref: "main" }, labels: [] };
    (gh.rest as unknown as { repos: unknown }).repos = {
      listPullRequestsAssociatedWithCommit: async () => ({ data: [pr] }),
    };
    gh.state.comments.push({
      id: 1,
      issue_number: 9,
      body: `${planCommentMarker("cci-lite-prod")}\nreviewed\n${changesMarker([...reviewed, ...planted.map((p) => p.replace("update", "delete"))])}`,
      user: { login: "github-actions[bot]", type: "Bot" },
    });
    const stack = { stack: "cci-lite-prod", hasChanges: true, changes: [...reviewed, ...planted], statefulDestroys: [], planMarkdown: markdown };
    const r = await reviewMainPlans({ octokit: gh, owner: "o", repo: "r", sha: SHA, branch: "main", stacks: [stack], runUrl: RUN });
    expect(r.differs).toEqual(["cci-lite-prod"]);
    const [posted] = gh.state.comments.filter((c) => c.id > 1);
    const body = posted!.body!;
    // GitHub counts characters; a string's length (UTF-16 code units) is never smaller than that count.
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT - 500);
    expect([...body].length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toContain("`module.planted_29.");
    expect(body).toMatch(/This comment was truncated \(\d+ characters of the plan left out\) to fit GitHub's 65,536-character comment limit/);
    expect(body).toContain(`[job summary](${RUN})`);
    expect(body).toContain(`(${RUN}#artifacts)`);
    expect(body).toContain("`plan-meta-cci-lite-prod`");
    expect(openFence(body)).toBeUndefined();
  });

  test("a plan that fits is posted whole, without a note", () => {
    const body = mainPlanCommentBody({ stack: "s", comparison: "same", planMarkdown: "PLAN\n", runUrl: RUN });
    expect(body).toBe("<!-- cci-lite:main-plan stack=s -->\n### Plan on `main` after merging: `s`\n\nsame\n\nPLAN\n");
  });

  test("a comparison longer than the limit on its own is cut too", () => {
    const body = mainPlanCommentBody({ stack: "s", comparison: "- `a`\n".repeat(20_000), planMarkdown: "PLAN\n", runUrl: RUN });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT - 500);
    expect(body).toContain("This comment was truncated");
  });
});
