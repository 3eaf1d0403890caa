/**
 * Synthesizes the app and runs real Terraform on every stack, offline: `init` from the filesystem mirror with
 * the committed lock file, `validate`, `plan` (local backend, fake credentials, no AWS calls) and `show -json`.
 *
 *   npx tsx scripts/offline-plan.ts [--out .plan-work] [--update-locks]
 *
 * Used by the main job (README), by jest's global setup (once per test run) and by CI. Fails, never skips,
 * when Terraform or the provider mirror is missing.
 */
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildApp, type BuildOptions } from "../main";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const TF_CLI_CONFIG = path.join(REPO_ROOT, "tf", "offline.tfrc");
export const LOCKS_DIR = path.join(REPO_ROOT, "tf", "locks");
export const PROVIDER_MIRROR = "/opt/tf-plugins";

export interface StackPlan {
  readonly name: string;
  /** Synthesized stack folder (cdk.tf.json as cdktf wrote it, real backend). */
  readonly synthDir: string;
  /** Working copy Terraform ran in (local backend, offline provider settings). */
  readonly workDir: string;
  readonly planFile: string;
  readonly planJson: string;
  readonly planText: string;
  readonly counts: { readonly create: number; readonly update: number; readonly delete: number; readonly replace: number };
  readonly resourcesByType: Record<string, number>;
  readonly seconds: number;
}

export interface PlanIndex {
  readonly stacks: readonly StackPlan[];
}

/** Environment for offline terraform: the repo's CLI config, fake keys, no checkpoint, no AWS profile. */
export function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]) delete env[k];
  return {
    ...env,
    TF_CLI_CONFIG_FILE: TF_CLI_CONFIG,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_ACCESS_KEY_ID: "AKIAOFFLINEPLANONLY00",
    AWS_SECRET_ACCESS_KEY: "offline-plan-fake-secret-key-not-used-anywhere",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

function terraform(args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync("terraform", args, {
      cwd,
      env: terraformEnv(),
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      ...options,
    }) as string;
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string; message: string };
    if (err.code === "ENOENT") {
      throw new Error(
        "terraform is not on PATH: the offline plan needs Terraform 1.11.x and the provider mirror at /opt/tf-plugins (see README, Prerequisites)",
      );
    }
    throw new Error(`terraform ${args.join(" ")} failed in ${cwd}:\n${err.stderr || ""}${err.stdout || ""}`);
  }
}

/** Checks the toolchain before anything runs, with one clear message. */
export function checkToolchain(): string {
  const version = terraform(["version", "-json"], REPO_ROOT);
  const v = JSON.parse(version).terraform_version as string;
  const [maj, min] = v.split(".").map(Number);
  if (maj !== 1 || min < 10) throw new Error(`Terraform ${v} found; 1.10 or newer is needed (S3-native state locking)`);
  if (!fs.existsSync(path.join(PROVIDER_MIRROR, "registry.terraform.io", "hashicorp", "aws", "5.100.0"))) {
    throw new Error(`The provider mirror ${PROVIDER_MIRROR} has no hashicorp/aws 5.100.0: offline init cannot work (see README, Prerequisites)`);
  }
  return v;
}

/**
 * Rewrites a synthesized stack for an offline plan: the real backend is replaced by a local one and the
 * provider gets the skip flags that keep it from calling AWS. Everything else is the reviewed configuration.
 */
export function offlineStackJson(stackJson: Record<string, any>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(stackJson));
  if (copy.terraform?.backend) delete copy.terraform.backend;
  for (const p of copy.provider?.aws ?? []) {
    // The account pin needs an STS call to check; offline there is no account to compare.
    delete p.allowed_account_ids;
    Object.assign(p, {
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
      skip_region_validation: true,
    });
  }
  return copy;
}

function summarize(planJson: any): Pick<StackPlan, "counts" | "resourcesByType"> {
  const counts = { create: 0, update: 0, delete: 0, replace: 0 };
  const resourcesByType: Record<string, number> = {};
  for (const rc of planJson.resource_changes ?? []) {
    const a: string[] = rc.change.actions;
    if (a.includes("create") && a.includes("delete")) counts.replace++;
    else if (a.includes("create")) counts.create++;
    else if (a.includes("update")) counts.update++;
    else if (a.includes("delete")) counts.delete++;
    if (!a.includes("no-op") && rc.mode === "managed") resourcesByType[rc.type] = (resourcesByType[rc.type] ?? 0) + 1;
  }
  return { counts, resourcesByType };
}

