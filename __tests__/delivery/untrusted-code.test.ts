/**
 * Nothing untrusted beside credentials or keys (issue 21, M2 and M10). A job that holds a role (`id-token: write`),
 * a GitHub environment or a secret runs only: our code from the checked-out commit, bundled in that job after
 * `npm ci --ignore-scripts` by the lockfile's esbuild (scripts/delivery/bundle.sh); Terraform; OpenSSL (seal.sh);
 * SHA-pinned official actions (structure.test.ts checks the pins). The saved plan it applies is the file its run's
 * plan job sealed, checked by the SHA-256 that job hands over as a job output, before anything is opened.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { allSteps, loadWorkflows, REPO_ROOT, workflow, type Job } from "./workflows";

const OFFICIAL = /^(actions|aws-actions|hashicorp)\/[a-z-]+@[0-9a-f]{40}$/;
/** Artifacts a credentialed job may download: data only (Terraform's configuration, the digest-checked sealed plan). */
const DATA_ARTIFACTS = ["cdktf-out", "plan-${{ matrix.stack }}"];
/** What a `run:` line may start: our bundle, seal.sh (OpenSSL), Terraform, and shell built-ins or coreutils. */
const COMMANDS = new Set(
  "terraform node bash npm openssl tar cp mkdir rm printf echo cat grep tee cut mv set rc if then fi else elif exit key actual digest out log args refresh_rc plan_rc for done do umask : { }".split(
    " ",
  ),
);

