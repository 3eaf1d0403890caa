/**
 * `npm run doctor -- --github` end to end against a fake GitHub REST API on 127.0.0.1 (./fake-github.ts): the CLI,
 * the fetch wiring, the facts and every GitHub check, each with a passing and a failing repository; the doctor only
 * reads; token problems exit 2.
 */
import * as path from "node:path";
import { loadEnvironments } from "../../modules/config/load";
import { main } from "../../scripts/doctor";
import { expectedGithub } from "../../scripts/doctor/github/facts";
import { type FakeGithub, type FakeGithubState, startFakeGithub, TOKEN } from "./fake-github";

const CONFIG_DIR = path.join(__dirname, "..", "..", "config");
const expected = expectedGithub(loadEnvironments(CONFIG_DIR));
const REPO = `/repos/${expected.repository}`;

let gh: FakeGithub;
let pristine: string;
beforeAll(async () => {
  gh = await startFakeGithub(expected);
  pristine = JSON.stringify(gh.state);
});
afterAll(() => gh.close());
beforeEach(() => {
  Object.assign(gh.state, JSON.parse(pristine));
  gh.requests.length = 0;
});

interface Run {
  code: number;
  out: string;
  err: string;
  byId: Record<string, { status: string; message: string; fix?: string }>;
}

async function doctor(mutate: (s: FakeGithubState) => void = () => undefined, opts: { token?: string; json?: boolean } = {}): Promise<Run> {
  mutate(gh.state);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["--github", ...(opts.json === false ? [] : ["--json"])], {
    io: { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
    defaultConfigDir: CONFIG_DIR,
    env: { GITHUB_API_URL: gh.url, ...(opts.token === "" ? {} : { GITHUB_TOKEN: opts.token ?? TOKEN }) },
  });
  const text = out.join("\n");
  const byId = code !== 2 && opts.json !== false ? Object.fromEntries(JSON.parse(text).results.map((r: any) => [r.id, r])) : {};
  return { code, out: text, err: err.join("\n"), byId };
}

const CHECKS = [
  "github-environments",
  "github-ruleset",
  "github-actions-permissions",
  "github-oidc-subject",
  "github-variables",
  "github-labels",
  "github-secrets",
  "github-codeowners",
];

describe("doctor --github: a repository set up by the github stack and scripts/setup-github.sh", () => {
  it("passes every check, exit 0, with GET requests only", async () => {
    const r = await doctor();
    expect(r.code).toBe(0);
    expect(Object.keys(r.byId)).toEqual(CHECKS);
    for (const id of CHECKS) expect({ id, status: r.byId[id]!.status }).toEqual({ id, status: "ok" });
    expect(gh.requests.length).toBeGreaterThan(15);
    expect(gh.requests.filter((q) => !q.startsWith(`GET ${REPO}/`))).toEqual([]);
  });

  it("prints one line per check and the summary", async () => {
    const r = await doctor(undefined, { json: false });
    expect(r.out).toContain(`doctor: GitHub repository ${expected.repository} (${gh.url}, read-only)`);
    expect(r.out).toMatch(/^ok {6}github-environments +dev, prod: required reviewers as configured/m);
    expect(r.out).toMatch(/doctor: no problems \(8 ok, 0 skipped\)$/);
  });
});

