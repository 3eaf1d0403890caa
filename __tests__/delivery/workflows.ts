/** Shared helpers for the workflow tests: load and parse every workflow under .github/workflows. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const WORKFLOW_DIR = join(REPO_ROOT, ".github", "workflows");

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean | string; queue?: "single" | "max" } | string;
  strategy?: { matrix?: unknown; "fail-fast"?: boolean };
  env?: Record<string, string>;
  steps?: Step[];
  uses?: string;
}

export interface Workflow {
  file: string;
  path: string;
  text: string;
  doc: {
    name?: string;
    on: Record<string, unknown>;
    permissions?: unknown;
    env?: Record<string, string>;
    defaults?: { run?: { shell?: string } };
    jobs: Record<string, Job>;
  };
}

export function loadWorkflows(): Workflow[] {
  return readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const path = join(WORKFLOW_DIR, file);
      const text = readFileSync(path, "utf8");
      return { file, path, text, doc: parse(text) as Workflow["doc"] };
    });
}

export function workflow(name: string): Workflow {
  const w = loadWorkflows().find((x) => x.file === `${name}.yml`);
  if (!w) throw new Error(`.github/workflows/${name}.yml not found`);
  return w;
}

export function allSteps(w: Workflow): Array<{ job: string; index: number; step: Step }> {
  return Object.entries(w.doc.jobs).flatMap(([job, j]) => (j.steps ?? []).map((step, index) => ({ job, index, step })));
}

/**
 * Retention of the apply workflow's artifacts (docs/delivery.md, "Artifacts and approvals"): the repository variable
 * ARTIFACT_RETENTION_DAYS, 7 days when unset. Every artifact a job downloads after an approval is kept this long.
 */
export const DEFAULT_ARTIFACT_RETENTION_DAYS = 7;
export const ARTIFACT_RETENTION = `\${{ vars.ARTIFACT_RETENTION_DAYS || ${DEFAULT_ARTIFACT_RETENTION_DAYS} }}`;
