/**
 * GitHub Actions' OIDC `sub` claim as this project shapes it, in one place: the subject template the `github` stack
 * sets on the repository and the `sub` patterns the bootstrap stack's trust policies accept (docs/delivery.md,
 * "Who may assume which role"). With the template, every token's subject names the workflow file and the ref it was
 * loaded from, so a role can trust one workflow on one branch instead of anything in the repository.
 */

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/**
 * The repository's subject template (`github_actions_repository_oidc_subject_claim_customization_template`,
 * `use_default: false`). The subject becomes
 * `repo:<owner>/<name>:<context>:job_workflow_ref:<owner>/<name>/.github/workflows/<file>@<ref>`, where `<context>` is
 * what the default subject carries (`environment:<name>`, `ref:refs/heads/<branch>` or `pull_request`).
 */
export const OIDC_SUBJECT_CLAIM_KEYS: readonly string[] = ["repo", "context", "job_workflow_ref"];

/** The workflow files that assume a role (`.github/workflows/<file>`). */
export const DELIVERY_WORKFLOWS = { plan: "plan.yml", apply: "apply.yml", drift: "drift.yml" } as const;

export interface GithubRepository {
  /** `owner/name`. */
  readonly repository: string;
  /** Numeric ids; when given, the id-bearing `repo` claim is matched exactly instead of with `@*`. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

/** Where a job's workflow came from: its file under `.github/workflows/` and the ref it was loaded at. */
export interface WorkflowAt {
  readonly file: string;
  /** `refs/heads/main`, or a pattern such as `refs/pull/*\/merge` (IAM `StringLike`: `*` matches `/` too). */
  readonly ref: string;
}

/**
 * The `sub` claims a trust policy accepts for one GitHub context (`pull_request`, `ref:refs/heads/main`,
 * `environment:prod`) and one workflow: the name-only `repo` claim and the id-bearing one repositories get since
 * 2026-07-15 (`repo:owner@id/name@id`), each followed by the workflow's `job_workflow_ref`.
 */
export function githubSubjects(repo: GithubRepository, context: string, workflow: WorkflowAt): string[] {
  const [owner, name] = repo.repository.split("/");
  const ids = repo.ownerId !== undefined && repo.repositoryId !== undefined ? `${owner}@${repo.ownerId}/${name}@${repo.repositoryId}` : `${owner}@*/${name}@*`;
  const ref = `job_workflow_ref:${repo.repository}/.github/workflows/${workflow.file}@${workflow.ref}`;
  return [`repo:${owner}/${name}:${context}:${ref}`, `repo:${ids}:${context}:${ref}`];
}