/**
 * Writes `tf/locks/<stack>.terraform.lock.hcl` from the mirror (linux_amd64, the CI runners' platform). Starts from
 * the committed lock file, so the other platforms' `h1:`/`zh:` hashes are kept (`providers lock` only adds).
 */
function updateLock(stack: string, workDir: string): void {
  const committed = path.join(LOCKS_DIR, `${stack}.terraform.lock.hcl`);
  if (fs.existsSync(committed)) fs.copyFileSync(committed, path.join(workDir, ".terraform.lock.hcl"));
  terraform(["providers", "lock", `-fs-mirror=${PROVIDER_MIRROR}`, "-platform=linux_amd64"], workDir);
  fs.mkdirSync(LOCKS_DIR, { recursive: true });
  fs.copyFileSync(path.join(workDir, ".terraform.lock.hcl"), path.join(LOCKS_DIR, `${stack}.terraform.lock.hcl`));
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
}

export function offlinePlan(options: OfflinePlanOptions = {}): PlanIndex {
  const out = path.resolve(options.out ?? path.join(REPO_ROOT, ".plan-work"));
  const log = options.log ?? (() => undefined);
  checkToolchain();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const synthOut = path.join(out, "cdktf.out");
  buildApp({ outdir: synthOut, environments: options.environments, configDir: options.configDir, bundles: options.bundles }).synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(synthOut, "manifest.json"), "utf8"));
  const stacks: StackPlan[] = [];
  for (const [name, s] of Object.entries<any>(manifest.stacks)) {
    const started = Date.now();
    const synthDir = path.join(synthOut, s.workingDirectory);
    const workDir = path.join(out, "stacks", name);
    fs.mkdirSync(workDir, { recursive: true });
    // Assets (Lambda zips) are referenced relative to the stack folder.
    fs.cpSync(synthDir, workDir, { recursive: true });
    const stackJson = JSON.parse(fs.readFileSync(path.join(synthDir, "cdk.tf.json"), "utf8"));
    fs.writeFileSync(path.join(workDir, "cdk.tf.json"), JSON.stringify(offlineStackJson(stackJson), null, 2));
    const lock = path.join(LOCKS_DIR, `${name}.terraform.lock.hcl`);
    if (options.updateLocks) updateLock(name, workDir);
    else if (!fs.existsSync(lock))
      throw new Error(`${path.relative(REPO_ROOT, lock)} is missing: run \`npx tsx scripts/offline-plan.ts --update-locks\` and commit it`);
    fs.copyFileSync(lock, path.join(workDir, ".terraform.lock.hcl"));
    log(`${name}: terraform init`);
    terraform(["init", "-input=false", "-lockfile=readonly", "-no-color"], workDir);
    log(`${name}: terraform validate`);
    const validation = JSON.parse(terraform(["validate", "-json", "-no-color"], workDir, {}));
    if (!validation.valid) throw new Error(`${name}: terraform validate failed:\n${JSON.stringify(validation.diagnostics, null, 2)}`);
    log(`${name}: terraform plan`);
    const planFile = path.join(workDir, "plan.tfplan");
    terraform(["plan", "-input=false", "-lock=false", "-no-color", `-out=${planFile}`], workDir);
    const planJsonText = terraform(["show", "-json", planFile], workDir);
    const planJson = path.join(workDir, "plan.json");
    fs.writeFileSync(planJson, planJsonText);
    const planText = path.join(workDir, "plan.txt");
    fs.writeFileSync(planText, terraform(["show", "-no-color", planFile], workDir));
    stacks.push({ name, synthDir, workDir, planFile, planJson, planText, ...summarize(JSON.parse(planJsonText)), seconds: (Date.now() - started) / 1000 });
  }
  const index: PlanIndex = { stacks };
  fs.writeFileSync(path.join(out, "index.json"), JSON.stringify(index, null, 2));
  return index;
}

/** A short per-stack table for people. */
export function formatSummary(index: PlanIndex): string {
  const lines: string[] = [];
  for (const s of index.stacks) {
    lines.push(`${s.name}: ${s.counts.create} to add, ${s.counts.update} to change, ${s.counts.delete} to destroy (validate + plan ${s.seconds.toFixed(1)} s)`);
    for (const [type, n] of Object.entries(s.resourcesByType).sort()) lines.push(`    ${String(n).padStart(3)}  ${type}`);
  }
  return lines.join("\n");
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf("--out");
  try {
    const index = offlinePlan({
      out: outIdx >= 0 ? args[outIdx + 1] : undefined,
      updateLocks: args.includes("--update-locks"),
      log: (l) => console.error(l),
    });
    console.log(formatSummary(index));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
