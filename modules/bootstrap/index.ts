/**
 * Applied once per account by an administrator (local state): the remote-state bucket with its own key, the
 * GitHub OIDC identity provider, and per environment a read-only plan role and an apply role trusted only for
 * apply.yml on main running in that environment's protected GitHub environment, each kept off the account's other
 * environments (environment-scope.ts). See docs/delivery.md.
 */
import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { keyByAlias, policy, render } from "../iam/policy";
import { CustomerKey } from "../constructs/customer-key";
import { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { ValidationError } from "../config/errors";
import type { PeopleAttachment } from "../config/people-policies";
import { applyStatements, boundaryArn, boundaryName, boundaryStatements } from "./apply-access";
import { checkScopes, otherEnvironmentDenials, planStateStatements, type ScopedEnvironment } from "./environment-scope";
import { DELIVERY_WORKFLOWS, GITHUB_OIDC_HOST, type GithubRepository, githubSubjects, type WorkflowAt } from "../iam/github-oidc";

export { boundaryArn } from "./apply-access";

export { GITHUB_OIDC_HOST, githubSubjects, type GithubRepository } from "../iam/github-oidc";

export interface StateNames {
  readonly bucket: string;
  readonly keyAlias: string;
  readonly region: string;
}

/** Names of the remote-state resources of an account (shared by the bootstrap and application stacks). */
export function stateNames(namePrefix: string, accountId: string, region: string): StateNames {
  return { bucket: `${namePrefix}-tfstate-${accountId}-${region}`, keyAlias: `alias/${namePrefix}-tfstate`, region };
}

/** The roles are the {@link StackContext}'s account's; the state must live in its region. */
export interface DeliveryAccessProps {
  readonly namePrefix: string;
  readonly state: StateNames;
  readonly github: GithubRepository;
  /** Branch whose pushes may plan. @default "main" */
  readonly mainBranch?: string;
  /**
   * One apply role per deploy environment: `<prefix>-github-apply-<environment>`, trusted only for
   * `environment:<deployEnvironment>`, allowed to manage roles and policies named `<stem>-*` only.
   */
  readonly environments: readonly DeployTarget[];
  /** Trust the account's existing GitHub OIDC provider instead of creating it. @default false */
  readonly useExistingOidcProvider?: boolean;
  /** Data buckets whose objects the plan role must never read (defence in depth beyond KMS). */
  readonly dataBucketArns: readonly string[];
}

export interface DeployTarget {
  /** CCI Lite environment (`config/<environment>.json`). */
  readonly environment: string;
  /** GitHub environment whose jobs may apply it (its approval rules gate the apply). */
  readonly deployEnvironment: string;
  /** `<prefix>-<environment>`: the app stack's role and policy names start with it. */
  readonly stem: string;
  /** The people policies the app stack attaches to configured roles outside it (issue 20, B2). @default none */
  readonly peopleAttachments?: readonly PeopleAttachment[];
}

/**
 * Longest session of an apply role (IAM max_session_duration). The apply job asks for a session that outlasts its
 * timeout (`role-duration-seconds` >= `timeout-minutes` in .github/workflows/apply.yml, tested), which must fit in here.
 */
export const APPLY_ROLE_MAX_SESSION_SECONDS = 7200;

/** Name of the plan role of one CCI Lite environment (pull requests and main plan it; it reads only its own state). */
export const planRoleName = (namePrefix: string, environment: string): string => `${namePrefix}-github-plan-${environment}`;

/** Name of the apply role of one CCI Lite environment. */
export const applyRoleName = (namePrefix: string, environment: string): string => `${namePrefix}-github-apply-${environment}`;

/** The remote state of the {@link StackContext}'s account, created in its region. */
export interface RemoteStateProps {
  /** Names of the state bucket and key; `state.region` must be the stack's region. */
  readonly state: StateNames;
  /** Days old state versions are kept. @default 90 */
  readonly noncurrentVersionDays?: number;
}

export class RemoteState extends Construct {
  readonly key: CustomerKey;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: RemoteStateProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    if (props.state.region !== ctx.region)
      throw new ValidationError(
        this.node.path,
        "state.region",
        `is ${props.state.region}, but the state's key and bucket are created in the stack's region ${ctx.region}`,
      );
    this.key = new CustomerKey(this, "key", {
      alias: props.state.keyAlias,
      description: "CCI Lite Terraform state",
    });
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.state.bucket,
      key: this.key,
      // Current state never expires; old versions do, after a generous window for rollback.
      expirations: [],
      noncurrentVersionExpirationDays: props.noncurrentVersionDays ?? 90,
    });
    new S3BucketVersioning(this, "versioning", { bucket: this.bucket.bucket.id, versioningConfiguration: { status: "Enabled" } });
  }
}

