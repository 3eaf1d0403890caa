/**
 * `npm run doctor -- --github`: the GitHub REST calls, every one a `GET` (nothing is changed). Each failed call
 * becomes a `FactError` instead of throwing: 401 is `credentials` (the run stops, exit 2), 403 `access-denied`
 * naming the call, anything else `failed`. 404 is an answer ("absent") where the check expects one.
 */
import { type Fact, type FactError, fact, failed } from "../facts";
import type { ActionsFacts, EnvironmentFacts, GithubExpected, GithubFacts, RulesetFacts } from "./facts";

/** The REST API as the doctor uses it. */
export interface GithubClient {
  get(path: string): Promise<{ readonly status: number; readonly body: unknown }>;
}

/** A client over `fetch` for `baseUrl` (`GITHUB_API_URL`, default https://api.github.com) with a token. */
export function githubClient(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): GithubClient {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    async get(path) {
      const res = await fetchImpl(`${base}${path}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
          "user-agent": "cci-lite-doctor",
        },
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the text: it goes into the error message
      }
      return { status: res.status, body };
    },
  };
}

const NOT_FOUND = Symbol("not found");

function errorOf(action: string, status: number, body: unknown): FactError {
  const message = `HTTP ${status}${typeof body === "object" && body && "message" in body ? `: ${String((body as { message: unknown }).message)}` : ""}`;
  if (status === 401) return { kind: "credentials", action, message };
  if (status === 403) return { kind: "access-denied", action, message };
  return { kind: "failed", action, message };
}

/** One GET: the body, NOT_FOUND on 404 when `absentOk`, or a FactError. Network errors are `failed`. */
async function call<T>(gh: GithubClient, path: string, absentOk: boolean): Promise<Fact<T | typeof NOT_FOUND>> {
  const action = `GET ${path}`;
  try {
    const { status, body } = await gh.get(path);
    if (status === 200) return fact(body as T);
    if (status === 404 && absentOk) return fact(NOT_FOUND);
    return failed(errorOf(action, status, body));
  } catch (e) {
    return failed({ kind: "failed", action, message: (e as Error).message });
  }
}

const orNull = <T>(f: Fact<T | typeof NOT_FOUND>): Fact<T | null> => (f.ok ? fact(f.value === NOT_FOUND ? null : f.value) : f);
const exists = <T>(f: Fact<T | typeof NOT_FOUND>): Fact<boolean> => (f.ok ? fact(f.value !== NOT_FOUND) : f);
const required = <T>(f: Fact<T | typeof NOT_FOUND>, action: string): Fact<T> =>
  f.ok ? (f.value === NOT_FOUND ? failed({ kind: "failed", action, message: "HTTP 404" }) : fact(f.value)) : f;

async function environment(gh: GithubClient, repo: string, name: string): Promise<Fact<EnvironmentFacts | null>> {
  const env = orNull(await call<Omit<EnvironmentFacts, "branch_policies">>(gh, `/repos/${repo}/environments/${encodeURIComponent(name)}`, true));
  if (!env.ok || env.value === null) return env as Fact<null>;
  const path = `/repos/${repo}/environments/${encodeURIComponent(name)}/deployment-branch-policies`;
  const policies = await call<{ branch_policies?: EnvironmentFacts["branch_policies"] }>(gh, path, true);
  if (!policies.ok) return policies;
  return fact({ ...env.value, branch_policies: policies.value === NOT_FOUND ? [] : (policies.value.branch_policies ?? []) });
}

async function ruleset(gh: GithubClient, repo: string, name: string): Promise<Fact<RulesetFacts | null>> {
  const list = await call<Array<{ id: number; name: string }>>(gh, `/repos/${repo}/rulesets?per_page=100`, false);
  if (!list.ok) return list;
  const found = list.value === NOT_FOUND ? undefined : list.value.find((r) => r.name === name);
  if (!found) return fact(null);
  const path = `/repos/${repo}/rulesets/${found.id}`;
  return required(await call<RulesetFacts>(gh, path, false), `GET ${path}`);
}

async function actions(gh: GithubClient, repo: string): Promise<Fact<ActionsFacts>> {
  const base = `/repos/${repo}/actions/permissions`;
  const perms = required(await call<Omit<ActionsFacts, "selected" | "workflow">>(gh, base, false), `GET ${base}`);
  if (!perms.ok) return perms;
  const workflow = required(await call<ActionsFacts["workflow"]>(gh, `${base}/workflow`, false), `GET ${base}/workflow`);
  if (!workflow.ok) return workflow;
  if (perms.value.allowed_actions !== "selected") return fact({ ...perms.value, workflow: workflow.value });
  const selected = required(await call<NonNullable<ActionsFacts["selected"]>>(gh, `${base}/selected-actions`, false), `GET ${base}/selected-actions`);
  return selected.ok ? fact({ ...perms.value, workflow: workflow.value, selected: selected.value }) : selected;
}

/** Every fact the GitHub checks read, for the expected repository, environments, variables, labels and secret. */
export async function gatherGithubFacts(gh: GithubClient, x: GithubExpected): Promise<GithubFacts> {
  const repo = x.repository;
  const envNames = x.settings.environments.map((e) => e.name);
  const entries = async <T>(names: readonly string[], f: (n: string) => Promise<Fact<T>>) =>
    Object.fromEntries(await Promise.all(names.map(async (n) => [n, await f(n)] as const)));
  const oidcPath = `/repos/${repo}/actions/oidc/customization/sub`;
  return {
    environments: await entries(envNames, (n) => environment(gh, repo, n)),
    ruleset: await ruleset(gh, repo, x.settings.mainBranch),
    actions: await actions(gh, repo),
    oidc: required(await call<{ use_default: boolean; include_claim_keys?: string[] }>(gh, oidcPath, false), `GET ${oidcPath}`),
    variables: await entries([...Object.keys(x.variables), ...Object.values(x.planKeyVariables)], async (n) => {
      const v = orNull(await call<{ value: string }>(gh, `/repos/${repo}/actions/variables/${n}`, true));
      return v.ok ? fact(v.value === null ? null : v.value.value) : v;
    }),
    labels: await entries(
      x.labels.map((l) => l.name),
      async (n) => exists(await call(gh, `/repos/${repo}/labels/${encodeURIComponent(n)}`, true)),
    ),
    secrets: {
      environments: await entries(envNames, async (n) =>
        exists(await call(gh, `/repos/${repo}/environments/${encodeURIComponent(n)}/secrets/${x.secret}`, true)),
      ),
      repository: exists(await call(gh, `/repos/${repo}/actions/secrets/${x.secret}`, true)),
    },
    mainExists: exists(await call(gh, `/repos/${repo}/branches/${encodeURIComponent(x.settings.mainBranch)}`, true)),
    codeowners: await (async () => {
      const c = orNull(await call<{ errors?: Array<{ line: number; message: string; path: string }> }>(gh, `/repos/${repo}/codeowners/errors`, true));
      return c.ok ? fact(c.value === null ? null : (c.value.errors ?? [])) : c;
    })(),
  };
}
