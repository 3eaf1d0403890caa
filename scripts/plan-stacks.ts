/**
 * Plans synthesized stacks with real offline Terraform, several at a time, optionally through a content-addressed
 * cache. One stack: copy its synthesized folder (assets are referenced relative to it), rewrite `cdk.tf.json` for an
 * offline plan ({@link offlineStackJson}), copy the committed lock file, then `terraform init -lockfile=readonly`,
 * `plan -out` (whose output is kept as the text where it is wanted) and `show -json`. There is no separate `validate`:
 * `plan` validates the configuration first and fails with the same diagnostics.
 *
 * The cache (tests: `.plan-cache/`, git-ignored, safe to delete) keys a plan by everything it depends on: the offline
 * stack JSON (which names each Lambda asset by its content hash), the lock file, the Terraform version, the AWS
 * provider version and whether the text is kept. An entry is written to a private folder and renamed into place, so
 * concurrent runs never see half an entry and never need a lock: the first rename wins, the other copy is dropped.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  AWS_PROVIDER_VERSION,
  INIT_ARGS,
  lockFileOf,
  offlineStackJson,
  type ProviderSetup,
  REPO_ROOT,
  type StackPlan,
  summarizePlan,
  terraformEnv,
  terraformError,
} from "./terraform";

export interface PlanRequest {
  /** Stack name (`bootstrap`, `cci-lite-<env>`); its lock file is `tf/locks/<name>.terraform.lock.hcl`. */
  readonly name: string;
  /** The synthesized stack folder (`cdktf.out/stacks/<name>`). */
  readonly synthDir: string;
  /** Where to plan when there is no cache (the folder is replaced). Ignored with a cache. */
  readonly workDir?: string;
  /** Also write `plan.txt` (the plan's text, as `terraform show -no-color` prints it). @default true */
  readonly text?: boolean;
}

export interface PlanStacksOptions {
  readonly setup: ProviderSetup;
  /** Terraform version (`checkToolchain()`), part of the cache key. */
  readonly terraformVersion: string;
  /** Stacks planned at once. @default 2 (this project's machines have two cores) */
  readonly jobs?: number;
  /** Cache folder; without it every stack is planned into its `workDir`. */
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
  /** Called as each stack is ready (in completion order), with its request. */
  readonly onPlanned?: (plan: StackPlan, request: PlanRequest) => void;
}

function run(args: readonly string[], cwd: string, setup: ProviderSetup): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("terraform", args, { cwd, env: terraformEnv(setup), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(terraformError(args, cwd, Object.assign(error, { stdout, stderr })));
      else resolve(stdout);
    });
  });
}

function committedLockOf(name: string): string {
  const lock = lockFileOf(name);
  if (!fs.existsSync(lock))
    throw new Error(`${path.relative(REPO_ROOT, lock)} is missing: run \`npx tsx scripts/offline-plan.ts --update-locks\` and commit it`);
  return lock;
}

/** The cache key of one stack's plan: everything the plan depends on, and nothing that varies between synths. */
export function planCacheKey(offlineJson: string, lockFile: string, terraformVersion: string, text: boolean): string {
  const h = createHash("sha256");
  for (const part of [offlineJson, lockFile, `terraform ${terraformVersion}`, `aws ${AWS_PROVIDER_VERSION}`, `text ${text}`]) h.update(part).update("\0");
  return h.digest("hex").slice(0, 32);
}

/** Files of a planned stack folder. */
function planFiles(workDir: string) {
  return { planFile: path.join(workDir, "plan.tfplan"), planJson: path.join(workDir, "plan.json"), planText: path.join(workDir, "plan.txt") };
}

