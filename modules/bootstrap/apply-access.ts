/**
 * What a deploy environment's apply role may do (identity policy) and can never do (permission boundary).
 *
 * The app stack needs the services of its resource types ({@link RESOURCE_TYPE_SERVICES}, checked against the
 * synthesized stack with every toggle on) and, because its own roles carry the same boundary, the services its
 * roles' policies use ({@link WORKLOAD_SERVICES}). The boundary denies, whatever any identity policy says: changes to
 * the delivery roles (trust, policies, boundary), the OIDC provider and the boundary itself; removing or swapping a
 * role's boundary; IAM users and access keys; the state bucket's policy and protections; deleting state versions;
 * the state key's policy, deletion and alias. docs/delivery.md ("What the apply role may do") explains each part.
 */
import type { StackContext } from "../constructs/stack-context";
import type { PeopleAttachment } from "../config/people-policies";
import { keyByAlias, type Statement } from "../iam/policy";

/** Terraform resource type prefix → IAM service prefix, longest prefix first. */
export const RESOURCE_TYPE_SERVICES: ReadonlyArray<readonly [string, string]> = [
  ["aws_cloudwatch_event_", "events"],
  ["aws_cloudwatch_log_", "logs"],
  ["aws_cloudwatch_metric_alarm", "cloudwatch"],
  ["aws_cloudwatch_dashboard", "cloudwatch"],
  ["aws_athena_", "athena"],
  ["aws_budgets_", "budgets"],
  ["aws_cloudtrail", "cloudtrail"],
  // Private networking (network.mode create / existing): the VPC, subnets, routes, endpoints and security groups.
  // The functions' roles then call ec2 too (ENIs in the subnets), so the boundary must allow it (issue 20, B1).
  ["aws_default_security_group", "ec2"],
  ["aws_route_table", "ec2"],
  ["aws_security_group", "ec2"],
  ["aws_subnet", "ec2"],
  ["aws_vpc", "ec2"],
  ["aws_glue_", "glue"],
  ["aws_guardduty_", "guardduty"],
  ["aws_iam_", "iam"],
  ["aws_kms_", "kms"],
  ["aws_lambda_", "lambda"],
  ["aws_quicksight_", "quicksight"],
  ["aws_s3_", "s3"],
  ["aws_sns_", "sns"],
  ["aws_sqs_", "sqs"],
  ["aws_ssm_", "ssm"],
];

/** Resource types Terraform itself manages in state, with no AWS call and so no IAM service (`terraform_data`). */
export const TERRAFORM_BUILTIN_TYPES: ReadonlySet<string> = new Set(["terraform_data"]);

/** The IAM service a Terraform resource type is managed through (throws for an unmapped type). */
export function serviceOfResourceType(type: string): string {
  const hit = RESOURCE_TYPE_SERVICES.find(([prefix]) => type.startsWith(prefix));
  if (!hit) throw new Error(`No IAM service mapped for resource type ${type}: add it to RESOURCE_TYPE_SERVICES (modules/bootstrap/apply-access.ts)`);
  return hit[1];
}

/** Services the app stack's resources are managed through (all toggles on). */
export const APP_SERVICES = [...new Set(RESOURCE_TYPE_SERVICES.map(([, s]) => s))].sort();
/** Further services the app stack's own roles call at run time (they carry the same boundary). */
export const WORKLOAD_SERVICES = ["bedrock", "comprehend", "transcribe"] as const;

export interface ApplyAccessNames {
  /** The bootstrap stack's account, region (the state's) and partition. */
  readonly context: StackContext;
  readonly namePrefix: string;
  /** `<prefix>-<env>`: every role and managed policy of the environment's app stack starts with it. */
  readonly stem: string;
  readonly stateBucket: string;
  readonly stateKeyAlias: string;
  readonly boundaryArn: string;
  readonly oidcProviderArn: string;
  /** People policies the app stack attaches to configured outside roles (B2). @default none */
  readonly peopleAttachments?: readonly PeopleAttachment[];
}

export const boundaryName = (namePrefix: string): string => `${namePrefix}-delivery-boundary`;
/** The boundary policy of the account of `context` (the bootstrap stack creates it, every app stack names it). */
export const boundaryArn = (context: Pick<StackContext, "iamArn">, namePrefix: string): string => context.iamArn(`policy/${boundaryName(namePrefix)}`);

const IAM_WRITES = [
  "iam:Add*",
  "iam:Attach*",
  "iam:Create*",
  "iam:Delete*",
  "iam:Detach*",
  "iam:Put*",
  "iam:Remove*",
  "iam:Set*",
  "iam:Tag*",
  "iam:Untag*",
  "iam:Update*",
  "iam:Upload*",
];

