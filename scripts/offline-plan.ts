/**
 * Synthesizes the app and runs real Terraform on every stack without AWS, two stacks at a time: `init` with the
 * committed lock file (`-lockfile=readonly`), `plan` (local backend, fake credentials, no AWS calls; it validates the
 * configuration first, so there is no separate `validate`; its output is the text `show -no-color` prints) and
 * `show -json`.
 *
 *   npx tsx scripts/offline-plan.ts [--out .plan-work] [--update-locks] [--jobs 2]
 *
 * The AWS provider comes from the filesystem mirror /opt/tf-plugins when it is there (this project's machines and
 * CI: fully offline), otherwise from the registry into a plugin cache under the repository (`.terraform-plugins/`,
 * git-ignored; downloaded once, needs network), verified by `init -lockfile=readonly` against the committed lock
 * file either way (see {@link providerSetup}, scripts/terraform.ts). Used by the main job (README); the tests plan
 * their fixture through scripts/plan-stacks.ts with a cache. Fails, never skips, when Terraform is missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildApp, type BuildOptions } from "../main";
import { exitOnUsageError, parseOptions } from "./args";
import type { CdktfManifest } from "./delivery/matrix";
import { planStacks } from "./plan-stacks";
import {
  checkToolchain,
  LOCKS_DIR,
  lockFileOf,
  offlineStackJson,
  type PlanIndex,
  PROVIDER_MIRROR,
  type ProviderSetup,
  providerSetup,
  REPO_ROOT,
  terraform,
  writeProviderConfig,
} from "./terraform";

export * from "./terraform";

/**
 * Writes `tf/locks/<stack>.terraform.lock.hcl` from the mirror (linux_amd64, the CI runners' platform). Starts from
 * the committed lock file, so the other platforms' `h1:`/`zh:` hashes are kept (`providers lock` only adds).
 */