export class DeliveryAccess extends Construct {
  readonly oidcProviderArn: string;
  readonly planRoles: Record<string, IamRole> = {};
  readonly applyRoles: Record<string, IamRole> = {};
  /** Plan role ARN per CCI Lite environment. */
  readonly planRoleArns: Record<string, string> = {};
  /** Apply role ARN per CCI Lite environment. */
  readonly applyRoleArns: Record<string, string> = {};
  readonly boundaryArn: string;

  constructor(scope: Construct, id: string, props: DeliveryAccessProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    if (props.state.region !== ctx.region)
      throw new ValidationError(this.node.path, "state.region", `is ${props.state.region}, but the state lives in the stack's region ${ctx.region}`);
    this.oidcProviderArn = ctx.iamArn(`oidc-provider/${GITHUB_OIDC_HOST}`);
    // IAM rejects a trust policy whose Federated principal does not exist yet: the roles wait for the provider.
    const provider = props.useExistingOidcProvider
      ? []
      : [
          new IamOpenidConnectProvider(this, "github-oidc", {
            url: `https://${GITHUB_OIDC_HOST}`,
            clientIdList: ["sts.amazonaws.com"],
            thumbprintList: ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"],
          }),
        ];
    // Subjects carry the workflow file and its ref (the `github` stack's subject template, modules/iam/github-oidc.ts):
    // each role trusts named workflows on named refs, never any workflow of any branch.
    const main = `refs/heads/${props.mainBranch ?? "main"}`;
    const trust = (contexts: ReadonlyArray<readonly [string, WorkflowAt]>) =>
      render(
        policy({
          Sid: "AllowGithubActionsOidc",
          Effect: "Allow",
          Principal: { Federated: this.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
            StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: contexts.flatMap(([c, w]) => githubSubjects(props.github, c, w)) },
          },
        }),
      );
    const stateArn = ctx.bucketArn(props.state.bucket);
    const scoped: ScopedEnvironment[] = props.environments.map((t) => ({ environment: t.environment, stem: t.stem }));
    const overlaps = checkScopes(scoped);
    if (overlaps.length) throw new ValidationError(this.node.path, "environments", overlaps.join("; "));
    const othersOf = (env: string) => scoped.filter((o) => o.environment !== env);

