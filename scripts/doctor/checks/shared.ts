/**
 * `npm run doctor`: what every check shares: the result type, the context (configuration and its file name), a fact
 * that could not be gathered as a result, and the project's tags. One check per file next to this one, composed in
 * ./index.ts (docs/doctor.md, "The checks").
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import { ENVIRONMENT_TAG_KEY, type FactError, PROJECT_TAG } from "../facts";

export type Status = "ok" | "problem" | "skipped";

export interface CheckResult {
  readonly id: string;
  readonly status: Status;
  readonly message: string;
  /** What to change: the configuration field (and file), or what to do in the account. */
  readonly fix?: string;
}

export interface CheckContext {
  readonly cfg: CciLiteConfig;
  /** The configuration file as the user names it, e.g. `config/prod.json`; fixes say where to change a field. */
  readonly configFile: string;
}

export const DOCTOR_DOC = "docs/doctor.md";

const PERMISSION_FIX = (action: string) => `allow ${action} for the caller (minimal read-only policy: ${DOCTOR_DOC})`;

/** A fact that could not be gathered, as this check's result. */
export function unavailableResult(id: string, error: FactError): CheckResult {
  switch (error.kind) {
    case "access-denied":
      return { id, status: "problem", message: `cannot check: access denied to ${error.action} (${error.message})`, fix: PERMISSION_FIX(error.action) };
    case "unavailable":
      return {
        id,
        status: "problem",
        message: `cannot check: ${error.action} has no reachable endpoint in ${error.region} (${error.message})`,
        fix: "check the region in the configuration and this machine's network access to AWS",
      };
    default:
      return {
        id,
        status: "problem",
        message: `cannot check: ${error.action} failed (${error.message})`,
        fix: "run the doctor again; if it persists, resolve the AWS error shown",
      };
  }
}

/** The tags this project's stacks put on what they create, for environment `env` (or shared, for bootstrap). */
export function taggedByProject(tags: Readonly<Record<string, string>> | undefined, env?: string): boolean {
  if (!tags || tags[PROJECT_TAG.key] !== PROJECT_TAG.value) return false;
  return env === undefined || tags[ENVIRONMENT_TAG_KEY] === env;
}

export const NETWORK_DOC = "docs/network.md";
export const list = (xs: readonly string[]) => (xs.length > 0 ? xs.join(", ") : "none");

/** A check of the existing VPC (`network.mode: existing`) is skipped in the other modes. */
export function existingOnly(id: string, ctx: CheckContext): CheckResult | undefined {
  return ctx.cfg.network.mode === "existing" ? undefined : { id, status: "skipped", message: `network.mode is "${ctx.cfg.network.mode}"` };
}

/** The GitHub checks (`--github`) compare the repository with what the `github` stack declares. */
export interface GithubCheckContext {
  readonly expected: import("../github/facts").GithubExpected;
}

export const GITHUB_DOC = `${DOCTOR_DOC}, "GitHub settings"`;
/** The fix of most GitHub problems: the stack declares it. */
export const APPLY_GITHUB_STACK = 'apply the github stack (docs/delivery.md, "One-time setup"), or change the setting back in the repository\'s settings';

/** A GitHub fact that could not be gathered, as this check's result. */
export function githubUnavailable(id: string, error: FactError): CheckResult {
  return error.kind === "access-denied"
    ? {
        id,
        status: "problem",
        message: `cannot check: ${error.action} was refused (${error.message})`,
        fix: `use a token of a repository administrator with the read permissions in ${GITHUB_DOC}`,
      }
    : {
        id,
        status: "problem",
        message: `cannot check: ${error.action} failed (${error.message})`,
        fix: "run the doctor again; if it persists, resolve the error shown",
      };
}

/** One result from a list of findings: ok with `okMessage` when there are none, else one problem naming them all. */
export function findings(id: string, issues: readonly string[], okMessage: string, fix: string = APPLY_GITHUB_STACK): CheckResult {
  return issues.length === 0 ? { id, status: "ok", message: okMessage } : { id, status: "problem", message: issues.join("; "), fix };
}
