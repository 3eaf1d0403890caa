/**
 * What applying a resource asks IAM for (issue 20, "every resource an apply creates is proven creatable"): per
 * Terraform resource type, the IAM actions the AWS provider (5.x) calls to create, read (refresh), update and delete
 * it, and the ARN IAM authorizes them on, built from the synthesized resource. The creatability proof
 * (__tests__/security/creatable.test.ts) simulates every row of every resource of every configuration mode against
 * the apply role's policy and the permission boundary (./apply-access.ts); a synthesized type without a row fails it.
 *
 * Actions come from the provider's calls and the Service Authorization Reference; `also` adds the ones a request
 * needs only in some configurations (a function in a VPC, a role passed to a service, a policy attached).
 */

/** The partition, region and account of the stack the resource is in. */
export interface ArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Reads a configured attribute as a literal (following `${type.name.attr}` references); undefined if unknown. */
export type AttributeReader = (field: string) => string | undefined;

/** One request IAM authorizes: an action, and the conditions the request carries. */
export interface ActionRequest {
  readonly action: string;
  /** The ARN authorized. @default the row's `arn` */
  readonly resource?: string;
  readonly context?: Readonly<Record<string, string>>;
}

export interface ResourceActions {
  readonly create: readonly string[];
  readonly read: readonly string[];
  /** @default none (every change replaces the resource) */
  readonly update?: readonly string[];
  readonly delete: readonly string[];
  /** The ARN the actions are authorized on. */
  readonly arn: (get: AttributeReader, c: ArnParts) => string;
  /** Conditions every request of the row carries (e.g. `iam:PolicyARN` of an attachment). @default none */
  readonly context?: (get: AttributeReader) => Readonly<Record<string, string>>;
  /** Requests only some configurations of the resource make (at create). @default none */
  readonly also?: (get: AttributeReader, c: ArnParts, config: Readonly<Record<string, unknown>>) => readonly ActionRequest[];
}

export type CrudPhase = "create" | "read" | "update" | "delete";
export const CRUD_PHASES: readonly CrudPhase[] = ["create", "read", "update", "delete"];

const at = (service: string, resource: string, c: ArnParts, region = c.region, account = c.account) =>
  `arn:${c.partition}:${service}:${region}:${account}:${resource}`;
const iamArn = (resource: string, c: ArnParts) => `arn:${c.partition}:iam::${c.account}:${resource}`;
const bucket = (get: AttributeReader, c: ArnParts) => `arn:${c.partition}:s3:::${get("bucket") ?? "*"}`;
const ec2 = (kind: string) => (_g: AttributeReader, c: ArnParts) => at("ec2", `${kind}/*`, c);
/** A name as IAM ARNs spell it: `*` when only apply knows it. */
const n = (v: string | undefined) => v ?? "*";

/** Resources of S3's bucket sub-resources: one bucket ARN, a Put, a Get and (mostly) a Delete. */
const bucketPart = (get: string, put: string, del?: string): ResourceActions => ({
  create: [`s3:${put}`],
  read: [`s3:${get}`],
  update: [`s3:${put}`],
  delete: [del ? `s3:${del}` : `s3:${put}`],
  arn: bucket,
});