    // One plan role per environment: it reads the account (ReadOnlyAccess) and its own environment's state only.
    for (const target of props.environments) {
      const planName = planRoleName(props.namePrefix, target.environment);
      const own = { environment: target.environment, stem: target.stem };
      const scope = new Construct(this, `plan-${target.environment}`);
      const role = new IamRole(scope, "role", {
        name: planName,
        description: `GitHub Actions: read-only plan and drift detection for CCI Lite ${target.environment}`,
        // Pull requests through plan.yml; on main, the apply workflow's plan job and the drift workflow.
        assumeRolePolicy: trust([
          ["pull_request", { file: DELIVERY_WORKFLOWS.plan, ref: "refs/pull/*/merge" }],
          [`ref:${main}`, { file: DELIVERY_WORKFLOWS.apply, ref: main }],
          [`ref:${main}`, { file: DELIVERY_WORKFLOWS.drift, ref: main }],
        ]),
        maxSessionDuration: 3600,
        dependsOn: provider,
      });
      new IamRolePolicyAttachment(scope, "read-only", {
        role: role.name,
        policyArn: ctx.arn("iam", "policy/ReadOnlyAccess", { region: "", account: "aws" }),
      });
      new IamRolePolicy(scope, "state-access", {
        role: role.name,
        name: "terraform-state",
        policy: render(
          policy(
            ...planStateStatements(ctx, props.state.bucket, own, othersOf(target.environment)),
            {
              Sid: "UseStateKey",
              Effect: "Allow",
              // Reading the state only: plans never write it (no kms:Encrypt).
              Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
              ...keyByAlias(ctx, props.state.keyAlias),
            },
            // Plans never take the state lock (`-lock=false`): no state or lock object is ever written or deleted.
            { Sid: "DenyAllStateWrites", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${stateArn}/*` },
            ...(props.dataBucketArns.length
              ? [
                  {
                    Sid: "DenyReadingCallData",
                    Effect: "Deny" as const,
                    Action: ["s3:GetObject", "s3:GetObjectVersion"],
                    Resource: props.dataBucketArns.map((a) => `${a}/*`),
                  },
                ]
              : []),
          ),
        ),
      });
      this.planRoles[target.environment] = role;
      this.planRoleArns[target.environment] = ctx.iamArn(`role/${planName}`);
    }

    // Apply roles: a policy (app services; IAM only under the environment's stem, new roles only with the boundary)
    // and a permission boundary they can never change (modules/bootstrap/apply-access.ts, docs/delivery.md).
    this.boundaryArn = boundaryArn(ctx, props.namePrefix);
    const names = {
      context: ctx,
      namePrefix: props.namePrefix,
      stateBucket: props.state.bucket,
      stateKeyAlias: props.state.keyAlias,
      boundaryArn: this.boundaryArn,
      oidcProviderArn: this.oidcProviderArn,
    };
    // One scope for the boundary and every apply role (security suppression CCI-IAM-1 `delivery/apply`).
    const applyScope = new Construct(this, "apply");
    const boundary = new IamPolicy(applyScope, "boundary", {
      name: boundaryName(props.namePrefix),
      description: "Permission boundary of the CCI Lite apply roles and of every role the app stacks create",
      policy: render(policy(...boundaryStatements(names))),
    });
    for (const target of props.environments) {
      const name = applyRoleName(props.namePrefix, target.environment);
      const scope = new Construct(applyScope, target.environment);
      const role = new IamRole(scope, "role", {
        name,
        description: `GitHub Actions: applies reviewed CCI Lite ${target.environment} plans from the ${target.deployEnvironment} environment only`,
        // Only apply.yml as it is on main, in the environment whose protection rules gate the apply.
        assumeRolePolicy: trust([[`environment:${target.deployEnvironment}`, { file: DELIVERY_WORKFLOWS.apply, ref: main }]]),
        permissionsBoundary: boundary.arn,
        maxSessionDuration: APPLY_ROLE_MAX_SESSION_SECONDS,
        dependsOn: provider,
      });
      new IamRolePolicy(scope, "policy", {
        role: role.name,
        name: "apply-app-stack",
        policy: render(
          policy(
            ...applyStatements({ ...names, stem: target.stem, peopleAttachments: target.peopleAttachments }),
            // Nothing of the account's other environments (modules/bootstrap/environment-scope.ts).
            ...otherEnvironmentDenials(ctx, props.state.bucket, { environment: target.environment, stem: target.stem }, othersOf(target.environment)),
          ),
        ),
      });
      this.applyRoles[target.environment] = role;
      this.applyRoleArns[target.environment] = ctx.iamArn(`role/${name}`);
    }
  }
}