/** The permission boundary of every apply role and of every role the app stacks create. */
export function boundaryStatements(n: Omit<ApplyAccessNames, "stem">): Statement[] {
  const iam = (r: string) => n.context.iamArn(r);
  const state = n.context.bucketArn(n.stateBucket);
  return [
    {
      Sid: "AllowAppServices",
      Effect: "Allow",
      Action: [...APP_SERVICES, ...WORKLOAD_SERVICES].map((s) => `${s}:*`).concat("sts:GetCallerIdentity"),
      Resource: "*",
    },
    {
      Sid: "ProtectDeliveryIdentities",
      Effect: "Deny",
      Action: IAM_WRITES,
      Resource: [iam(`role/${n.namePrefix}-github-*`), n.oidcProviderArn, n.boundaryArn],
    },
    { Sid: "NeverRemoveABoundary", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], Resource: "*" },
    {
      Sid: "OnlyThisBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": n.boundaryArn } },
    },
    {
      Sid: "NoUsersOrKeys",
      Effect: "Deny",
      Action: [
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AttachUserPolicy",
        "iam:PutUserPolicy",
        "iam:AddUserToGroup",
        "iam:AttachGroupPolicy",
        "iam:PutGroupPolicy",
        "iam:CreateOpenIDConnectProvider",
        "iam:CreateSAMLProvider",
      ],
      Resource: "*",
    },
    {
      Sid: "ProtectStateBucket",
      Effect: "Deny",
      Action: [
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketAcl",
        "s3:PutLifecycleConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:PutBucketObjectLockConfiguration",
      ],
      Resource: state,
    },
    { Sid: "KeepStateHistory", Effect: "Deny", Action: ["s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectVersionAcl"], Resource: `${state}/*` },
    {
      Sid: "ProtectStateKey",
      Effect: "Deny",
      Action: [
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:DisableKeyRotation",
        "kms:UpdateKeyDescription",
        "kms:TagResource",
        "kms:UntagResource",
      ],
      ...keyByAlias(n.context, n.stateKeyAlias),
    },
    {
      Sid: "ProtectStateKeyAlias",
      Effect: "Deny",
      Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
      Resource: n.context.arn("kms", n.stateKeyAlias),
    },
  ];
}

/** The apply role's identity policy for one environment: the app services, IAM only under the environment's stem. */
export function applyStatements(n: ApplyAccessNames): Statement[] {
  const iam = (r: string) => n.context.iamArn(r);
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": n.boundaryArn } };
  return [
    {
      Sid: "ManageAppResources",
      Effect: "Allow",
      Action: APP_SERVICES.filter((s) => s !== "iam")
        .map((s) => `${s}:*`)
        .concat("sts:GetCallerIdentity"),
      Resource: "*",
    },
    { Sid: "ReadIam", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
    {
      Sid: "CreateAppRolesWithBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"],
      Resource: iam(`role/${n.stem}-*`),
      Condition: withBoundary,
    },
    {
      Sid: "ManageAppRoles",
      Effect: "Allow",
      Action: ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"],
      Resource: iam(`role/${n.stem}-*`),
    },
    // The stack passes its roles to Lambda (each function's execution role) and Glue (the optional crawler's role,
    // glueCrawler.enabled); start passes the Transcribe data-access role at run time, with its own role, not the apply role.
    {
      Sid: "PassAppRolesToServices",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: iam(`role/${n.stem}-*`),
      Condition: { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "glue.amazonaws.com"] } },
    },
    {
      Sid: "ManageAppPolicies",
      Effect: "Allow",
      Action: [
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:TagPolicy",
        "iam:UntagPolicy",
      ],
      Resource: iam(`policy/${n.stem}-*`),
    },
    // People's policies (uploaders, operators, analysts) go to exactly the configured roles outside the stack: each
    // policy to its roles only (issue 20, B2). Those roles carry no boundary, so this is the only attach allowed.
    ...(n.peopleAttachments ?? []).map(
      (a, i): Statement => ({
        Sid: `AttachPeoplePolicy${i + 1}`,
        Effect: "Allow",
        Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
        Resource: [...a.roleArns],
        Condition: { ArnEquals: { "iam:PolicyARN": iam(`policy/${a.policyName}`) } },
      }),
    ),
    // The one service-linked role an apply may create: GuardDuty's, when the stack creates the detector
    // (docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html).
    {
      Sid: "GuardDutyServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: iam("role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"),
      Condition: { StringEquals: { "iam:AWSServiceName": "guardduty.amazonaws.com" } },
    },
  ];
}
