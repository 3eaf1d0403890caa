/**
 * The repository's delivery settings as code (the `github` stack, applied by an administrator with local state;
 * docs/delivery.md, "The github stack"): the deploy environments and their protection, the `main` ruleset, the
 * Actions permissions and allow-list, the OIDC subject template the AWS roles' trust depends on, the repository
 * variables and the labels. Secrets are never declared here: the plan private key is set with `gh secret set`
 * (scripts/setup-github.sh), so it never enters Terraform state.
 */
import { Construct } from "constructs";
import { ActionsRepositoryOidcSubjectClaimCustomizationTemplate } from "@cdktf/provider-github/lib/actions-repository-oidc-subject-claim-customization-template";
import { ActionsRepositoryPermissions } from "@cdktf/provider-github/lib/actions-repository-permissions";
import { ActionsVariable } from "@cdktf/provider-github/lib/actions-variable";
import { IssueLabel } from "@cdktf/provider-github/lib/issue-label";
import { RepositoryEnvironment } from "@cdktf/provider-github/lib/repository-environment";
import { RepositoryEnvironmentDeploymentPolicy } from "@cdktf/provider-github/lib/repository-environment-deployment-policy";
import { RepositoryRuleset } from "@cdktf/provider-github/lib/repository-ruleset";
import { WorkflowRepositoryPermissions } from "@cdktf/provider-github/lib/workflow-repository-permissions";
import { ValidationError } from "../config/errors";
import { OIDC_SUBJECT_CLAIM_KEYS } from "../iam/github-oidc";
import { type DeliveryLabel, DELIVERY_LABELS } from "./labels";
import { GITHUB_ACTIONS_APP_ID, REQUIRED_CHECKS, type RepositorySettings } from "./settings";

export interface GithubSettingsProps {
  /** The repository and its environments ({@link repositorySettings}). */
  readonly settings: RepositorySettings;
  /** The action allow-list, `owner/repo@<sha>` ({@link pinnedActions} of the workflows). */
  readonly allowedActions: readonly string[];
  /** Repository variables the workflows read (`vars.<NAME>`), name to value. Never a secret. */
  readonly variables: Readonly<Record<string, string>>;
  /** Status checks the `main` ruleset requires. @default REQUIRED_CHECKS */
  readonly requiredChecks?: readonly string[];
  /** Labels the workflows read or set. @default DELIVERY_LABELS */
  readonly labels?: readonly DeliveryLabel[];
}

const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

export class GithubSettings extends Construct {
  readonly environments: Record<string, RepositoryEnvironment> = {};
  readonly ruleset: RepositoryRuleset;

  constructor(scope: Construct, id: string, props: GithubSettingsProps) {
    super(scope, id);
    const s = props.settings;
    const repository = s.name;

    // Environments: reviewers, no self-review, no administrator bypass, deployments from the main branch only.
    for (const env of s.environments) {
      const e = new RepositoryEnvironment(this, `environment-${env.name}`, {
        repository,
        environment: env.name,
        preventSelfReview: true,
        canAdminsBypass: false,
        // None configured: no reviewers block (the doctor and the apply workflow's guard refuse such an environment).
        reviewers:
          env.reviewers.users.length + env.reviewers.teams.length > 0 ? [{ users: [...env.reviewers.users], teams: [...env.reviewers.teams] }] : undefined,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      });
      new RepositoryEnvironmentDeploymentPolicy(this, `environment-${env.name}-branch`, {
        repository,
        environment: e.environment,
        branchPattern: s.mainBranch,
      });
      this.environments[env.name] = e;
    }

    // The main branch: pull requests only, approved after their last push and by the code owners, with the checks
    // green on an up-to-date branch; no force push, no deletion, and nobody may bypass it (administrators included).
    this.ruleset = new RepositoryRuleset(this, "main-ruleset", {
      repository,
      name: s.mainBranch,
      target: "branch",
      enforcement: "active",
      conditions: { refName: { include: [`refs/heads/${s.mainBranch}`], exclude: [] } },
      rules: {
        deletion: true,
        nonFastForward: true,
        pullRequest: {
          requiredApprovingReviewCount: s.requiredApprovals,
          requireCodeOwnerReview: true,
          requireLastPushApproval: true,
          dismissStaleReviewsOnPush: true,
          requiredReviewThreadResolution: false,
        },
        requiredStatusChecks: {
          strictRequiredStatusChecksPolicy: true,
          requiredCheck: (props.requiredChecks ?? REQUIRED_CHECKS).map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),
        },
      },
    });

    // Actions: only the SHA-pinned actions the workflows use; a read-only default token; Actions never approve PRs.
    new ActionsRepositoryPermissions(this, "actions-permissions", {
      repository,
      enabled: true,
      allowedActions: "selected",
      allowedActionsConfig: { githubOwnedAllowed: false, verifiedAllowed: false, patternsAllowed: [...props.allowedActions] },
    });
    new WorkflowRepositoryPermissions(this, "workflow-permissions", {
      repository,
      defaultWorkflowPermissions: "read",
      canApprovePullRequestReviews: false,
    });

    // The OIDC subject names the workflow file and ref: the AWS roles trust apply.yml on main, not the repository.
    new ActionsRepositoryOidcSubjectClaimCustomizationTemplate(this, "oidc-subject", {
      repository,
      useDefault: false,
      includeClaimKeys: [...OIDC_SUBJECT_CLAIM_KEYS],
    });

    for (const [name, value] of Object.entries(props.variables).sort(([a], [b]) => a.localeCompare(b))) {
      if (!VARIABLE_NAME.test(name)) throw new ValidationError(this.node.path, `variables.${name}`, "is not a GitHub variable name (A-Z, 0-9, _)");
      new ActionsVariable(this, `variable-${name}`, { repository, variableName: name, value });
    }
    for (const label of props.labels ?? DELIVERY_LABELS) {
      new IssueLabel(this, `label-${label.name}`, { repository, name: label.name, color: label.color, description: label.description });
    }
  }
}
