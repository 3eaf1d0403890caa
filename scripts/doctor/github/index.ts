/**
 * `npm run doctor -- --github`: the repository's delivery settings, read-only through the GitHub REST API, against
 * what the `github` stack declares for every configuration in the folder (docs/doctor.md, "GitHub settings"). Run it
 * after applying the github stack and setting the secrets, before the first push.
 *
 * The token comes from `GITHUB_TOKEN` or `GH_TOKEN` (e.g. `GITHUB_TOKEN=$(gh auth token)`), the API from
 * `GITHUB_API_URL` (default https://api.github.com; GitHub Enterprise Server: `https://<host>/api/v3`).
 */
import { loadEnvironments } from "../../../modules/config/load";
import { githubCredentialErrors, runGithubChecks, type CheckResult } from "../checks";
import { type GithubClient, gatherGithubFacts, githubClient } from "./api";
import { expectedGithub } from "./facts";

export const DEFAULT_GITHUB_API = "https://api.github.com";

export interface GithubDoctorRun {
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** @default a fetch client for `GITHUB_API_URL` with the token */
  readonly client?: GithubClient;
}

export type GithubDoctorOutcome =
  | { readonly ok: true; readonly repository: string; readonly api: string; readonly results: CheckResult[] }
  | { readonly ok: false; readonly message: string };

/** Loads every configuration, gathers the facts and runs the checks; a usage or token problem is `ok: false`. */
export async function runGithubDoctor(r: GithubDoctorRun): Promise<GithubDoctorOutcome> {
  let expected: ReturnType<typeof expectedGithub>;
  try {
    expected = expectedGithub(loadEnvironments(r.configDir));
  } catch (e) {
    const err = e as Error;
    return { ok: false, message: err.name === "ConfigError" || err.name === "ValidationError" ? err.message : `doctor: ${err.message}` };
  }
  const api = r.env.GITHUB_API_URL || DEFAULT_GITHUB_API;
  const token = r.env.GITHUB_TOKEN || r.env.GH_TOKEN;
  if (!r.client && !token)
    return { ok: false, message: "doctor: no GitHub token: set GITHUB_TOKEN (for example GITHUB_TOKEN=$(gh auth token)) and run it again" };
  const client = r.client ?? githubClient(api, token as string);
  const facts = await gatherGithubFacts(client, expected);
  const [bad] = githubCredentialErrors(facts);
  if (bad) return { ok: false, message: `doctor: the GitHub token was refused (${bad.action}: ${bad.message}); use a valid token and run it again` };
  return { ok: true, repository: expected.repository, api, results: runGithubChecks(facts, { expected }) };
}
