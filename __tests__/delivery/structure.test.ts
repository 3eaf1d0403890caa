/** Structural rules for the delivery workflows (security baseline, apply/drift semantics, pinning). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allSteps, ARTIFACT_RETENTION, DEFAULT_ARTIFACT_RETENTION_DAYS, loadWorkflows, REPO_ROOT, workflow, type Job, type Step } from "./workflows";
import { APPLY_ROLE_MAX_SESSION_SECONDS } from "../../modules/bootstrap";
import { LAMBDA_RUNTIME } from "../../modules/constructs/pipeline-function";
import { NODE_MAJOR } from "../../scripts/prerequisites";

const workflows = loadWorkflows();

// Resolved from the actions' repositories (shared delivery notes).
const PINNED: Record<string, { sha: string; version: string }> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  "actions/upload-artifact": { sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", version: "v7.0.0" },
  "actions/download-artifact": { sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", version: "v8.0.1" },
  "actions/github-script": { sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd", version: "v8.0.0" },
  "aws-actions/configure-aws-credentials": { sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3" },
  "hashicorp/setup-terraform": { sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e", version: "v4.0.1" },
};

const stepsUsing = (jobOrSteps: Job, action: string): Step[] => (jobOrSteps.steps ?? []).filter((s) => s.uses?.startsWith(`${action}@`));
const runs = (j: Job): string => (j.steps ?? []).map((s) => s.run ?? "").join("\n");

describe.each(workflows.map((w) => [w.file, w] as const))("%s", (_f, w) => {
  test("permissions: {} at workflow level; explicit least-privilege permissions per job", () => {
    expect(w.doc.permissions).toEqual({});
    const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write", "issues:write", "actions:read"]);
    for (const [name, job] of Object.entries(w.doc.jobs)) {
      expect({ job: name, type: typeof job.permissions }).toEqual({ job: name, type: "object" });
      for (const [k, v] of Object.entries(job.permissions as Record<string, string>)) expect(allowed).toContain(`${k}:${v}`);
      const perms = job.permissions as Record<string, string>;
      // id-token only where AWS credentials are configured, and the other way round.
      expect({ job: name, oidc: perms["id-token"] === "write" }).toEqual({
        job: name,
        oidc: stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0,
      });
      if (perms["pull-requests"]) expect(["plan.yml:report", "apply.yml:collect", "apply.yml:report"]).toContain(`${w.file}:${name}`);
      // actions: read only where the environment's protection rules are read.
      if (perms.actions) expect(["apply.yml:collect", "apply.yml:apply"]).toContain(`${w.file}:${name}`);
      if (perms.issues) expect(["drift.yml:drift", "drift.yml:cleanup", "apply.yml:report"]).toContain(`${w.file}:${name}`);
    }
    expect(w.text).not.toMatch(/write-all|read-all/);
  });

  test("every remote action pinned to a full commit SHA with its version in a comment", () => {
    const uses = [...w.text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      if (ref!.startsWith("./")) continue;
      const [name, sha] = ref!.split("@");
      expect({ ref, sha: /^[0-9a-f]{40}$/.test(sha ?? "") }).toEqual({ ref, sha: true });
      expect(PINNED[name!]).toBeDefined();
      expect({ ref, sha, comment: rest!.trim() }).toEqual({ ref, sha: PINNED[name!]!.sha, comment: `# ${PINNED[name!]!.version}` });
    }
  });

  test("no stored AWS keys; credentials only through OIDC role-to-assume, the stack's own role from the matrix", () => {
    expect(w.text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|aws-access-key-id|aws-secret-access-key/i);
    expect(w.text).not.toMatch(/secrets\.AWS/i);
    for (const { step } of allSteps(w).filter(({ step }) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
      expect(String(step.with?.["role-to-assume"])).toMatch(/^\$\{\{ matrix\.(plan|apply)RoleArn \}\}$/);
      expect(step.with?.["aws-region"]).toBe("${{ vars.AWS_REGION }}");
    }
  });

  test("CHECKPOINT_DISABLE=1, bash with pipefail, pinned Terraform without the wrapper, Node 22 with npm cache", () => {
    // One Node major everywhere: the workflows, .nvmrc, package.json engines, the prerequisite check and the Lambda runtime.
    expect(readFileSync(join(REPO_ROOT, ".nvmrc"), "utf8").trim()).toBe(String(NODE_MAJOR));
    expect(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).engines.node).toBe(`>=${NODE_MAJOR}`);
    expect(LAMBDA_RUNTIME).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(w.doc.env?.CHECKPOINT_DISABLE).toBe("1");
    expect(w.doc.defaults?.run?.shell).toBe("bash");
    for (const { step } of allSteps(w)) {
      if (step.uses?.startsWith("hashicorp/setup-terraform@")) expect(step.with).toEqual({ terraform_version: "1.11.4", terraform_wrapper: false });
      // npm's cache only where npm installs; jobs that run the prebuilt bundle get plain Node 22.
      if (step.uses?.startsWith("actions/setup-node@"))
        expect([{ "node-version": NODE_MAJOR, cache: "npm" }, { "node-version": NODE_MAJOR }]).toContainEqual(step.with);
      if (step.uses?.startsWith("actions/checkout@")) expect(step.with?.["persist-credentials"]).toBe(false);
    }
  });

  test("Terraform stacks come from the manifest matrix, with the committed lock file, read-only", () => {
    for (const [name, job] of Object.entries(w.doc.jobs)) {
      const text = runs(job);
      if (!/terraform -chdir="\$STACK_DIR"/.test(text)) continue;
      expect({ job: name, matrix: job.strategy?.matrix }).toEqual({
        job: name,
        matrix: expect.stringMatching(/^\$\{\{ fromJSON\(needs\.(prepare|collect)\.outputs\.matrix\) \}\}$/),
      });
      expect(text).toMatch(/init -input=false -lockfile=readonly/);
      const inits = text.split("\n").filter((l) => /terraform -chdir="\$STACK_DIR" init /.test(l));
      expect(inits.length).toBeGreaterThan(0);
      for (const l of inits) expect(l).toContain("-lockfile=readonly");
    }
  });
});

describe("state lock", () => {
  test("PR plans without lock: every plan made with the plan role runs with -lock=false (the role cannot write lock objects)", () => {
    let plans = 0;
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.doc.jobs)) {
        const role = String(stepsUsing(job, "aws-actions/configure-aws-credentials")[0]?.with?.["role-to-assume"] ?? "");
        if (!role.includes("matrix.planRoleArn")) continue;
        const planLines = runs(job)
          .split("\n")
          .filter((l) => /terraform -chdir="\$STACK_DIR" plan /.test(l));
        for (const l of planLines)
          expect({ workflow: w.file, job: name, line: l.trim() }).toEqual({ workflow: w.file, job: name, line: expect.stringContaining(" -lock=false ") });
        plans += planLines.length;
      }
    }
    expect(plans).toBeGreaterThanOrEqual(3); // pull request, main, drift
  });
});

describe("ci.yml", () => {
  const w = workflow("ci");
  const job = w.doc.jobs.test!;
  test("runs on pull requests and pushes: npm ci, type-check, npm test, synth; no AWS", () => {
    expect(Object.keys(w.doc.on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    const text = runs(job);
    const order = ["npm ci", "npm run typecheck", "npm test", "npm run synth"].map((c) => text.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(w.text).not.toMatch(/configure-aws-credentials|id-token/);
  });

  test("installs shellcheck and fills the provider mirror the offline tests use", () => {
    const text = runs(job);
    expect(text).toMatch(/apt-get install -y -q shellcheck/);
    expect(text).toMatch(/providers mirror -platform=linux_amd64 "\$packed"/);
    // Unpacked layout, as tf/offline.tfrc and scripts/offline-plan.ts expect it.
    expect(text).toContain('target="/opt/tf-plugins/registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}/linux_amd64"');
    expect(text).toMatch(
      /unzip -o -q "\$\{packed\}\/registry\.terraform\.io\/hashicorp\/aws\/terraform-provider-aws_\$\{AWS_PROVIDER_VERSION\}_linux_amd64\.zip" -d "\$target"/,
    );
    expect(readFileSync(join(REPO_ROOT, "tf", "offline.tfrc"), "utf8")).toMatch(/path\s*=\s*"\/opt\/tf-plugins"/);
  });

  test("AWS_PROVIDER_VERSION matches @cdktf/provider-aws and every committed lock file", () => {
    const version = w.doc.env?.AWS_PROVIDER_VERSION;
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "@cdktf", "provider-aws", "package.json"), "utf8"));
    expect(version).toBe(pkg.cdktf.provider.version);
    const locks = readdirSync(join(REPO_ROOT, "tf", "locks")).filter((f) => f.endsWith(".terraform.lock.hcl"));
    expect(locks.length).toBeGreaterThan(0);
    for (const f of locks) expect(readFileSync(join(REPO_ROOT, "tf", "locks", f), "utf8")).toContain(`version     = "${version}"`);
  });
});

describe("plan.yml", () => {
  const w = workflow("plan");
  test("pull requests from this repository only (forks get no credentials)", () => {
    expect(Object.keys(w.doc.on)).toEqual(["pull_request"]);
    expect(w.doc.on).not.toHaveProperty("pull_request_target");
    // Nor runs Dependabot started: GitHub runs them like a fork's (plan-status.test.ts).
    expect(w.doc.jobs.prepare!.if).toBe("github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'");
    expect(w.doc.jobs.plan!.needs).toBe("prepare");
  });

  test("copies the lock file, plans to a file without the lock, uploads only the redacted plan; report upserts one comment per stack", () => {
    const job = w.doc.jobs.plan!;
    const text = runs(job);
    expect(text).toMatch(/cp "\$LOCK_FILE" "\$\{STACK_DIR\}\/\.terraform\.lock\.hcl"/);
    expect(job.env?.LOCK_FILE).toBe("${{ matrix.lockFile }}");
    expect(text).toMatch(/plan -input=false -lock=false -no-color -out=plan\.tfplan/);
    expect(text).toMatch(/show -json plan\.tfplan/);
    expect(text).toMatch(/node dist\/delivery\/cli\.cjs redact-plan --plan-json "\$\{RUNNER_TEMP\}\/plan\.json" --out "\$\{out\}\/plan\.json"/);
    expect(text).toMatch(/rm -f "\$\{RUNNER_TEMP\}\/plan\.json" "\$\{STACK_DIR\}\/plan\.tfplan"/);
    const upload = stepsUsing(job, "actions/upload-artifact")[0]!;
    expect(upload.with).toMatchObject({ name: "pr-plan-${{ matrix.stack }}", path: "${{ runner.temp }}/pr-plan/", "retention-days": 1 });
    const report = w.doc.jobs.report!;
    expect(runs(report)).toMatch(/cli\.cjs render-plan --kind pr/);
    const script = String(stepsUsing(report, "actions/github-script")[0]!.with!.script);
    expect(script).toMatch(/delivery\.upsertComment\(/);
    expect(script).toMatch(/marker: delivery\.planCommentMarker\(stack\)/);
    expect(report.permissions).toEqual({ "pull-requests": "write" });
  });

  test("checkov job holds no id-token: write and no AWS credential step; pinned image by digest, no network, redacted plan only", () => {
    const scan = w.doc.jobs.scan!;
    expect(scan.permissions).toEqual({});
    expect(stepsUsing(scan, "aws-actions/configure-aws-credentials")).toEqual([]);
    expect(JSON.stringify(scan)).not.toMatch(/id-token|role-to-assume|secrets\./);
    expect(w.doc.env?.CHECKOV_IMAGE).toMatch(/^docker\.io\/bridgecrew\/checkov@sha256:[0-9a-f]{64}$/);
    expect(w.doc.env?.CHECKOV_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const text = runs(scan);
    expect(text).toContain('docker run --rm --network none -v "${dir}:/scan:ro" "$CHECKOV_IMAGE"');
    expect(text).toMatch(/-f \/scan\/plan\.json --framework terraform_plan --output json --soft-fail --skip-download/);
    // No pip install anywhere: the only checkov is the digest-pinned image.
    for (const x of workflows) expect(x.text).not.toMatch(/pip install|checkov==/);
    expect(scan.needs).toEqual(["prepare", "plan"]);
  });

  test("plan-status: always runs after every plan job, the one check for forks and empty matrices", () => {
    const status = w.doc.jobs["plan-status"]!;
    expect(status.if).toBe("always()");
    expect(status.needs).toEqual(["prepare", "plan", "scan", "report"]);
    expect(status.env).toEqual({
      IS_FORK: "${{ github.event.pull_request.head.repo.full_name != github.repository }}",
      IS_DEPENDABOT: "${{ github.actor == 'dependabot[bot]' }}",
      PREPARE_RESULT: "${{ needs.prepare.result }}",
      HAS_STACKS: "${{ needs.prepare.outputs.has-stacks }}",
      PLAN_RESULT: "${{ needs.plan.result }}",
      SCAN_RESULT: "${{ needs.scan.result }}",
      REPORT_RESULT: "${{ needs.report.result }}",
    });
    expect(runs(status).trim()).toBe("bash scripts/delivery/plan-status.sh");
  });
});

describe("apply.yml", () => {
  const w = workflow("apply");
  const plan = w.doc.jobs.plan!;
  const apply = w.doc.jobs.apply!;

  test("push to main only", () => {
    expect(w.doc.on).toEqual({ push: { branches: ["main"] } });
  });

  test("the plan job saves plan file, synthesized JSON and lock file ENCRYPTED for the environment, kept ARTIFACT_RETENTION_DAYS", () => {
    const upload = stepsUsing(plan, "actions/upload-artifact").find((s) => s.with?.name === "plan-${{ matrix.stack }}")!;
    expect(upload.with).toMatchObject({ path: "${{ runner.temp }}/sealed/plan.sealed", "retention-days": ARTIFACT_RETENTION, "if-no-files-found": "error" });
    const text = runs(plan);
    expect(text).toMatch(/-out=plan\.tfplan/);
    expect(text).toContain('tar -C "$STACK_DIR" --exclude=./.terraform -czf "${RUNNER_TEMP}/plan.tgz" .');
    expect(text).toContain('bash dist/delivery/seal.sh seal "${RUNNER_TEMP}/plan-key.pem" "${RUNNER_TEMP}/plan.tgz" "${RUNNER_TEMP}/sealed/plan.sealed"');
    // Nothing unencrypted that holds state values is left for upload.
    expect(text).toContain('rm -f "${RUNNER_TEMP}/plan.tgz" "${RUNNER_TEMP}/plan.json" "${STACK_DIR}/plan.tfplan"');
    expect(plan.env?.PLAN_PUBLIC_KEY).toBe("${{ vars[matrix.planKeyVariable] }}");
    expect(text).toMatch(/render-plan --kind apply .* --summary/s);
  });

  test("M6: every artifact of apply.yml is kept ARTIFACT_RETENTION_DAYS (default 7), except errored.tfstate (30); the others one day", () => {
    for (const x of workflows) {
      for (const { job, step } of allSteps(x).filter(({ step }) => step.uses?.startsWith("actions/upload-artifact@"))) {
        const days = step.with?.["retention-days"];
        const want = x.file !== "apply.yml" ? 1 : step.with?.name === "errored-state-${{ matrix.stack }}" ? 30 : ARTIFACT_RETENTION;
        expect({ file: x.file, job, name: step.with?.name, days }).toEqual({ file: x.file, job, name: step.with?.name, days: want });
      }
    }
  });

  test("M6: every artifact a job downloads after an approval (an environment job or one that needs it) is kept ARTIFACT_RETENTION_DAYS", () => {
    const jobs = w.doc.jobs;
    const needs = (j: string): string[] => [jobs[j]!.needs ?? []].flat();
    const gated = new Set(Object.keys(jobs).filter((j) => jobs[j]!.environment));
    for (let grew = true; grew; ) {
      grew = false;
      for (const j of Object.keys(jobs))
        if (!gated.has(j) && needs(j).some((n) => gated.has(n))) {
          gated.add(j);
          grew = true;
        }
    }
    expect([...gated].sort()).toEqual(["apply", "report"]);
    const uploads = allSteps(w).filter(({ step }) => step.uses?.startsWith("actions/upload-artifact@"));
    const downloads = allSteps(w).filter(({ job, step }) => gated.has(job) && step.uses?.startsWith("actions/download-artifact@"));
    // apply: the sealed plan (it bundles its own scripts); report: the scripts and the apply results.
    expect(downloads.length).toBeGreaterThanOrEqual(3);
    for (const { job, step } of downloads) {
      const wanted = String(step.with?.name ?? step.with?.pattern);
      const glob = new RegExp(`^${wanted.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
      const from = uploads.filter((u) => glob.test(String(u.step.with?.name)) || String(u.step.with?.name) === wanted);
      expect({ job, wanted, from: from.length > 0 }).toEqual({ job, wanted, from: true });
      for (const u of from) expect({ job, wanted, days: u.step.with?.["retention-days"] }).toEqual({ job, wanted, days: ARTIFACT_RETENTION });
    }
  });

  test("M6: prepare refuses an ARTIFACT_RETENTION_DAYS that is not 1 to 400 days, before anything else", () => {
    const check = w.doc.jobs.prepare!.steps![0]!;
    expect(check.name).toBe("Check the artifact retention setting");
    expect(check.env).toEqual({ ARTIFACT_RETENTION_DAYS: "${{ vars.ARTIFACT_RETENTION_DAYS }}" });
    const dir = mkdtempSync(join(tmpdir(), "retention-"));
    try {
      const run = (value: string) => {
        const summary = join(dir, "summary.md");
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", check.run!], {
          encoding: "utf8",
          env: { PATH: process.env.PATH, ARTIFACT_RETENTION_DAYS: value, GITHUB_STEP_SUMMARY: summary },
        });
        return { status: r.status, out: `${r.stdout}${existsSync(summary) ? readFileSync(summary, "utf8") : ""}` };
      };
      expect(run("")).toEqual({ status: 0, out: expect.stringContaining(`kept ${DEFAULT_ARTIFACT_RETENTION_DAYS} days`) });
      expect(run("30")).toEqual({ status: 0, out: expect.stringContaining("kept 30 days") });
      expect(run("400").status).toBe(0);
      for (const bad of ["0", "401", "7d", "-3", "07", "1.5", "$(id)"]) {
        expect({ bad, ...run(bad) }).toEqual({ bad, status: 1, out: expect.stringContaining("::error title=Bad ARTIFACT_RETENTION_DAYS::") });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("apply decrypts with the environment's secret only; a failed apply keeps errored.tfstate encrypted", () => {
    const steps = apply.steps ?? [];
    const decrypt = steps.find((s) => s.name === "Decrypt the saved plan")!;
    expect(decrypt.env).toEqual({ PLAN_PRIVATE_KEY: "${{ secrets.PLAN_PRIVATE_KEY }}" });
    expect(decrypt.run).toContain('bash dist/delivery/seal.sh open "$key" "${RUNNER_TEMP}/sealed/plan.sealed" "${RUNNER_TEMP}/plan.tgz"');
    expect(decrypt.run).toContain('rm -f "$key"');
    // The private key is read nowhere else, in no workflow.
    const uses = loadWorkflows().flatMap((x) => [...x.text.matchAll(/secrets\.PLAN_PRIVATE_KEY/g)].map(() => x.file));
    expect(uses).toEqual(["apply.yml"]);
    const errored = steps.find((s) => s.id === "errored")!;
    expect(errored.if).toBe("failure() && steps.apply.outcome == 'failure'");
    expect(errored.run).toContain('bash dist/delivery/seal.sh seal "${RUNNER_TEMP}/plan-key.pem" "${STACK_DIR}/errored.tfstate"');
    const upload = steps.find((s) => s.with?.name === "errored-state-${{ matrix.stack }}")!;
    expect(upload.if).toBe("failure() && steps.errored.outputs.artifact != ''");
    expect(upload.with?.path).toBe("${{ runner.temp }}/errored/errored.tfstate.sealed");
    expect(steps.indexOf(upload)).toBeGreaterThan(steps.indexOf(errored));
    expect(steps.findIndex((s) => s.id === "apply")).toBeLessThan(steps.indexOf(errored));
  });

  test("session >= timeout: the apply role's session outlasts the apply job, and the role allows that session", () => {
    const creds = stepsUsing(apply, "aws-actions/configure-aws-credentials")[0]!;
    const session = Number(creds.with?.["role-duration-seconds"]);
    expect(session).toBeGreaterThanOrEqual(Number((apply as { "timeout-minutes"?: number })["timeout-minutes"]) * 60);
    expect(session).toBeLessThanOrEqual(APPLY_ROLE_MAX_SESSION_SECONDS);
  });

  test("apply results: every apply job records its result; report posts them on the merged PR and syncs apply-failed issues", () => {
    const steps = apply.steps ?? [];
    const record = steps.find((s) => s.name === "Record the apply result")!;
    expect(record.if).toBe("always()");
    expect(record.env?.APPLY_OUTCOME).toBe("${{ steps.apply.outcome }}");
    expect(record.run).toMatch(/node dist\/delivery\/cli\.cjs apply-result/);
    expect(steps.find((s) => s.with?.name === "apply-result-${{ matrix.stack }}")!.if).toBe("always()");
    const report = w.doc.jobs.report!;
    expect(report.needs).toEqual(["collect", "apply"]);
    expect(report.if).toBe("always() && (needs.collect.outputs.has-changes == 'true' || needs.collect.outputs.has-blocked == 'true')");
    expect(report.permissions).toEqual({ contents: "read", "pull-requests": "write", issues: "write" });
    expect(String(stepsUsing(report, "actions/github-script")[0]!.with!.script)).toMatch(/delivery\.reportApplyResults\(/);
  });

  test("apply: environment prod, serialized per stack without cancelling, applies exactly the saved plan", () => {
    expect(apply.environment).toBe("${{ matrix.environment }}"); // per-stack environment and role

    expect(apply.concurrency).toEqual({ group: "terraform-apply-${{ matrix.stack }}", "cancel-in-progress": false, queue: "max" });
    const download = stepsUsing(apply, "actions/download-artifact").find((s) => s.with?.name === "plan-${{ matrix.stack }}")!;
    expect(download.with).toEqual({ name: "plan-${{ matrix.stack }}", path: "${{ runner.temp }}/sealed" });
    const text = runs(apply);
    expect(text).toMatch(/terraform -chdir="\$STACK_DIR" apply -input=false -no-color -lock-timeout=10m plan\.tfplan/);
    expect(text).not.toMatch(/terraform[^\n]* plan /);
    expect(text).not.toMatch(/-auto-approve/);
    expect(String(stepsUsing(apply, "aws-actions/configure-aws-credentials")[0]!.with!["role-to-assume"])).toBe("${{ matrix.applyRoleArn }}");
    // Only stacks whose plan has changes wait for approval.
    expect(apply.if).toBe("needs.collect.outputs.has-changes == 'true'");
  });

  test("a stale plan fails with a clear message telling the operator to re-run", () => {
    const text = runs(apply);
    expect(text).toContain('grep -q "Saved plan is stale"');
    expect(text).toMatch(/msg="The reviewed plan for \$\{STACK\} is stale:.*Nothing was applied\. Re-run this workflow with 'Re-run all jobs'/);
    expect(text).toContain('echo "::error title=Stale plan (${STACK})::${msg}"');
    expect(text).toMatch(/exit "\$rc"/);
  });

  test("guards: plan and apply of a stack share one concurrency group across runs, never cancelled", () => {
    expect(plan.concurrency).toEqual(apply.concurrency);
  });

  test("M7: plan and apply queue with queue: max (no pending job of another run is cancelled); the docs have the runbook", () => {
    for (const job of [plan, apply]) expect(job.concurrency).toMatchObject({ "cancel-in-progress": false, queue: "max" });
    // GitHub refuses queue: max together with cancel-in-progress: true; no other job of any workflow uses it.
    for (const x of workflows)
      for (const [name, j] of Object.entries(x.doc.jobs)) {
        if (typeof j.concurrency === "object" && j.concurrency.queue !== undefined) expect(`${x.file}:${name}`).toMatch(/^apply\.yml:(plan|apply)$/);
      }
    const docs = readFileSync(join(REPO_ROOT, "docs", "delivery.md"), "utf8");
    expect(docs).toMatch(/### Reject superseded runs\n/);
    expect(docs).toContain("`queue: max`");
  });

  const scriptOf = (s: Step) => String(s.with?.script ?? "");
  const collect = w.doc.jobs.collect!;

  test("guards: the environment's protection is verified before approval (collect's gate) and first thing in the apply job", () => {
    const steps = apply.steps ?? [];
    const first = steps.findIndex((s) => /delivery\.verifyEnvironment\(/.test(scriptOf(s)));
    // Right after the job bundled its scripts, before Terraform, the key and credentials.
    expect(steps[first - 1]!.run).toBe("bash scripts/delivery/bundle.sh");
    expect(steps.slice(0, first).filter((s) => s.uses?.startsWith("hashicorp/") || s.uses?.startsWith("aws-actions/") || s.env)).toEqual([]);
    expect(apply.environment).toBe("${{ matrix.environment }}");
    expect(apply.env?.DEPLOY_ENVIRONMENT).toBe(apply.environment);
    expect(apply.permissions).toEqual({ actions: "read", contents: "read", "id-token": "write" });
    // M4: the deployment-branch rule is checked against main, the branch apply.yml runs on (`on: push: branches`).
    expect(scriptOf(steps[first]!)).toMatch(/delivery\.verifyEnvironment\(\{[^}]*branch: 'main'/s);
    expect(scriptOf(stepsUsing(collect, "actions/github-script")[0]!)).toMatch(/delivery\.gateStacks\(\{[^}]*branch: 'main'/s);
    expect((w.doc.on.push as { branches?: string[] }).branches).toEqual(["main"]);
  });

  test("guards (M8, M9): one gate step in collect, per stack; it never fails the job, so the other stacks go on", () => {
    const scripts = stepsUsing(collect, "actions/github-script");
    expect(scripts).toHaveLength(1);
    const gate = scripts[0]!;
    expect(gate.id).toBe("gate");
    expect(gate.if).toBe("steps.apply.outputs.has-changes == 'true'");
    // Comparison, destroy guard and environments in one call, in that order (gateStacks, __tests__/delivery/gate.test.ts).
    expect(scriptOf(gate)).toMatch(/delivery\.gateStacks\(\{[^}]*matrix: JSON\.parse\(process\.env\.MATRIX\)/s);
    expect(gate.env?.MATRIX).toBe("${{ steps.apply.outputs.matrix }}");
    // Any failure in collect would skip every apply job of the run: nothing in it fails on a guard.
    for (const step of collect.steps ?? []) expect(`${scriptOf(step)}${step.run ?? ""}`).not.toMatch(/setFailed|exit 1/);
    expect((collect as { outputs?: Record<string, string> }).outputs).toEqual({
      matrix: "${{ steps.gate.outputs.matrix || steps.apply.outputs.matrix }}",
      "has-changes": "${{ steps.gate.outputs.has-changes }}",
      blocked: "${{ steps.gate.outputs.blocked }}",
      "has-blocked": "${{ steps.gate.outputs.has-blocked }}",
    });
    for (const key of ["matrix", "has-changes", "blocked", "has-blocked"]) expect(scriptOf(gate)).toContain(`core.setOutput('${key}', `);
    // The held-back stacks fail the run in the report job, which runs also when every stack was held back.
    const report = w.doc.jobs.report!;
    const post = scriptOf(stepsUsing(report, "actions/github-script")[0]!);
    expect(stepsUsing(report, "actions/github-script")[0]!.env?.BLOCKED).toBe("${{ needs.collect.outputs.blocked }}");
    expect(post).toMatch(/stacks: \[\.\.\.JSON\.parse\(process\.env\.MATRIX\)\.include\.map\(\(m\) => m\.stack\), \.\.\.blocked\]/);
    expect(post).toMatch(/if \(blocked\.length\) failures\.push/);
  });

  test("guards: no-prior-state check, then the head guard immediately before terraform apply", () => {
    const steps = apply.steps ?? [];
    const applyIdx = steps.findIndex((s) => /terraform -chdir="\$STACK_DIR" apply /.test(s.run ?? ""));
    const head = steps[applyIdx - 1]!;
    expect(scriptOf(head)).toMatch(/delivery\.verifyHead\(\{[^}]*branch: 'main', plannedSha: context\.sha/s);
    expect(scriptOf(head)).toMatch(/core\.setFailed\(/);
    const prior = steps[applyIdx - 2]!;
    expect(scriptOf(prior)).toMatch(/delivery\.checkPriorState\(/);
    const read = steps[applyIdx - 3]!.run ?? "";
    expect(read).toContain('show -json plan.tfplan > "${RUNNER_TEMP}/plan.json"');
    expect(read).toContain('state list > "${RUNNER_TEMP}/state.txt"');
    expect(read).toContain('grep -q "No state file was found"');
  });

  test("guards: collect posts the main plan on the merged PR, flags differences and enforces the destroy label", () => {
    const step = stepsUsing(collect, "actions/github-script").find((s) => /delivery\.gateStacks\(/.test(scriptOf(s)))!;
    expect(scriptOf(step)).toMatch(/core\.summary\.addRaw/);
    expect(scriptOf(step)).toMatch(/core\.warning\(/);
    expect(scriptOf(step)).toMatch(/for \(const \[stack, problems\] of Object\.entries\(r\.blocked\)\) core\.error\(/);
    expect(collect.permissions).toEqual({ contents: "read", actions: "read", "pull-requests": "write" });
    expect(runs(plan)).toMatch(/--meta "\$\{RUNNER_TEMP\}\/meta\/\$\{STACK\}\.json" --out "\$\{RUNNER_TEMP\}\/meta\/\$\{STACK\}\.md"/);
    expect(apply.needs).toEqual(["plan", "collect"]);
  });

  test("the plan role plans, the apply role applies", () => {
    expect(String(stepsUsing(plan, "aws-actions/configure-aws-credentials")[0]!.with!["role-to-assume"])).toBe("${{ matrix.planRoleArn }}");
    expect(plan.environment).toBeUndefined();
  });
});

describe("drift.yml", () => {
  const w = workflow("drift");
  const job = w.doc.jobs.drift!;
  test("daily schedule and manual runs", () => {
    expect(Object.keys(w.doc.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect((w.doc.on.schedule as Array<{ cron: string }>)[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  test("refresh-only plan and normal plan, -detailed-exitcode -lock=false, read-only role; issues synced; errors fail", () => {
    const text = runs(job);
    expect(text).toMatch(/plan -refresh-only -input=false -lock=false -detailed-exitcode -no-color -out=refresh\.tfplan/);
    expect(text).toMatch(/plan -input=false -lock=false -detailed-exitcode -no-color -out=drift\.tfplan/);
    expect(text).toMatch(/cli\.cjs drift-report --stack "\$STACK"/);
    expect(text).not.toMatch(/ apply /);
    expect(String(stepsUsing(job, "aws-actions/configure-aws-credentials")[0]!.with!["role-to-assume"])).toBe("${{ matrix.planRoleArn }}");
    const sync = stepsUsing(job, "actions/github-script")[0]!;
    expect(sync.if).toBeUndefined(); // errors open or update an issue too
    expect(String(sync.with!.script)).toMatch(/delivery\.syncDriftIssues\(/);
    const fail = (job.steps ?? []).at(-1)!;
    expect(fail.if).toBe("steps.plan.outputs.outcome != 'ok'");
    expect(fail.run).toMatch(/exit 1/);
  });

  test("cleanup closes the issues of stacks that no longer exist, only after a successful synth", () => {
    const cleanup = w.doc.jobs.cleanup!;
    expect(cleanup.if).toBe("always() && needs.prepare.result == 'success'");
    expect(cleanup.permissions).toEqual({ issues: "write" });
    expect(String(stepsUsing(cleanup, "actions/github-script")[0]!.with!.script)).toMatch(/delivery\.closeIssuesOfRemovedStacks\(/);
  });
});

describe("the bundle the credentialed jobs build (untrusted-code.test.ts checks what they run)", () => {
  test("is built from scripts/delivery and the dependency-free label list only (no npm package inside)", async () => {
    const { buildSync } = await import("esbuild");
    for (const entry of ["cli", "github"]) {
      const r = buildSync({
        entryPoints: [join(REPO_ROOT, "scripts", "delivery", `${entry}.ts`)],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(r.metafile!.inputs);
      // modules/github/labels.ts (the labels the github stack declares) imports nothing, so it brings nothing in.
      expect(inputs.filter((p) => !p.startsWith("scripts/delivery/") && p !== "modules/github/labels.ts")).toEqual([]);
      expect(r.metafile!.inputs["modules/github/labels.ts"]?.imports ?? []).toEqual([]);
    }
  });
});

describe("required checks in the docs", () => {
  /** Check runs of a job are named by its `name:` (matrix jobs by their expanded name, never required). */
  const jobNames = new Set(loadWorkflows().flatMap((x) => Object.values(x.doc.jobs).map((j) => j.name ?? "")));
  const docs = readFileSync(join(REPO_ROOT, "docs", "delivery.md"), "utf8");
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

  test("docs/delivery.md (branch protection) and the README name the required checks by their real names", () => {
    const setup = /require the\s+status checks ([\s\S]+?)\(a required check/.exec(docs);
    expect(setup).not.toBeNull();
    const required = names(setup![1]!);
    expect(required).toEqual(["type-check, test, synth", "plan-status"]);
    const inReadme = /Branch protection requires the checks ([^;]+);/.exec(readme);
    expect(inReadme).not.toBeNull();
    expect(names(inReadme![1]!)).toEqual(required);
    for (const name of required) expect({ name, isAJob: jobNames.has(name) }).toEqual({ name, isAJob: true });
    // "workflow / job" is how the checks list shows them, not a check name.
    for (const text of [docs, readme]) expect(text).not.toMatch(/`(ci|plan) \/ /);
  });
});