function updateLock(stack: string, synthDir: string, setup: ProviderSetup): void {
  const workDir = fs.mkdtempSync(path.join(REPO_ROOT, ".plan-work", `lock-${stack}-`));
  try {
    fs.cpSync(synthDir, workDir, { recursive: true });
    fs.writeFileSync(
      path.join(workDir, "cdk.tf.json"),
      JSON.stringify(offlineStackJson(JSON.parse(fs.readFileSync(path.join(synthDir, "cdk.tf.json"), "utf8")))),
    );
    const committed = lockFileOf(stack);
    if (fs.existsSync(committed)) fs.copyFileSync(committed, path.join(workDir, ".terraform.lock.hcl"));
    const source = setup.mode === "mirror" ? [`-fs-mirror=${PROVIDER_MIRROR}`] : [];
    terraform(["providers", "lock", ...source, "-platform=linux_amd64"], workDir, {}, setup);
    fs.mkdirSync(LOCKS_DIR, { recursive: true });
    fs.copyFileSync(path.join(workDir, ".terraform.lock.hcl"), committed);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export interface OfflinePlanOptions {
  /** Output folder. @default `<repo>/.plan-work` */
  readonly out?: string;
  /** Regenerate the committed lock files instead of requiring them. @default false */
  readonly updateLocks?: boolean;
  readonly environments?: string;
  readonly configDir?: string;
  readonly bundles?: BuildOptions["bundles"];
  readonly log?: (line: string) => void;
  /** Where the provider comes from. @default providerSetup() (the mirror when present, else the registry) */
  readonly providers?: ProviderSetup;
  /** Stacks planned at once. @default 2 */
  readonly jobs?: number;
}

/** Synthesizes the app into `<out>/cdktf.out` and plans every stack into `<out>/stacks/<stack>`, two at a time. */
export async function offlinePlan(options: OfflinePlanOptions = {}): Promise<PlanIndex> {
  const out = path.resolve(options.out ?? path.join(REPO_ROOT, ".plan-work"));
  const log = options.log ?? (() => undefined);
  const terraformVersion = checkToolchain();
  const setup = options.providers ?? providerSetup();
  writeProviderConfig(setup);
  log(`AWS provider: ${setup.description}`);
  for (const sub of ["cdktf.out", "stacks", "index.json"]) fs.rmSync(path.join(out, sub), { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const synthOut = path.join(out, "cdktf.out");
  buildApp({ outdir: synthOut, environments: options.environments, configDir: options.configDir, bundles: options.bundles }).synth();
  const { plannable, skipped } = offlinePlannable(stacksOf(synthOut));
  for (const s of skipped) log(`${s.name}: not planned offline (${s.reason})`);
  const requests = plannable.map((s) => ({ ...s, workDir: path.join(out, "stacks", s.name) }));
  if (options.updateLocks) for (const r of requests) updateLock(r.name, r.synthDir, setup);
  const stacks = await planStacks(requests, { setup, terraformVersion, jobs: options.jobs, log });
  const index: PlanIndex = { stacks };
  fs.writeFileSync(path.join(out, "index.json"), JSON.stringify(index, null, 2));
  return index;
}

/** The synthesized stacks of a cdktf output folder, in manifest order. */
export function stacksOf(synthOut: string): Array<{ name: string; synthDir: string }> {
  const manifest: CdktfManifest = JSON.parse(fs.readFileSync(path.join(synthOut, "manifest.json"), "utf8"));
  return Object.entries(manifest.stacks).map(([name, s]) => ({ name, synthDir: path.join(synthOut, s.workingDirectory) }));
}

/** Providers the offline mirror holds (`/opt/tf-plugins`, and the committed lock files): the AWS provider only. */
export const OFFLINE_PROVIDERS: readonly string[] = ["aws"];

/**
 * The stacks the offline plan can plan: those whose providers are all in {@link OFFLINE_PROVIDERS}. The `github`
 * stack needs `integrations/github`, which is neither in the mirror nor reachable here; it is synthesized, tested
 * structurally, and validated where the provider is available (README, "The github stack").
 */
export function offlinePlannable<S extends { name: string; synthDir: string }>(
  stacks: readonly S[],
): { plannable: S[]; skipped: Array<S & { reason: string }> } {
  const plannable: S[] = [];
  const skipped: Array<S & { reason: string }> = [];
  for (const s of stacks) {
    const json = JSON.parse(fs.readFileSync(path.join(s.synthDir, "cdk.tf.json"), "utf8")) as { terraform?: { required_providers?: Record<string, unknown> } };
    const other = Object.keys(json.terraform?.required_providers ?? {}).filter((p) => !OFFLINE_PROVIDERS.includes(p));
    if (other.length === 0) plannable.push(s);
    else skipped.push({ ...s, reason: `provider ${other.join(", ")} is not in the offline mirror` });
  }
  return { plannable, skipped };
}

/** A short per-stack table for people. */
export function formatSummary(index: PlanIndex): string {
  const lines: string[] = [];
  for (const s of index.stacks) {
    lines.push(`${s.name}: ${s.counts.create} to add, ${s.counts.update} to change, ${s.counts.delete} to destroy (init + plan ${s.seconds.toFixed(1)} s)`);
    for (const [type, n] of Object.entries(s.resourcesByType).sort()) lines.push(`    ${String(n).padStart(3)}  ${type}`);
  }
  return lines.join("\n");
}

/** The command line: `--out <dir>`, `--update-locks`, `--jobs <n>` (strict: any other option is an error naming it). */
export function parseOfflinePlanArgs(argv: readonly string[]): Pick<OfflinePlanOptions, "out" | "updateLocks" | "jobs"> {
  const { values } = parseOptions(argv, { out: { type: "string" }, "update-locks": { type: "boolean", default: false }, jobs: { type: "string" } });
  return { out: values.out, updateLocks: values["update-locks"], jobs: values.jobs ? Number(values.jobs) : undefined };
}

if (require.main === module) {
  let options: ReturnType<typeof parseOfflinePlanArgs>;
  try {
    options = parseOfflinePlanArgs(process.argv.slice(2));
  } catch (e) {
    exitOnUsageError("offline-plan", e);
  }
  offlinePlan({ ...options, log: (l) => console.error(l) }).then(
    (index) => console.log(formatSummary(index)),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
