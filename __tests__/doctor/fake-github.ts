/**
 * A fake GitHub REST API on 127.0.0.1 for `npm run doctor -- --github`: the GET endpoints the doctor calls, answering
 * from a plain state object the tests change (healthy by default: exactly what the github stack and
 * scripts/setup-github.sh make true). Any other method or path is a 405/404 and is recorded, so a test can prove
 * the doctor only reads.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GITHUB_ACTIONS_APP_ID } from "../../modules/github/settings";
import type { GithubExpected } from "../../scripts/doctor/github/facts";

export const TOKEN = "ghp_fake_doctor_token";
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAtest\n-----END PUBLIC KEY-----\n";

export interface FakeGithubState {
  environments: Record<string, any>;
  branchPolicies: Record<string, Array<{ name: string; type?: string }>>;
  rulesets: any[];
  actions: any;
  selectedActions: any;
  workflow: any;
  oidc: any;
  variables: Record<string, string>;
  labels: string[];
  environmentSecrets: Record<string, string[]>;
  repositorySecrets: string[];
  /** Branches that exist (the main branch, after the first push). */
  branches: string[];
  /** null: no CODEOWNERS file (404). */
  codeownersErrors: Array<{ line: number; message: string; path: string }> | null;
  /** Paths (without query) answered 403. */
  forbidden: string[];
}

/** The repository as the github stack and the setup script leave it. */
export function healthyGithub(x: GithubExpected): FakeGithubState {
  const s = x.settings;
  return {
    environments: Object.fromEntries(
      s.environments.map((e) => [
        e.name,
        {
          name: e.name,
          can_admins_bypass: false,
          protection_rules: [
            {
              type: "required_reviewers",
              prevent_self_review: true,
              reviewers: [
                ...e.reviewers.users.map((id) => ({ type: "User", reviewer: { id } })),
                ...e.reviewers.teams.map((id) => ({ type: "Team", reviewer: { id } })),
              ],
            },
            { type: "branch_policy" },
          ],
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
        },
      ]),
    ),
    branchPolicies: Object.fromEntries(s.environments.map((e) => [e.name, [{ name: s.mainBranch, type: "branch" }]])),
    rulesets: [
      {
        id: 42,
        name: s.mainBranch,
        target: "branch",
        enforcement: "active",
        bypass_actors: [],
        conditions: { ref_name: { include: [`refs/heads/${s.mainBranch}`], exclude: [] } },
        rules: [
          { type: "deletion" },
          { type: "non_fast_forward" },
          {
            type: "pull_request",
            parameters: { required_approving_review_count: s.requiredApprovals, require_code_owner_review: true, require_last_push_approval: true },
          },
          {
            type: "required_status_checks",
            parameters: {
              strict_required_status_checks_policy: true,
              required_status_checks: x.requiredChecks.map((context) => ({ context, integration_id: GITHUB_ACTIONS_APP_ID })),
            },
          },
        ],
      },
    ],
    actions: { enabled: true, allowed_actions: "selected" },
    selectedActions: { github_owned_allowed: false, verified_allowed: false, patterns_allowed: [...x.allowedActions] },
    workflow: { default_workflow_permissions: "read", can_approve_pull_request_reviews: false },
    oidc: { use_default: false, include_claim_keys: [...x.claimKeys] },
    variables: { ...x.variables, ...Object.fromEntries(Object.values(x.planKeyVariables).map((n) => [n, PUBLIC_KEY])) },
    labels: x.labels.map((l) => l.name),
    environmentSecrets: Object.fromEntries(s.environments.map((e) => [e.name, [x.secret]])),
    repositorySecrets: [],
    branches: [s.mainBranch],
    codeownersErrors: [],
    forbidden: [],
  };
}

type Answer = [number, unknown];

const NOT_FOUND: Answer = [404, { message: "Not Found" }];
const found = (v: unknown): Answer => (v === undefined || v === null ? NOT_FOUND : [200, v]);

/** The endpoints, as [path under /repos/{repo}, answer from the state and the path's captures]. */
const ROUTES: Array<[RegExp, (s: FakeGithubState, m: string[]) => Answer]> = [
  [/^\/environments\/([^/]+)$/, (s, [env]) => found(s.environments[env!])],
  [
    /^\/environments\/([^/]+)\/deployment-branch-policies$/,
    (s, [env]) => {
      const b = s.branchPolicies[env!];
      return b ? [200, { total_count: b.length, branch_policies: b }] : NOT_FOUND;
    },
  ],
  [/^\/environments\/([^/]+)\/secrets\/([^/]+)$/, (s, [env, name]) => found((s.environmentSecrets[env!] ?? []).includes(name!) ? { name } : undefined)],
  [/^\/rulesets$/, (s) => [200, s.rulesets.map((r) => ({ id: r.id, name: r.name, target: r.target, enforcement: r.enforcement }))]],
  [/^\/rulesets\/(\d+)$/, (s, [id]) => found(s.rulesets.find((r) => String(r.id) === id))],
  [/^\/actions\/permissions$/, (s) => [200, s.actions]],
  [/^\/actions\/permissions\/selected-actions$/, (s) => [200, s.selectedActions]],
  [/^\/actions\/permissions\/workflow$/, (s) => [200, s.workflow]],
  [/^\/actions\/oidc\/customization\/sub$/, (s) => [200, s.oidc]],
  [/^\/actions\/variables\/([^/]+)$/, (s, [name]) => found(name! in s.variables ? { name, value: s.variables[name!] } : undefined)],
  [/^\/actions\/secrets\/([^/]+)$/, (s, [name]) => found(s.repositorySecrets.includes(name!) ? { name } : undefined)],
  [/^\/labels\/([^/]+)$/, (s, [name]) => found(s.labels.includes(name!) ? { name } : undefined)],
  [/^\/branches\/([^/]+)$/, (s, [name]) => found(s.branches.includes(name!) ? { name } : undefined)],
  [/^\/codeowners\/errors$/, (s) => found(s.codeownersErrors === null ? undefined : { errors: s.codeownersErrors })],
];

function route(state: FakeGithubState, repo: string, path: string): Answer {
  const p = path.slice(`/repos/${repo}`.length);
  for (const [pattern, answer] of ROUTES) {
    const m = pattern.exec(p);
    if (m) return answer(state, m.slice(1).map(decodeURIComponent));
  }
  return NOT_FOUND;
}

export interface FakeGithub {
  readonly url: string;
  readonly state: FakeGithubState;
  /** `METHOD path` of every request. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the fake for `owner/name`, answering `healthyGithub(expected)` until the test changes `state`. */
export async function startFakeGithub(expected: GithubExpected): Promise<FakeGithub> {
  const state = healthyGithub(expected);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    requests.push(`${req.method} ${path}`);
    const send = ([status, body]: Answer) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send([401, { message: "Bad credentials" }]);
    if (req.method !== "GET") return send([405, { message: "read-only fake" }]);
    if (state.forbidden.includes(path)) return send([403, { message: "Resource not accessible by personal access token" }]);
    if (!path.startsWith(`/repos/${expected.repository}/`)) return send([404, { message: "Not Found" }]);
    send(route(state, expected.repository, path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
