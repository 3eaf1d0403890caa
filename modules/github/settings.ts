/**
 * What the `github` stack declares about the repository, as plain data and pure functions shared with the doctor's
 * GitHub checks (scripts/doctor/github/) and the tests: the required checks, the code-owned paths and the
 * CODEOWNERS text, the action allow-list read from the workflows, and the repository-wide settings every
 * configuration must agree on. docs/delivery.md, "The github stack".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CciLiteConfig } from "../config/schema";
import { ValidationError } from "../config/errors";

/**
 * The status checks the `main` ruleset requires, by their real names: a check run is named by its job's `name:`
 * (`ci.yml`'s one job, and `plan.yml`'s `plan-status`, which always reports, also for forks and empty matrices).
 * Never `plan <stack>`: those do not exist for forks or an empty matrix and would block the merge.
 */
export const REQUIRED_CHECKS: readonly string[] = ["type-check, test, synth", "plan-status"];

/**
 * The GitHub App the required checks must come from: GitHub Actions (app id 15368). Pinning it means a status set
 * by anything else with the same name (another app, a token with `statuses: write`) does not satisfy the rule.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** Paths whose changes need the code owners' review: delivery itself, the roles it assumes, the configuration. */
export const CODEOWNED_PATHS: readonly string[] = ["/.github/", "/scripts/delivery/", "/modules/bootstrap/", "/modules/github/", "/config/"];

/** The committed `.github/CODEOWNERS` for `owners` (a test compares the file with this text). */
export function renderCodeowners(owners: readonly string[]): string {
  return [
    "# Generated from github.codeOwners in config/<env>.json (modules/github/settings.ts, renderCodeowners);",
    "# __tests__/github/settings.test.ts keeps this file in step. The main ruleset requires these owners' review.",
    ...CODEOWNED_PATHS.map((p) => `${p} ${owners.join(" ")}`),
    "",
  ].join("\n");
}

/** Repository root (modules/github/ is two levels down). */
const REPO_ROOT = path.join(__dirname, "..", "..");
export const WORKFLOWS_DIR = path.join(REPO_ROOT, ".github", "workflows");

const USES = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)/gm;
const PINNED = /^([A-Za-z0-9-]+\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._/-]+)?)@([0-9a-f]{40})$/;

/**
 * The action allow-list: every `uses:` of the workflows, each `owner/repo[/path]@<40-hex SHA>` exactly as pinned, sorted
 * and without repeats. The workflows are the one home of the pins; a `uses:` that is not SHA-pinned throws (it
 * would be allowed at whatever its tag points to). Local actions (`./…`) need no allow-list entry.
 */
export function pinnedActions(workflows: ReadonlyArray<{ readonly file: string; readonly text: string }>): string[] {
  const out = new Set<string>();
  for (const w of workflows) {
    for (const m of w.text.matchAll(USES)) {
      const uses = m[1] as string;
      if (uses.startsWith("./")) continue;
      if (!PINNED.test(uses)) throw new ValidationError(`.github/workflows/${w.file}`, "uses", `${uses} is not pinned to a full commit SHA`);
      out.add(uses);
    }
  }
  return [...out].sort();
}

/** The workflow files of `dir` (`*.yml`, `*.yaml`), by name. */
export function readWorkflows(dir: string = WORKFLOWS_DIR): Array<{ file: string; text: string }> {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => ({ file, text: fs.readFileSync(path.join(dir, file), "utf8") }));
}

/** The environment secret holding each deploy environment's plan private key (`secrets.<name>` in apply.yml). */
export const PLAN_PRIVATE_KEY_SECRET = "PLAN_PRIVATE_KEY";

/**
 * The repository variables the stack sets (`vars.<NAME>` in the workflows). `PLAN_PUBLIC_KEY_<ENV>` is not among
 * them: it is set together with its private key by scripts/setup-github.sh, so the pair is created and rotated as one.
 */
export function repositoryVariables(i: { readonly region: string; readonly artifactRetentionDays: number }): Record<string, string> {
  return { AWS_REGION: i.region, ARTIFACT_RETENTION_DAYS: String(i.artifactRetentionDays) };
}

/** One GitHub environment the stack declares: its name and its required reviewers (numeric ids). */
export interface EnvironmentSettings {
  readonly name: string;
  readonly reviewers: { readonly users: readonly number[]; readonly teams: readonly number[] };
}

/** The settings of one repository, from every configuration that names it. */
export interface RepositorySettings {
  readonly owner: string;
  readonly name: string;
  readonly mainBranch: string;
  readonly codeOwners: readonly string[];
  readonly requiredApprovals: number;
  readonly artifactRetentionDays: number;
  /** One per distinct `github.deployEnvironment`, sorted by name. */
  readonly environments: readonly EnvironmentSettings[];
}

const REPOSITORY_WIDE = ["repository", "mainBranch", "codeOwners", "requiredApprovals", "artifactRetentionDays"] as const;

/**
 * The repository's settings. Repository-wide fields must agree across the configurations, and so must the reviewers of
 * environments that share a `deployEnvironment`; a disagreement throws naming the environment and the field.
 */
export function repositorySettings(envs: readonly CciLiteConfig[]): RepositorySettings {
  const [first] = envs;
  if (!first) throw new ValidationError("github", "environments", "no configuration to take the repository from");
  for (const c of envs) {
    for (const field of REPOSITORY_WIDE) {
      if (JSON.stringify(c.github[field]) !== JSON.stringify(first.github[field])) {
        throw new ValidationError(
          "github",
          `github.${field}`,
          `is ${JSON.stringify(c.github[field])} in ${c.environment} but ${JSON.stringify(first.github[field])} in ${first.environment}: one repository has one value`,
        );
      }
    }
  }
  const byName = new Map<string, CciLiteConfig>();
  for (const c of envs) {
    const seen = byName.get(c.github.deployEnvironment);
    if (seen && JSON.stringify(seen.github.reviewers) !== JSON.stringify(c.github.reviewers)) {
      throw new ValidationError(
        "github",
        "github.reviewers",
        `${seen.environment} and ${c.environment} share the GitHub environment ${c.github.deployEnvironment} but name different reviewers`,
      );
    }
    byName.set(c.github.deployEnvironment, c);
  }
  const [owner, name] = first.github.repository.split("/") as [string, string];
  return {
    owner,
    name,
    mainBranch: first.github.mainBranch,
    codeOwners: first.github.codeOwners,
    requiredApprovals: first.github.requiredApprovals,
    artifactRetentionDays: first.github.artifactRetentionDays,
    environments: [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([env, c]) => ({ name: env, reviewers: c.github.reviewers })),
  };
}
