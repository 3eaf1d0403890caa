/**
 * A hand-written fake of the few GitHub REST methods the delivery scripts use (no network, no Octokit):
 * issues.listComments/createComment/updateComment, issues.listForRepo/create/update, and paginate; fakeGitHub adds
 * the repos calls of the guards (environments, deployment branch policies, branch head, a commit's pull requests)
 * and pulls.get (a pull request's head now).
 * Pages are 100 items at most (or `per_page`), like the real API, so pagination is exercised.
 */
import type { BranchPolicyEntry } from "../../scripts/delivery/branch-policy";
import type { EnvironmentInfo, GuardsOctokit, Issue, IssueComment, OctokitLike, PullRequestInfo, PullsOctokit } from "../../scripts/delivery/github";

interface FakeComment extends IssueComment {
  issue_number: number;
}

export interface FakeState {
  comments: FakeComment[];
  issues: Array<Omit<Issue, "labels"> & { labels: Array<{ name: string }> }>;
  calls: string[];
  /** Labels of the repository (getLabel/createLabel). */
  labels: Array<{ name: string; color?: string; description?: string }>;
  /** Like GitHub for a token that may not set labels: issues are created without them. */
  dropIssueLabels?: boolean;
}

type Page<P> = P & { page?: number; per_page?: number };

function pageOf<T>(items: T[], params: { page?: number; per_page?: number }): T[] {
  const size = Math.min(params.per_page ?? 30, 100);
  const page = params.page ?? 1;
  return items.slice((page - 1) * size, page * size);
}

export function fakeOctokit(initial?: Partial<FakeState>): OctokitLike & { state: FakeState } {
  const state: FakeState = { comments: [], issues: [], calls: [], labels: [], ...initial };
  let nextId = 1000 + state.comments.length + state.issues.length;
  const url = (kind: string, n: number) => `https://github.example/o/r/${kind}/${n}`;
  const issues = {
    listComments: async (p: Page<{ owner: string; repo: string; issue_number: number }>) => {
      state.calls.push(`listComments:${p.page ?? 1}`);
      return {
        data: pageOf(
          state.comments.filter((c) => c.issue_number === p.issue_number),
          p,
        ) as IssueComment[],
      };
    },
    createComment: async (p: { issue_number: number; body: string }) => {
      state.calls.push("createComment");
      const c: FakeComment = { id: nextId++, issue_number: p.issue_number, body: p.body, user: { login: "github-actions[bot]", type: "Bot" } };
      c.html_url = url("comment", c.id);
      state.comments.push(c);
      return { data: c as IssueComment };
    },
    updateComment: async (p: { comment_id: number; body: string }) => {
      state.calls.push("updateComment");
      const c = state.comments.find((x) => x.id === p.comment_id);
      if (!c) throw Object.assign(new Error("Not Found"), { status: 404 });
      c.body = p.body;
      return { data: c as IssueComment };
    },
    listForRepo: async (p: Page<{ labels?: string; state?: "open" | "closed" | "all" }>) => {
      state.calls.push(`listForRepo:${p.page ?? 1}`);
      const wanted = (p.labels ?? "").split(",").filter(Boolean);
      const st = p.state ?? "open";
      const matching = state.issues.filter((i) => (st === "all" || i.state === st) && wanted.every((l) => i.labels.some((x) => x.name === l)));
      return { data: pageOf(matching, p) as Issue[] };
    },
    create: async (p: { title: string; body: string; labels?: string[] }) => {
      state.calls.push("create");
      const n = nextId++;
      const labels = state.dropIssueLabels ? [] : (p.labels ?? []).map((name) => ({ name }));
      const issue = { number: n, title: p.title, body: p.body, state: "open", labels, html_url: url("issues", n) };
      state.issues.push(issue);
      return { data: issue as Issue };
    },
    getLabel: async (p: { name: string }) => {
      state.calls.push(`getLabel:${p.name}`);
      const label = state.labels.find((l) => l.name.toLowerCase() === p.name.toLowerCase());
      if (!label) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: label };
    },
    createLabel: async (p: { name: string; color: string; description?: string }) => {
      state.calls.push(`createLabel:${p.name}`);
      if (state.labels.some((l) => l.name.toLowerCase() === p.name.toLowerCase())) {
        throw Object.assign(new Error("Validation Failed: already_exists"), { status: 422 });
      }
      const label = { name: p.name, color: p.color, description: p.description };
      state.labels.push(label);
      return { data: label };
    },
    update: async (p: { issue_number: number; body?: string; state?: "open" | "closed"; state_reason?: string; title?: string }) => {
      state.calls.push(`update:${p.state ?? "body"}`);
      const issue = state.issues.find((i) => i.number === p.issue_number);
      if (!issue) throw Object.assign(new Error("Not Found"), { status: 404 });
      if (p.body !== undefined) issue.body = p.body;
      if (p.title !== undefined) issue.title = p.title;
      if (p.state !== undefined) issue.state = p.state;
      return { data: issue as Issue };
    },
  };
  const paginate = async <P, R>(method: (params: P) => Promise<{ data: R[] }>, params: P): Promise<R[]> => {
    const out: R[] = [];
    for (let page = 1; ; page++) {
      const { data } = await method({ ...params, page });
      out.push(...data);
      const size = Math.min((params as { per_page?: number }).per_page ?? 30, 100);
      if (data.length < size) return out;
    }
  };
  return { rest: { issues }, paginate, state } as unknown as OctokitLike & { state: FakeState };
}