/** iam:PassRole of a role to a service, the role named by an ARN attribute. */
const passRole = (get: AttributeReader, field: string, service: string): ActionRequest[] => {
  const role = get(field);
  return role ? [{ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": service } }] : [];
};

const TAGS = ["ec2:CreateTags"];

export const RESOURCE_ACTIONS: Readonly<Record<string, ResourceActions>> = {
  aws_athena_named_query: {
    create: ["athena:CreateNamedQuery"],
    read: ["athena:GetNamedQuery"],
    delete: ["athena:DeleteNamedQuery"],
    arn: (g, c) => at("athena", `workgroup/${n(g("workgroup"))}`, c),
  },
  aws_athena_workgroup: {
    create: ["athena:CreateWorkGroup", "athena:TagResource"],
    read: ["athena:GetWorkGroup", "athena:ListTagsForResource"],
    update: ["athena:UpdateWorkGroup"],
    delete: ["athena:DeleteWorkGroup"],
    arn: (g, c) => at("athena", `workgroup/${n(g("name"))}`, c),
  },
  aws_budgets_budget: {
    create: ["budgets:ModifyBudget"],
    read: ["budgets:ViewBudget"],
    update: ["budgets:ModifyBudget"],
    delete: ["budgets:ModifyBudget"],
    arn: (g, c) => `arn:${c.partition}:budgets::${c.account}:budget/${n(g("name"))}`,
  },
  aws_cloudtrail: {
    create: ["cloudtrail:CreateTrail", "cloudtrail:StartLogging", "cloudtrail:AddTags"],
    read: ["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:ListTags"],
    update: ["cloudtrail:UpdateTrail"],
    delete: ["cloudtrail:DeleteTrail"],
    arn: (g, c) => at("cloudtrail", `trail/${n(g("name"))}`, c),
  },
  aws_cloudwatch_event_rule: {
    create: ["events:PutRule", "events:TagResource"],
    read: ["events:DescribeRule", "events:ListTagsForResource"],
    update: ["events:PutRule"],
    delete: ["events:DeleteRule"],
    arn: (g, c) => at("events", `rule/${n(g("name"))}`, c),
  },
  aws_cloudwatch_event_target: {
    create: ["events:PutTargets"],
    read: ["events:ListTargetsByRule"],
    update: ["events:PutTargets"],
    delete: ["events:RemoveTargets"],
    arn: (g, c) => at("events", `rule/${n(g("rule"))}`, c),
  },
  aws_cloudwatch_log_group: {
    create: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"],
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    update: ["logs:PutRetentionPolicy", "logs:AssociateKmsKey"],
    delete: ["logs:DeleteLogGroup"],
    arn: (g, c) => at("logs", `log-group:${n(g("name"))}`, c),
  },
  aws_cloudwatch_log_metric_filter: {
    create: ["logs:PutMetricFilter"],
    read: ["logs:DescribeMetricFilters"],
    update: ["logs:PutMetricFilter"],
    delete: ["logs:DeleteMetricFilter"],
    arn: (g, c) => at("logs", `log-group:${n(g("log_group_name"))}`, c),
  },
  aws_cloudwatch_metric_alarm: {
    create: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"],
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    update: ["cloudwatch:PutMetricAlarm"],
    delete: ["cloudwatch:DeleteAlarms"],
    arn: (g, c) => at("cloudwatch", `alarm:${n(g("alarm_name"))}`, c),
  },
  aws_default_security_group: {
    create: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", ...TAGS],
    read: ["ec2:DescribeSecurityGroups"],
    update: ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"],
    delete: [],
    arn: ec2("security-group"),
  },
  aws_glue_catalog_database: {
    create: ["glue:CreateDatabase"],
    read: ["glue:GetDatabase"],
    update: ["glue:UpdateDatabase"],
    delete: ["glue:DeleteDatabase"],
    arn: (g, c) => at("glue", `database/${n(g("name"))}`, c),
  },
  aws_glue_catalog_table: {
    create: ["glue:CreateTable"],
    read: ["glue:GetTable"],
    update: ["glue:UpdateTable"],
    delete: ["glue:DeleteTable"],
    arn: (g, c) => at("glue", `table/${n(g("database_name"))}/${n(g("name"))}`, c),
  },
  aws_glue_crawler: {
    create: ["glue:CreateCrawler", "glue:TagResource"],
    read: ["glue:GetCrawler", "glue:GetTags"],
    update: ["glue:UpdateCrawler"],
    delete: ["glue:DeleteCrawler"],
    arn: (g, c) => at("glue", `crawler/${n(g("name"))}`, c),
    // CreateCrawler passes the crawler's role to Glue.
    also: (g) => passRole(g, "role", "glue.amazonaws.com"),
  },
  aws_guardduty_detector: {
    create: ["guardduty:CreateDetector", "guardduty:TagResource"],
    read: ["guardduty:GetDetector", "guardduty:ListTagsForResource"],
    update: ["guardduty:UpdateDetector"],
    delete: ["guardduty:DeleteDetector"],
    arn: (_g, c) => at("guardduty", "detector/*", c),
    // The first detector of an account creates GuardDuty's service-linked role.
    also: (_g, c) => [
      {
        action: "iam:CreateServiceLinkedRole",
        resource: iamArn("role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty", c),
        context: { "iam:AWSServiceName": "guardduty.amazonaws.com" },
      },
    ],
  },
  aws_guardduty_detector_feature: {
    create: ["guardduty:UpdateDetector"],
    read: ["guardduty:GetDetector"],
    update: ["guardduty:UpdateDetector"],
    delete: ["guardduty:UpdateDetector"],
    arn: (_g, c) => at("guardduty", "detector/*", c),
  },
  aws_iam_openid_connect_provider: {
    create: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
    read: ["iam:GetOpenIDConnectProvider"],
    update: ["iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider"],
    delete: ["iam:DeleteOpenIDConnectProvider"],
    arn: (g, c) => iamArn(`oidc-provider/${n(g("url")?.replace(/^https:\/\//, ""))}`, c),
  },
  aws_iam_policy: {
    create: ["iam:CreatePolicy", "iam:TagPolicy"],
    read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
    update: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
    delete: ["iam:DeletePolicy"],
    arn: (g, c) => iamArn(`policy${g("path") ?? "/"}${n(g("name"))}`, c),
  },
  aws_iam_role: {
    create: ["iam:CreateRole", "iam:TagRole"],
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
    update: ["iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:PutRolePermissionsBoundary"],
    delete: ["iam:DeleteRole", "iam:ListInstanceProfilesForRole"],
    arn: (g, c) => iamArn(`role${g("path") ?? "/"}${n(g("name"))}`, c),
  },
  aws_iam_role_policy: {
    create: ["iam:PutRolePolicy"],
    read: ["iam:GetRolePolicy"],
    update: ["iam:PutRolePolicy"],
    delete: ["iam:DeleteRolePolicy"],
    arn: (g, c) => iamArn(`role/${n(g("role"))}`, c),
  },
  aws_iam_role_policy_attachment: {
    create: ["iam:AttachRolePolicy"],
    read: ["iam:ListAttachedRolePolicies"],
    delete: ["iam:DetachRolePolicy"],
    arn: (g, c) => iamArn(`role/${n(g("role"))}`, c),
    context: (g): Record<string, string> => {
      const policy = g("policy_arn");
      return policy ? { "iam:PolicyARN": policy } : {};
    },
  },
  aws_kms_alias: {
    create: ["kms:CreateAlias"],
    read: ["kms:ListAliases"],
    update: ["kms:UpdateAlias"],
    delete: ["kms:DeleteAlias"],
    arn: (g, c) => at("kms", n(g("name")), c),
  },
  aws_kms_key: {
    create: ["kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource"],
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    update: ["kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:EnableKeyRotation"],
    delete: ["kms:ScheduleKeyDeletion"],
    arn: (_g, c) => at("kms", "key/*", c),
  },
  aws_lambda_event_source_mapping: {
    create: ["lambda:CreateEventSourceMapping"],
    read: ["lambda:GetEventSourceMapping"],
    update: ["lambda:UpdateEventSourceMapping"],
    delete: ["lambda:DeleteEventSourceMapping"],
    arn: (_g, c) => at("lambda", "event-source-mapping:*", c),
  },
  aws_lambda_function: {
    create: ["lambda:CreateFunction", "lambda:TagResource", "lambda:PutFunctionConcurrency"],
    read: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:GetFunctionConcurrency"],
    update: ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"],
    delete: ["lambda:DeleteFunction"],
    arn: (g, c) => at("lambda", `function:${n(g("function_name"))}`, c),
    also: (g, _c, config) => [
      ...passRole(g, "role", "lambda.amazonaws.com"),
      // Lambda Developer Guide, "Giving Lambda functions access to a VPC": the caller describes the placement.
      ...(config.vpc_config ? ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"].map((action) => ({ action, resource: "*" })) : []),
    ],
  },
  aws_lambda_function_event_invoke_config: {
    create: ["lambda:PutFunctionEventInvokeConfig"],
    read: ["lambda:GetFunctionEventInvokeConfig"],
    update: ["lambda:UpdateFunctionEventInvokeConfig"],
    delete: ["lambda:DeleteFunctionEventInvokeConfig"],
    arn: (g, c) => at("lambda", `function:${n(g("function_name"))}`, c),
  },
  aws_lambda_permission: {
    create: ["lambda:AddPermission"],
    read: ["lambda:GetPolicy"],
    delete: ["lambda:RemovePermission"],
    arn: (g, c) => at("lambda", `function:${n(g("function_name"))}`, c),
  },
  aws_quicksight_dashboard: {
    create: ["quicksight:CreateDashboard", "quicksight:UpdateDashboardPermissions", "quicksight:TagResource"],
    read: ["quicksight:DescribeDashboard", "quicksight:DescribeDashboardPermissions", "quicksight:ListTagsForResource"],
    update: ["quicksight:UpdateDashboard", "quicksight:UpdateDashboardPublishedVersion"],
    delete: ["quicksight:DeleteDashboard"],
    arn: (g, c) => at("quicksight", `dashboard/${n(g("dashboard_id"))}`, c),
  },
  aws_quicksight_data_set: {
    create: ["quicksight:CreateDataSet", "quicksight:PassDataSource", "quicksight:UpdateDataSetPermissions", "quicksight:TagResource"],
    read: ["quicksight:DescribeDataSet", "quicksight:DescribeDataSetPermissions", "quicksight:ListTagsForResource"],
    update: ["quicksight:UpdateDataSet", "quicksight:PassDataSet"],
    delete: ["quicksight:DeleteDataSet"],
    arn: (g, c) => at("quicksight", `dataset/${n(g("data_set_id"))}`, c),
  },
  aws_quicksight_data_source: {
    create: ["quicksight:CreateDataSource", "quicksight:UpdateDataSourcePermissions", "quicksight:TagResource"],
    read: ["quicksight:DescribeDataSource", "quicksight:DescribeDataSourcePermissions", "quicksight:ListTagsForResource"],
    update: ["quicksight:UpdateDataSource"],
    delete: ["quicksight:DeleteDataSource"],
    arn: (g, c) => at("quicksight", `datasource/${n(g("data_source_id"))}`, c),
  },
  aws_quicksight_refresh_schedule: {
    create: ["quicksight:CreateRefreshSchedule"],
    read: ["quicksight:DescribeRefreshSchedule"],
    update: ["quicksight:UpdateRefreshSchedule"],
    delete: ["quicksight:DeleteRefreshSchedule"],
    arn: (g, c) => at("quicksight", `dataset/${n(g("data_set_id"))}`, c),
  },
  aws_route_table: {
    create: ["ec2:CreateRouteTable", ...TAGS],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:CreateRoute", "ec2:DeleteRoute"],
    delete: ["ec2:DeleteRouteTable"],
    arn: ec2("route-table"),
  },
  aws_route_table_association: {
    create: ["ec2:AssociateRouteTable"],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:ReplaceRouteTableAssociation"],
    delete: ["ec2:DisassociateRouteTable"],
    arn: ec2("route-table"),
  },
  aws_s3_access_point: {
    create: ["s3:CreateAccessPoint", "s3:PutAccessPointPolicy"],
    read: ["s3:GetAccessPoint", "s3:GetAccessPointPolicy", "s3:GetAccessPointPolicyStatus"],
    update: ["s3:PutAccessPointPolicy"],
    delete: ["s3:DeleteAccessPoint"],
    arn: (g, c) => at("s3", `accesspoint/${n(g("name"))}`, c),
  },
  aws_s3_bucket: {
    create: ["s3:CreateBucket", "s3:PutBucketTagging"],
    read: ["s3:ListBucket", "s3:GetBucketTagging", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketVersioning", "s3:GetLifecycleConfiguration"],
    update: ["s3:PutBucketTagging"],
    delete: ["s3:DeleteBucket"],
    arn: bucket,
  },
  aws_s3_bucket_lifecycle_configuration: bucketPart("GetLifecycleConfiguration", "PutLifecycleConfiguration"),
  aws_s3_bucket_notification: bucketPart("GetBucketNotification", "PutBucketNotification"),
  aws_s3_bucket_ownership_controls: bucketPart("GetBucketOwnershipControls", "PutBucketOwnershipControls"),
  aws_s3_bucket_policy: bucketPart("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
  aws_s3_bucket_public_access_block: bucketPart("GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
  aws_s3_bucket_server_side_encryption_configuration: bucketPart("GetEncryptionConfiguration", "PutEncryptionConfiguration"),
  aws_s3_bucket_versioning: bucketPart("GetBucketVersioning", "PutBucketVersioning"),
  aws_security_group: {
    create: ["ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", ...TAGS],
    read: ["ec2:DescribeSecurityGroups"],
    update: ["ec2:ModifySecurityGroupRules"],
    delete: ["ec2:DeleteSecurityGroup"],
    arn: ec2("security-group"),
  },
  aws_sns_topic: {
    create: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource"],
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    update: ["sns:SetTopicAttributes"],
    delete: ["sns:DeleteTopic"],
    arn: (g, c) => at("sns", n(g("name")), c),
  },
  aws_sns_topic_policy: {
    create: ["sns:SetTopicAttributes"],
    read: ["sns:GetTopicAttributes"],
    update: ["sns:SetTopicAttributes"],
    delete: ["sns:SetTopicAttributes"],
    arn: (g, c) => (n(g("arn")) === "*" ? at("sns", "*", c) : (g("arn") as string)),
  },
  aws_sns_topic_subscription: {
    create: ["sns:Subscribe"],
    read: ["sns:GetSubscriptionAttributes"],
    update: ["sns:SetSubscriptionAttributes"],
    delete: ["sns:Unsubscribe"],
    arn: (g, c) => g("topic_arn") ?? at("sns", "*", c),
  },
  aws_sqs_queue: {
    create: ["sqs:CreateQueue", "sqs:TagQueue"],
    read: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
    update: ["sqs:SetQueueAttributes"],
    delete: ["sqs:DeleteQueue"],
    arn: (g, c) => at("sqs", n(g("name")), c),
  },
  aws_sqs_queue_policy: {
    create: ["sqs:SetQueueAttributes"],
    read: ["sqs:GetQueueAttributes"],
    update: ["sqs:SetQueueAttributes"],
    delete: ["sqs:SetQueueAttributes"],
    arn: (g, c) => at("sqs", n(g("queue_url")?.split("/").pop()), c),
  },
  aws_ssm_parameter: {
    create: ["ssm:PutParameter", "ssm:AddTagsToResource"],
    read: ["ssm:GetParameter", "ssm:DescribeParameters", "ssm:ListTagsForResource"],
    update: ["ssm:PutParameter"],
    delete: ["ssm:DeleteParameter"],
    arn: (g, c) => at("ssm", `parameter/${n(g("name")?.replace(/^\//, ""))}`, c),
  },
  aws_subnet: {
    create: ["ec2:CreateSubnet", ...TAGS],
    read: ["ec2:DescribeSubnets"],
    update: ["ec2:ModifySubnetAttribute"],
    delete: ["ec2:DeleteSubnet"],
    arn: ec2("subnet"),
  },
  aws_vpc: {
    create: ["ec2:CreateVpc", "ec2:ModifyVpcAttribute", ...TAGS],
    read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
    update: ["ec2:ModifyVpcAttribute"],
    delete: ["ec2:DeleteVpc"],
    arn: ec2("vpc"),
  },
  aws_vpc_endpoint: {
    create: ["ec2:CreateVpcEndpoint", ...TAGS],
    read: ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"],
    update: ["ec2:ModifyVpcEndpoint"],
    delete: ["ec2:DeleteVpcEndpoints"],
    arn: ec2("vpc-endpoint"),
  },
  aws_vpc_security_group_egress_rule: {
    create: ["ec2:AuthorizeSecurityGroupEgress"],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules"],
    delete: ["ec2:RevokeSecurityGroupEgress"],
    arn: ec2("security-group"),
  },
  aws_vpc_security_group_ingress_rule: {
    create: ["ec2:AuthorizeSecurityGroupIngress"],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules"],
    delete: ["ec2:RevokeSecurityGroupIngress"],
    arn: ec2("security-group"),
  },
};
