/**
 * The GitHub REST API as the delivery scripts use it: the few Octokit methods they call (tests pass a hand-written
 * fake implementing them; actions/github-script's `github` has them all) and the shapes of their answers.
 */

export type Api<P, R> = (params: P) => Promise<{ data: R }>;
export interface RepoParams {
  owner: string;
  repo: string;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login: string; type?: string } | null;
}

export interface Issue {
  number: number;
  title: string;
  state: string;
  body?: string | null;
  html_url?: string;
  labels?: Array<string | { name?: string }>;
  /** Present when the "issue" is a pull request (the issues list API returns both). */
  pull_request?: unknown;
}

export interface Label {
  name: string;
  color?: string;
  description?: string | null;
}

export interface OctokitLike {
  rest: {
    issues: {
      listComments: Api<RepoParams & { issue_number: number; per_page?: number }, IssueComment[]>;
      createComment: Api<RepoParams & { issue_number: number; body: string }, IssueComment>;
      updateComment: Api<RepoParams & { comment_id: number; body: string }, IssueComment>;
      listForRepo: Api<RepoParams & { labels?: string; state?: "open" | "closed" | "all"; per_page?: number }, Issue[]>;
      create: Api<RepoParams & { title: string; body: string; labels?: string[] }, Issue>;
      getLabel: Api<RepoParams & { name: string }, Label>;
      createLabel: Api<RepoParams & { name: string; color: string; description?: string }, Label>;
      update: Api<
        RepoParams & {
          issue_number: number;
          title?: string;
          body?: string;
          state?: "open" | "closed";
          state_reason?: "completed" | "not_planned" | "reopened";
        },
        Issue
      >;
    };
  };
  /** Octokit's paginate: calls `method` for every page and concatenates the results. */
  paginate<P, R>(method: Api<P, R[]>, params: P): Promise<R[]>;
}

export interface UpsertResult {
  action: "created" | "updated" | "closed" | "none";
  id?: number;
  number?: number;
  url?: string;
}