export const SHA_A = "a".repeat(40);
export const SHA_B = "b".repeat(40);

/** A deploy environment as the github stack declares it: reviewers, no self review, no admin bypass, custom branch policies. */
export const PROTECTED_ENVIRONMENT: EnvironmentInfo = {
  can_admins_bypass: false,
  protection_rules: [
    { type: "required_reviewers", prevent_self_review: true, reviewers: [{ type: "Team", reviewer: { slug: "ops" } }] },
    { type: "branch_policy" },
  ],
  deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
};

/** The github stack's one deployment branch policy: the branch `main`. */
export const MAIN_ONLY: BranchPolicyEntry[] = [{ name: "main", type: "branch" }];

/**
 * fakeOctokit plus the repos calls of the guards: environments (404 when absent), their deployment branch policies
 * (`branchPolicies`, by environment; MAIN_ONLY when not given, like the github stack), the branch head, a commit's PRs.
 */
export function fakeGitHub(
  o: {
    environments?: Record<string, EnvironmentInfo>;
    branchPolicies?: Record<string, BranchPolicyEntry[]>;
    head?: string;
    pulls?: Record<string, PullRequestInfo[]>;
    /** Pull request number → its head commit now (GET .../pulls/{n}; 404 when absent). */
    pullHeads?: Record<number, string>;
  } = {},
) {
  const base = fakeOctokit();
  const environment = (name: string) => {
    const env = o.environments?.[name];
    if (!env) throw Object.assign(new Error("Not Found"), { status: 404 });
    return env;
  };
  const repos = {
    getEnvironment: async (p: { environment_name: string }) => {
      base.state.calls.push(`getEnvironment:${p.environment_name}`);
      return { data: environment(p.environment_name) };
    },
    listDeploymentBranchPolicies: async (p: { environment_name: string; page?: number; per_page?: number }) => {
      base.state.calls.push(`listDeploymentBranchPolicies:${p.environment_name}`);
      environment(p.environment_name);
      const all = o.branchPolicies?.[p.environment_name] ?? MAIN_ONLY;
      // Like GitHub: ids added by the API, one page of `per_page` (at most 100), total_count of all of them.
      const page = pageOf(
        all.map((b, n) => ({ id: n + 1, ...b })),
        p,
      );
      return { data: { total_count: all.length, branch_policies: page } };
    },
    getBranch: async (p: { branch: string }) => ({ data: { name: p.branch, commit: { sha: o.head ?? SHA_A } } }),
    listPullRequestsAssociatedWithCommit: async (p: { commit_sha: string }) => ({ data: o.pulls?.[p.commit_sha] ?? [] }),
  };
  const pulls = {
    get: async (p: { pull_number: number }) => {
      base.state.calls.push(`pulls.get:${p.pull_number}`);
      const sha = o.pullHeads?.[p.pull_number];
      if (!sha) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: { number: p.pull_number, head: { sha } } };
    },
  };
  return { ...base, rest: { ...base.rest, repos, pulls } } as unknown as GuardsOctokit & PullsOctokit & OctokitLike & { state: typeof base.state };
}