/** [check, what is wrong, the change to the fake repository, the message expected]. */
const FAILURES: Array<[string, string, (s: FakeGithubState) => void, RegExp]> = [
  ["github-environments", "missing environment", (s) => delete s.environments.dev, /environment dev does not exist/],
  ["github-environments", "admin bypass", (s) => (s.environments.prod.can_admins_bypass = true), /administrators may bypass prod's protection rules/],
  ["github-environments", "self-review", (s) => (s.environments.prod.protection_rules[0].prevent_self_review = false), /prod allows self-review/],
  [
    "github-environments",
    "other reviewers",
    (s) => (s.environments.prod.protection_rules[0].reviewers = [{ type: "User", reviewer: { id: 9 } }]),
    /prod's reviewers are users \[9\]/,
  ],
  ["github-environments", "any branch", (s) => (s.branchPolicies.dev = [{ name: "*" }]), /dev deploys from \[\*\], not main only/],
  ["github-ruleset", "no ruleset", (s) => (s.rulesets = []), /no ruleset named main/],
  ["github-ruleset", "bypass actor", (s) => (s.rulesets[0].bypass_actors = [{ actor_type: "RepositoryRole", actor_id: 5 }]), /1 bypass actor/],
  ["github-ruleset", "no last-push approval", (s) => (s.rulesets[0].rules[2].parameters.require_last_push_approval = false), /last push need not be approved/],
  [
    "github-ruleset",
    "wrong check name",
    (s) => (s.rulesets[0].rules[3].parameters.required_status_checks[1].context = "plan / plan-status"),
    /check "plan-status" is not required/,
  ],
  [
    "github-ruleset",
    "check from any app",
    (s) => delete s.rulesets[0].rules[3].parameters.required_status_checks[0].integration_id,
    /not pinned to GitHub Actions/,
  ],
  ["github-actions-permissions", "all actions", (s) => (s.actions.allowed_actions = "all"), /allowed actions are "all"/],
  [
    "github-actions-permissions",
    "extra pattern",
    (s) => s.selectedActions.patterns_allowed.push("evil/action@main"),
    /allowed but not pinned in the workflows: evil\/action@main/,
  ],
  ["github-actions-permissions", "write token", (s) => (s.workflow.default_workflow_permissions = "write"), /default workflow token may write/],
  [
    "github-actions-permissions",
    "Actions approve PRs",
    (s) => (s.workflow.can_approve_pull_request_reviews = true),
    /Actions may create and approve pull requests/,
  ],
  ["github-oidc-subject", "default template", (s) => (s.oidc = { use_default: true }), /GitHub's default, not \[repo, context, job_workflow_ref\]/],
  ["github-oidc-subject", "no job_workflow_ref", (s) => (s.oidc.include_claim_keys = ["repo", "context"]), /is \[repo, context\]/],
  ["github-variables", "wrong region", (s) => (s.variables.AWS_REGION = "us-east-1"), /AWS_REGION is "us-east-1", the stack sets "eu-central-1"/],
  ["github-variables", "no plan key", (s) => delete s.variables.PLAN_PUBLIC_KEY_DEV, /PLAN_PUBLIC_KEY_DEV \(dev's plan public key\) is not set/],
  ["github-labels", "missing label", (s) => (s.labels = s.labels.filter((l) => l !== "allow-destroy")), /missing label\(s\): allow-destroy/],
  ["github-secrets", "missing secret", (s) => (s.environmentSecrets.dev = []), /PLAN_PRIVATE_KEY is missing in environment\(s\) dev/],
  ["github-secrets", "repository secret", (s) => s.repositorySecrets.push("PLAN_PRIVATE_KEY"), /also a repository secret/],
  ["github-codeowners", "no file", (s) => (s.codeownersErrors = null), /no CODEOWNERS file/],
  [
    "github-codeowners",
    "unknown owner",
    (s) => (s.codeownersErrors = [{ line: 3, message: "Unknown owner", path: ".github/CODEOWNERS" }]),
    /CODEOWNERS:3: Unknown owner/,
  ],
];

describe.each(FAILURES)("doctor --github: %s fails (%s)", (id, _what, mutate, message) => {
  it("is a problem with a fix, only in its own check, exit 1", async () => {
    const r = await doctor(mutate);
    expect(r.code).toBe(1);
    expect(r.byId[id]).toMatchObject({ status: "problem", message: expect.stringMatching(message), fix: expect.any(String) });
    expect(CHECKS.filter((c) => c !== id && r.byId[c]!.status !== "ok")).toEqual([]);
  });
});

describe("doctor --github: before the first push", () => {
  it("skips the CODEOWNERS check while the main branch does not exist (the file arrives with the push), exit 0", async () => {
    const r = await doctor((s) => {
      s.branches = [];
      s.codeownersErrors = null;
    });
    expect(r.code).toBe(0);
    expect(r.byId["github-codeowners"]).toMatchObject({ status: "skipped", message: expect.stringMatching(/first push/) });
  });
});

describe("doctor --github: access and usage", () => {
  it("a refused call costs only its own check, naming the call", async () => {
    const r = await doctor((s) => s.forbidden.push(`${REPO}/actions/oidc/customization/sub`));
    expect(r.code).toBe(1);
    expect(r.byId["github-oidc-subject"]).toMatchObject({
      status: "problem",
      message: expect.stringContaining(`cannot check: GET ${REPO}/actions/oidc/customization/sub was refused`),
    });
    expect(r.byId["github-ruleset"]!.status).toBe("ok");
  });
  it("a bad token exits 2 with one line", async () => {
    const r = await doctor(undefined, { token: "wrong" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^doctor: the GitHub token was refused \(GET .*: HTTP 401: Bad credentials\)/);
  });
  it("no token exits 2 saying how to get one, before any call", async () => {
    const r = await doctor(undefined, { token: "" });
    expect(r.code).toBe(2);
    expect(r.err).toContain("GITHUB_TOKEN=$(gh auth token)");
    expect(gh.requests).toEqual([]);
  });
  it("refuses --env with --github (it checks every configuration's environment)", async () => {
    const err: string[] = [];
    const code = await main(["--github", "--env", "prod"], {
      io: { stdout: () => undefined, stderr: (l) => err.push(l) },
      defaultConfigDir: CONFIG_DIR,
      env: {},
    });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/drop --env/);
  });
});
