/**
 * cdktf.out/manifest.json -> GitHub Actions matrix of the stacks CI plans, applies and checks for drift.
 *
 * Stacks whose synthesized configuration uses a local backend (or none, which Terraform treats as local),
 * such as `bootstrap`, are excluded: an administrator applies them by hand (docs/delivery.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface CdktfManifest {
  version?: string;
  stacks: Record<string, { name: string; workingDirectory: string; synthesizedStackPath: string; dependencies?: string[] }>;
}

export interface MatrixEntry {
  stack: string;
  /** Relative to the repository root, e.g. `cdktf.out/stacks/cci-lite-prod`. */
  workingDirectory: string;
  /** Committed provider lock file, e.g. `tf/locks/cci-lite-prod.terraform.lock.hcl`. */
  lockFile: string;
  backend: string;
  /** GitHub environment whose approval gates this stack's apply (`environment:` of the apply job). */
  environment: string;
  /** The plan role of this stack's environment (`role-to-assume` of the plan and drift jobs): it reads only this stack's state. */
  planRoleArn: string;
  /** The apply role of this stack's environment (`role-to-assume` of the apply job). */
  applyRoleArn: string;
  /**
   * Repository variable holding the environment's plan-encryption public key (PEM), e.g. `PLAN_PUBLIC_KEY_PROD`;
   * the private key is the environment's secret `PLAN_PRIVATE_KEY` (scripts/delivery/seal.sh, docs/delivery.md).
   */
  planKeyVariable: string;
}

/** `PLAN_PUBLIC_KEY_<ENVIRONMENT>` (upper case, other characters as `_`). */
export function planKeyVariable(environment: string): string {
  return `PLAN_PUBLIC_KEY_${environment.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** What each app stack records about its delivery (main.ts, `//.cci_lite_delivery` of the synthesized JSON). */
export function deliveryOf(stackJson: unknown, name: string): { environment: string; planRoleArn: string; applyRoleArn: string } {
  const d = (stackJson as { "//"?: { cci_lite_delivery?: { deployEnvironment?: unknown; planRoleArn?: unknown; applyRoleArn?: unknown } } })?.["//"]
    ?.cci_lite_delivery;
  const environment = d?.deployEnvironment;
  if (typeof environment !== "string" || !SAFE_STACK_NAME.test(environment))
    throw new Error(`Stack ${name}: no safe deploy environment in //.cci_lite_delivery`);
  const role = (kind: "plan" | "apply", arn: unknown): string => {
    if (typeof arn !== "string" || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@-]+$/.test(arn))
      throw new Error(`Stack ${name}: no ${kind} role ARN in //.cci_lite_delivery`);
    return arn;
  };
  return { environment, planRoleArn: role("plan", d?.planRoleArn), applyRoleArn: role("apply", d?.applyRoleArn) };
}

export interface ExcludedStack {
  stack: string;
  backend: string;
  reason: string;
}

export interface StackMatrix {
  /** `{ include: [...] }`, ready for `strategy.matrix: ${{ fromJSON(...) }}`. */
  matrix: { include: MatrixEntry[] };
  excluded: ExcludedStack[];
}

/** The backend type a synthesized stack uses (`local` when none is configured). */
export function backendOf(stackJson: unknown): string {
  const tf = (stackJson as { terraform?: { backend?: Record<string, unknown>; cloud?: unknown } })?.terraform;
  if (tf?.cloud) return "cloud";
  const names = Object.keys(tf?.backend ?? {});
  if (names.length > 1) throw new Error(`More than one backend configured: ${names.join(", ")}`);
  return names[0] ?? "local";
}

const SAFE_STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Builds the matrix from a synthesized cdktf output directory (`outDir`, default `cdktf.out`).
 * `outDirForWorkflow` is the same directory as the workflows see it (relative to the repository root).
 */
export function buildStackMatrix(outDir: string, outDirForWorkflow = "cdktf.out", locksDir = "tf/locks"): StackMatrix {
  const manifestPath = join(outDir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} not found: run the synth first`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CdktfManifest;
  if (!manifest.stacks || typeof manifest.stacks !== "object") throw new Error(`${manifestPath}: no "stacks" object`);
  const include: MatrixEntry[] = [];
  const excluded: ExcludedStack[] = [];
  for (const [key, st] of Object.entries(manifest.stacks).sort(([a], [b]) => a.localeCompare(b))) {
    const name = st.name ?? key;
    // Stack names end up in paths, artifact names, concurrency groups and issue titles.
    if (!SAFE_STACK_NAME.test(name)) throw new Error(`Unsafe stack name ${JSON.stringify(name)}`);
    const stackJson = JSON.parse(readFileSync(join(outDir, st.synthesizedStackPath), "utf8"));
    const backend = backendOf(stackJson);
    if (backend === "local") {
      excluded.push({ stack: name, backend, reason: "local backend: applied by an administrator, not by CI" });
      continue;
    }
    const delivery = deliveryOf(stackJson, name);
    include.push({
      stack: name,
      workingDirectory: `${outDirForWorkflow}/${st.workingDirectory}`,
      lockFile: `${locksDir}/${name}.terraform.lock.hcl`,
      backend,
      ...delivery,
      planKeyVariable: planKeyVariable(delivery.environment),
    });
  }
  return { matrix: { include }, excluded };
}

export function renderMatrixSummary(m: StackMatrix): string {
  const lines = ["### Terraform stacks", ""];
  if (m.matrix.include.length === 0) lines.push("No stack with a remote backend: nothing for CI to plan.");
  for (const e of m.matrix.include) lines.push(`- \`${e.stack}\` (${e.backend} backend): planned by CI, applied from the \`${e.environment}\` environment`);
  for (const x of m.excluded) lines.push(`- \`${x.stack}\`: **excluded** (${x.reason})`);
  return `${lines.join("\n")}\n`;
}

export interface PlanMeta {
  stack: string;
  hasChanges: boolean;
  add: number;
  change: number;
  destroy: number;
  /** Changed resources as sorted "address action" lines (guards.planChanges). */
  changes?: string[];
  /** Stateful resources deleted or replaced, "address action" (guards.statefulDestroys). */
  statefulDestroys?: string[];
}

/** From the per-stack plan results, the matrix of stacks that have something to apply. */
export function applyMatrix(metas: PlanMeta[], full: StackMatrix["matrix"]): { include: MatrixEntry[] } {
  const changed = new Set(metas.filter((m) => m.hasChanges).map((m) => m.stack));
  const known = new Set(full.include.map((e) => e.stack));
  for (const m of metas) if (!known.has(m.stack)) throw new Error(`Plan result for unknown stack ${m.stack}`);
  for (const e of full.include) {
    if (!metas.some((m) => m.stack === e.stack)) throw new Error(`No plan result for stack ${e.stack}`);
  }
  return { include: full.include.filter((e) => changed.has(e.stack)) };
}