const holdsCredentials = (job: Job): boolean =>
  (job.permissions as Record<string, string>)?.["id-token"] === "write" || job.environment !== undefined || /\$\{\{\s*secrets\./.test(JSON.stringify(job));

/** Why a credentialed job runs something untrusted ([] when it does not). Exported to the planted-violation tests below. */
function untrustedCode(job: Job): string[] {
  const problems: string[] = [];
  const steps = job.steps ?? [];
  const firstSecret = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") || /\$\{\{\s*secrets\./.test(JSON.stringify(s)));
  const bundled = steps.findIndex((s) => s.run?.trim() === "bash scripts/delivery/bundle.sh");
  const installed = steps.findIndex((s) => s.run?.trim() === "npm ci --ignore-scripts");
  steps.forEach((s, i) => {
    const at = `step ${i} (${s.name ?? s.uses ?? "run"})`;
    if (s.uses && !OFFICIAL.test(s.uses)) problems.push(`${at}: ${s.uses} is not a SHA-pinned official action`);
    if (s.uses?.startsWith("actions/checkout@") && (s.with?.ref !== undefined || s.with?.repository !== undefined))
      problems.push(`${at}: checks out something else than the run's commit`);
    if (s.uses?.startsWith("actions/download-artifact@")) {
      const name = String(s.with?.name ?? s.with?.pattern);
      if (!DATA_ARTIFACTS.includes(name)) problems.push(`${at}: downloads ${name}, code or data from another job`);
    }
    const script = s.run ?? "";
    for (const m of script.matchAll(/\bnpm\s+([^\n;&|]*)/g))
      if (m[1]!.trim() !== "ci --ignore-scripts") problems.push(`${at}: runs npm ${m[1]!.trim()} (only npm ci --ignore-scripts)`);
    if (/\b(npx|pip3?|pipx|python3?|docker|curl|wget|checkov|tsx|yarn|pnpm)\b/.test(script))
      problems.push(`${at}: runs a tool that fetches or runs third-party code`);
    for (const m of script.matchAll(/\bnode\s+(\S+)/g))
      if (!/^dist\/delivery\/[a-z-]+\.cjs$/.test(m[1]!)) problems.push(`${at}: node runs ${m[1]} (only the bundle, dist/delivery/*.cjs)`);
    for (const m of script.matchAll(/\bbash\s+(\S+)/g))
      if (!["scripts/delivery/bundle.sh", "dist/delivery/seal.sh"].includes(m[1]!)) problems.push(`${at}: bash runs ${m[1]}`);
    for (const line of script.split("\n").map((l) => l.trim().replace(/^(\(|\$\(|!\s)/, ""))) {
      const word = line.split(/[\s=(]/)[0]!;
      if (line && !line.startsWith("#") && !line.startsWith("--") && !line.startsWith('"') && !COMMANDS.has(word) && !/^[A-Za-z_]+=/.test(line))
        problems.push(`${at}: runs ${word}`);
    }
    const usesBundle = /dist\/delivery\//.test(`${script}${JSON.stringify(s.with ?? {})}`);
    if (usesBundle && (bundled < 0 || i < bundled)) problems.push(`${at}: uses dist/delivery before this job bundled it`);
  });
  if (bundled >= 0 && (installed < 0 || installed > bundled)) problems.push("bundles before npm ci --ignore-scripts");
  if (bundled >= 0 && firstSecret >= 0 && bundled > firstSecret) problems.push("bundles after credentials or a secret are present");
  return problems;
}

const credentialed = loadWorkflows().flatMap((w) =>
  Object.entries(w.doc.jobs)
    .filter(([, j]) => holdsCredentials(j))
    .map(([name, j]) => [`${w.file}:${name}`, j] as const),
);

describe("nothing untrusted beside credentials or keys", () => {
  test("the jobs holding a role, an environment or a secret are the plan, apply and drift jobs", () => {
    expect(credentialed.map(([id]) => id).sort()).toEqual(["apply.yml:apply", "apply.yml:plan", "drift.yml:drift", "plan.yml:plan"]);
  });

  test.each(credentialed)("%s runs only its own bundle of this commit (npm ci --ignore-scripts), Terraform, OpenSSL and official actions", (_id, job) => {
    expect(untrustedCode(job)).toEqual([]);
  });

  test("the check fails on each planted violation", () => {
    const base = workflow("apply").doc.jobs.apply!;
    const plant = (i: number, step: object) => untrustedCode({ ...base, steps: [...base.steps!.slice(0, i), step, ...base.steps!.slice(i)] });
    expect(plant(2, { run: "npm ci" })).toContainEqual(expect.stringContaining("runs npm ci (only npm ci --ignore-scripts)"));
    expect(plant(5, { run: "npx tsx scripts/delivery/cli.ts matrix" })).toContainEqual(expect.stringContaining("third-party code"));
    expect(plant(5, { uses: "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", with: { name: "delivery-scripts" } })).toContainEqual(
      expect.stringContaining("downloads delivery-scripts"),
    );
    expect(plant(5, { uses: "some-one/action@v1" })).toContainEqual(expect.stringContaining("not a SHA-pinned official action"));
    expect(plant(5, { run: "node node_modules/x/index.js" })).toContainEqual(expect.stringContaining("node runs node_modules/x/index.js"));
    expect(plant(5, { run: "make deploy" })).toContainEqual(expect.stringContaining("runs make"));
    // The bundle used before this job built it, or built after a secret is present.
    expect(untrustedCode({ ...base, steps: [base.steps![4]!, ...base.steps!] })).toContainEqual(expect.stringContaining("before this job bundled it"));
  });

  test("every npm ci of the delivery workflows skips install scripts; the bundle is built by the lockfile's esbuild only", () => {
    let installs = 0;
    for (const w of loadWorkflows().filter((x) => x.file !== "ci.yml"))
      for (const { job, step } of allSteps(w))
        for (const m of (step.run ?? "").matchAll(/\bnpm ci\b.*$/gm)) {
          expect({ file: w.file, job, line: m[0] }).toEqual({ file: w.file, job, line: "npm ci --ignore-scripts" });
          installs++;
        }
    expect(installs).toBe(7); // three prepare jobs, four credentialed jobs
    const bundle = readFileSync(join(REPO_ROOT, "scripts", "delivery", "bundle.sh"), "utf8")
      .split("\n")
      .filter((l) => !l.trim().startsWith("#"))
      .join("\n");
    expect(bundle).toMatch(/^esbuild="node_modules\/\.bin\/esbuild"$/m);
    const lint = spawnSync("shellcheck", ["-s", "bash", join(REPO_ROOT, "scripts", "delivery", "bundle.sh")], { encoding: "utf8" });
    expect([lint.stdout, lint.status]).toEqual(["", 0]);
    expect(bundle).not.toMatch(/\b(npx|npm (?!ci --ignore-scripts))/);
  });
});

describe("the sealed plan's SHA-256 goes from the plan job to the apply job (job outputs), checked before opening", () => {
  const w = workflow("apply");
  const plan = w.doc.jobs.plan! as Job & { outputs?: Record<string, string> };
  const apply = w.doc.jobs.apply!;
  const stacks = readdirSync(join(REPO_ROOT, "config"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `cci-lite-${f.slice(0, -5)}`)
    .sort();

  test("one output per stack of config/ (matrix legs share the job's outputs), set by the sealing step", () => {
    expect(plan.outputs).toEqual(Object.fromEntries(stacks.map((s) => [`sha256-${s}`, `\${{ steps.seal.outputs.sha256-${s} }}`])));
    const seal = plan.steps!.find((s) => s.id === "seal")!;
    expect(seal.run).toMatch(/digest="\$\(bash dist\/delivery\/seal\.sh seal [^\n]*\)"\n\s*echo "sha256-\$\{STACK\}=\$\{digest\}" >> "\$GITHUB_OUTPUT"/);
  });

  test("the apply job reads its stack's digest from the plan job and checks it before the key, the role or seal.sh open", () => {
    expect(apply.needs).toEqual(["plan", "collect"]);
    expect(apply.env?.SEALED_PLAN_SHA256).toBe("${{ needs.plan.outputs[format('sha256-{0}', matrix.stack)] }}");
    const steps = apply.steps!;
    const verify = steps.findIndex((s) => s.name === "Verify the sealed plan's SHA-256 (the plan job's output)");
    const download = steps.findIndex((s) => s.with?.name === "plan-${{ matrix.stack }}");
    const decrypt = steps.findIndex((s) => /seal\.sh open/.test(s.run ?? ""));
    const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(download).toBeGreaterThan(-1);
    expect([download < verify, verify < decrypt, decrypt < credentials]).toEqual([true, true, true]);
    expect(steps[verify]!.run).toMatch(/\[\[ "\$actual" != "\$SEALED_PLAN_SHA256" \]\]/);
    expect(steps[decrypt]!.run).toMatch(
      /seal\.sh open "\$key" "\$\{RUNNER_TEMP\}\/sealed\/plan\.sealed" "\$\{RUNNER_TEMP\}\/plan\.tgz" "\$SEALED_PLAN_SHA256"/,
    );
  });

  test("guards that need no credentials run before any: environment protection and the head of main", () => {
    const steps = apply.steps!;
    const credentials = Math.min(
      steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")),
      steps.findIndex((s) => /secrets\./.test(JSON.stringify(s))),
    );
    const guard = (re: RegExp) => steps.findIndex((s) => re.test(String(s.with?.script ?? "")));
    expect(guard(/delivery\.verifyEnvironment\(/)).toBeLessThan(credentials);
    expect(guard(/delivery\.verifyHead\(/)).toBeLessThan(credentials);
    // And the head again immediately before applying.
    const heads = steps.map((s, i) => (/delivery\.verifyHead\(/.test(String(s.with?.script ?? "")) ? i : -1)).filter((i) => i >= 0);
    expect(heads).toHaveLength(2);
    expect(steps[heads[1]! + 1]!.id).toBe("apply");
  });
});