async function planInto(req: PlanRequest, workDir: string, offlineJson: string, setup: ProviderSetup, log: (l: string) => void): Promise<void> {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.cpSync(req.synthDir, workDir, { recursive: true });
  fs.writeFileSync(path.join(workDir, "cdk.tf.json"), offlineJson);
  fs.copyFileSync(committedLockOf(req.name), path.join(workDir, ".terraform.lock.hcl"));
  const files = planFiles(workDir);
  log(`${req.name}: terraform init`);
  await run(INIT_ARGS, workDir, setup);
  log(`${req.name}: terraform plan`);
  // The plan's own output is the text `terraform show -no-color` would print for the saved plan (the same renderer,
  // byte for byte, with TF_IN_AUTOMATION set), so the text costs no second provider start.
  const text = await run(["plan", "-input=false", "-lock=false", "-no-color", `-out=${files.planFile}`], workDir, setup);
  fs.writeFileSync(files.planJson, await run(["show", "-json", files.planFile], workDir, setup));
  if (req.text !== false) fs.writeFileSync(files.planText, text);
}

async function planOne(req: PlanRequest, options: PlanStacksOptions): Promise<StackPlan> {
  const started = performance.now(); // elapsed time for people, not a decision: a monotonic clock
  const log = options.log ?? (() => undefined);
  const offlineJson = JSON.stringify(offlineStackJson(JSON.parse(fs.readFileSync(path.join(req.synthDir, "cdk.tf.json"), "utf8"))), null, 2);
  let workDir: string;
  let cached = false;
  if (options.cacheDir) {
    const key = planCacheKey(offlineJson, fs.readFileSync(committedLockOf(req.name), "utf8"), options.terraformVersion, req.text !== false);
    workDir = path.join(options.cacheDir, `${req.name}-${key}`);
    cached = fs.existsSync(path.join(workDir, "plan.json"));
    if (!cached) {
      fs.mkdirSync(options.cacheDir, { recursive: true });
      const tmp = fs.mkdtempSync(path.join(options.cacheDir, `.tmp-${req.name}-`));
      try {
        await planInto(req, tmp, offlineJson, options.setup, log);
        fs.renameSync(tmp, workDir);
      } catch (e) {
        const raced = (e as NodeJS.ErrnoException).code === "ENOTEMPTY" || (e as NodeJS.ErrnoException).code === "EEXIST";
        fs.rmSync(tmp, { recursive: true, force: true });
        if (!raced) throw e;
      }
    } else log(`${req.name}: cached plan ${path.relative(REPO_ROOT, workDir)}`);
  } else {
    workDir = path.resolve(req.workDir ?? path.join(REPO_ROOT, ".plan-work", "stacks", req.name));
    await planInto(req, workDir, offlineJson, options.setup, log);
  }
  const files = planFiles(workDir);
  return {
    name: req.name,
    synthDir: req.synthDir,
    workDir,
    ...files,
    ...summarizePlan(JSON.parse(fs.readFileSync(files.planJson, "utf8"))),
    seconds: (performance.now() - started) / 1000,
    cached,
  };
}

/**
 * A pool that plans stacks `jobs` at a time as they are added, so planning starts while later stacks are still being
 * synthesized. `drain()` resolves with every plan in the order added, or rejects with the first failure.
 */
export class PlanPool {
  private readonly queue: Array<{ req: PlanRequest; index: number }> = [];
  private readonly results: StackPlan[] = [];
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private added = 0;

  constructor(private readonly options: PlanStacksOptions) {}

  add(req: PlanRequest): void {
    this.queue.push({ req, index: this.added++ });
    this.pump();
  }

  private pump(): void {
    const jobs = Math.max(1, this.options.jobs ?? 2);
    while (this.failure === undefined && this.running.size < jobs && this.queue.length > 0) {
      const { req, index } = this.queue.shift() as { req: PlanRequest; index: number };
      const p: Promise<void> = planOne(req, this.options).then(
        (plan) => {
          this.results[index] = plan;
          this.options.onPlanned?.(plan, req);
        },
        (e: unknown) => {
          this.failure ??= e;
        },
      );
      const tracked = p.finally(() => {
        this.running.delete(tracked);
        this.pump();
      });
      this.running.add(tracked);
    }
  }

  async drain(): Promise<StackPlan[]> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure !== undefined) throw this.failure;
    return this.results;
  }
}

/** Plans every request, `jobs` at a time; results in request order. The first failure fails the whole call. */
export async function planStacks(requests: readonly PlanRequest[], options: PlanStacksOptions): Promise<StackPlan[]> {
  const pool = new PlanPool(options);
  for (const r of requests) pool.add(r);
  return pool.drain();
}
