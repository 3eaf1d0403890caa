/** M11: the workflows' labels are created up front, idempotently, never left to "the first issue". */
import {
  ALLOW_DESTROY_LABEL,
  APPLY_FAILED_LABEL,
  DELIVERY_LABELS,
  DRIFT_LABEL,
  driftIssueTitle,
  ensureLabels,
  syncDriftIssues,
} from "../../scripts/delivery/github";
import { fakeOctokit } from "./fake-octokit";
import { allSteps, workflow } from "./workflows";

const repo = { owner: "o", repo: "r" };

test("every label the workflows use is declared, with a color and a description", () => {
  expect(DELIVERY_LABELS.map((l) => l.name).sort()).toEqual([ALLOW_DESTROY_LABEL, APPLY_FAILED_LABEL, DRIFT_LABEL].sort());
  for (const l of DELIVERY_LABELS) expect(l).toEqual({ name: l.name, color: expect.stringMatching(/^[0-9a-f]{6}$/), description: expect.any(String) });
});

test("ensureLabels creates the missing ones only; a second run creates nothing; a concurrent creation (422) is fine", async () => {
  const gh = fakeOctokit({ labels: [{ name: "Drift", color: "000000" }] });
  expect(await ensureLabels({ ...repo, octokit: gh })).toEqual([APPLY_FAILED_LABEL, ALLOW_DESTROY_LABEL]);
  // The existing one (GitHub compares names case-insensitively) is left as it is.
  expect(gh.state.labels).toEqual([
    { name: "Drift", color: "000000" },
    expect.objectContaining({ name: APPLY_FAILED_LABEL }),
    expect.objectContaining({ name: ALLOW_DESTROY_LABEL }),
  ]);
  expect(await ensureLabels({ ...repo, octokit: gh })).toEqual([]);
  expect(gh.state.calls.filter((c) => c.startsWith("createLabel"))).toHaveLength(2);

  const racing = fakeOctokit({ labels: [{ name: DRIFT_LABEL }] });
  racing.rest.issues.getLabel = async () => {
    throw Object.assign(new Error("Not Found"), { status: 404 });
  };
  expect(await ensureLabels({ ...repo, octokit: racing, labels: [{ name: DRIFT_LABEL }] })).toEqual([]);
  const broken = fakeOctokit();
  broken.rest.issues.getLabel = async () => {
    throw Object.assign(new Error("Server Error"), { status: 500 });
  };
  await expect(ensureLabels({ ...repo, octokit: broken })).rejects.toThrow("Server Error");
});

test("a drift issue on a repository without the label: the label is created before the issue, and the next run finds it (no duplicate)", async () => {
  const gh = fakeOctokit();
  const run = () => syncDriftIssues({ ...repo, octokit: gh, stack: "cci-lite-prod", outcome: "ok", driftBody: "drifted" });
  await run();
  expect(gh.state.calls.indexOf(`createLabel:${DRIFT_LABEL}`)).toBeGreaterThanOrEqual(0);
  expect(gh.state.calls.indexOf(`createLabel:${DRIFT_LABEL}`)).toBeLessThan(gh.state.calls.indexOf("create"));
  await run();
  expect(gh.state.issues.filter((i) => i.title === driftIssueTitle("cci-lite-prod"))).toHaveLength(1);
  expect(gh.state.issues[0]!.labels).toEqual([{ name: DRIFT_LABEL }]);
});

test("an issue GitHub created without its label fails loudly instead of duplicating it every day", async () => {
  const gh = fakeOctokit({ dropIssueLabels: true });
  await expect(syncDriftIssues({ ...repo, octokit: gh, stack: "s", outcome: "ok", driftBody: "drifted" })).rejects.toThrow(
    /Issue #\d+ was created without the label "drift".*the next run could not find it/,
  );
});

test("the workflow steps that open issues ensure the labels first", () => {
  const steps = ["drift", "apply"].flatMap((name) => allSteps(workflow(name)).map((s) => ({ file: name, ...s })));
  const opening = steps.filter(({ step }) => /delivery\.(syncDriftIssues|reportApplyResults|syncIssue)\(/.test(String(step.with?.script ?? "")));
  expect(opening.map((s) => `${s.file}:${s.job}`).sort()).toEqual(["apply:report", "drift:drift"]);
  for (const { step } of opening) {
    const script = String(step.with!.script);
    const ensure = script.indexOf("await delivery.ensureLabels({ octokit: github, owner: context.repo.owner, repo: context.repo.repo });");
    expect(ensure).toBeGreaterThanOrEqual(0);
    expect(ensure).toBeLessThan(script.search(/delivery\.(syncDriftIssues|reportApplyResults)\(/));
  }
});
