/**
 * What an apply role would do to each resource of a planned app stack: one write (and, for data, a read) per planned
 * resource, on the ARN AWS authorizes it against, built from the plan's own names. Resources whose ARN carries no name
 * (KMS keys, EC2 network resources, the GuardDuty detector) get an id of the right shape and the resource's planned
 * tags (`tags_all`: the provider's default tags), which their scoping reads (`aws:ResourceTag`). Every planned type must
 * be mapped here: a new resource type fails the environment simulation until it is.
 */
import { plannedResources, type LoadedPlan } from "../helpers/offline-plan";
import { ACCOUNT, type Policy } from "./iam";
import { KEY, plannedPolicy } from "./plan-policies";

export interface Target {
  readonly address: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** The key policy, for requests on the stack's key (KMS always reads it too). */
  readonly resourcePolicy?: Policy;
}

interface Facts {
  readonly region: string;
  readonly buckets: string[];
  readonly queues: string[];
  readonly topics: string[];
  readonly functions: string[];
  readonly tags: Record<string, string>;
  readonly keyPolicy?: Policy;
}

type Planned = ReturnType<typeof plannedResources>[number];
const arn = (facts: Facts, service: string, resource: string, region = facts.region) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
/** The resource's tags as AWS evaluates them (`aws:ResourceTag/<key>`). */
const tagged = (r: Planned, facts: Facts) =>
  Object.fromEntries(Object.entries<string>(r.after.tags_all ?? facts.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
const ec2 = (kind: string, id: string) => (r: Planned, f: Facts, action: string) => [
  { action, resource: arn(f, "ec2", `${kind}/${id}`), context: tagged(r, f) },
];
const each = (names: string[], f: (name: string) => Omit<Target, "address">) => names.map(f);

const MAP: Record<string, (r: Planned, f: Facts) => Array<Omit<Target, "address">>> = {
  // Terraform's own (the dashboard definition's revision): kept in state, no AWS request to deny.
  terraform_data: () => [],
  aws_athena_named_query: (r, f) => [{ action: "athena:CreateNamedQuery", resource: arn(f, "athena", `workgroup/${r.after.workgroup}`) }],
  aws_athena_workgroup: (r, f) => [{ action: "athena:DeleteWorkGroup", resource: arn(f, "athena", `workgroup/${r.after.name}`) }],
  aws_budgets_budget: (r) => [{ action: "budgets:ModifyBudget", resource: `arn:aws:budgets::${ACCOUNT}:budget/${r.after.name}` }],
  aws_cloudtrail: (r, f) => [{ action: "cloudtrail:StopLogging", resource: arn(f, "cloudtrail", `trail/${r.after.name}`) }],
  aws_cloudwatch_event_rule: (r, f) => [{ action: "events:DeleteRule", resource: arn(f, "events", `rule/${r.after.name}`) }],
  aws_cloudwatch_event_target: (r, f) => [{ action: "events:PutTargets", resource: arn(f, "events", `rule/${r.after.rule}`) }],
  aws_cloudwatch_log_group: (r, f) => [{ action: "logs:DeleteLogGroup", resource: arn(f, "logs", `log-group:${r.after.name}`) }],
  aws_cloudwatch_log_metric_filter: (r, f) => [{ action: "logs:PutMetricFilter", resource: arn(f, "logs", `log-group:${r.after.log_group_name}`) }],
  aws_cloudwatch_metric_alarm: (r, f) => [{ action: "cloudwatch:DeleteAlarms", resource: arn(f, "cloudwatch", `alarm:${r.after.alarm_name}`) }],
  aws_glue_catalog_database: (r, f) => [{ action: "glue:DeleteDatabase", resource: arn(f, "glue", `database/${r.after.name}`) }],
  aws_glue_catalog_table: (r, f) => [{ action: "glue:UpdateTable", resource: arn(f, "glue", `table/${r.after.database_name}/${r.after.name}`) }],
  aws_guardduty_detector: (r, f) => [
    { action: "guardduty:DeleteDetector", resource: arn(f, "guardduty", "detector/12abc34d567e8fa901bc2d34e56789f0"), context: tagged(r, f) },
  ],
  aws_guardduty_detector_feature: (r, f) => [
    { action: "guardduty:UpdateDetector", resource: arn(f, "guardduty", "detector/12abc34d567e8fa901bc2d34e56789f0"), context: tagged(r, f) },
  ],
  aws_iam_role: (r) => [{ action: "iam:UpdateAssumeRolePolicy", resource: `arn:aws:iam::${ACCOUNT}:role/${r.after.name}` }],
  aws_iam_role_policy: (r) => [
    {
      action: "iam:PutRolePolicy",
      resource: `arn:aws:iam::${ACCOUNT}:role/${r.after.role}`,
      context: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/cci-lite-delivery-boundary` },
    },
  ],
  aws_kms_alias: (r, f) => [{ action: "kms:DeleteAlias", resource: arn(f, "kms", r.after.name) }],
  aws_kms_key: (r, f) =>
    ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:UpdateKeyDescription"].map((action) => ({
      action,
      resource: KEY,
      context: tagged(r, f),
      resourcePolicy: f.keyPolicy,
    })),
  aws_lambda_event_source_mapping: (_r, f) =>
    each(f.functions, (fn) => ({
      action: "lambda:DeleteEventSourceMapping",
      resource: arn(f, "lambda", "event-source-mapping:0f0e0d0c-0000-4000-8000-000000000001"),
      context: { "lambda:FunctionArn": arn(f, "lambda", `function:${fn}`) },
    })),
  aws_lambda_function: (r, f) => [{ action: "lambda:UpdateFunctionCode", resource: arn(f, "lambda", `function:${r.after.function_name}`) }],
  aws_lambda_function_event_invoke_config: (r, f) => [
    { action: "lambda:PutFunctionEventInvokeConfig", resource: arn(f, "lambda", `function:${r.after.function_name}`) },
  ],
  aws_lambda_permission: (r, f) => [{ action: "lambda:AddPermission", resource: arn(f, "lambda", `function:${r.after.function_name}`) }],
  aws_quicksight_dashboard: (r, f) => [{ action: "quicksight:UpdateDashboard", resource: arn(f, "quicksight", `dashboard/${r.after.dashboard_id}`) }],
  aws_quicksight_data_set: (r, f) => [{ action: "quicksight:UpdateDataSet", resource: arn(f, "quicksight", `dataset/${r.after.data_set_id}`) }],
  aws_quicksight_data_source: (r, f) => [{ action: "quicksight:UpdateDataSource", resource: arn(f, "quicksight", `datasource/${r.after.data_source_id}`) }],
  aws_quicksight_refresh_schedule: (r, f) => [
    { action: "quicksight:UpdateRefreshSchedule", resource: arn(f, "quicksight", `dataset/${r.after.data_set_id}/refresh-schedule/${r.after.schedule_id}`) },
  ],
  aws_s3_access_point: (r, f) => [{ action: "s3:PutAccessPointPolicy", resource: arn(f, "s3", `accesspoint/${r.after.name}`) }],
  aws_s3_bucket: (r) => [
    { action: "s3:DeleteBucket", resource: `arn:aws:s3:::${r.after.bucket}` },
    { action: "s3:GetObject", resource: `arn:aws:s3:::${r.after.bucket}/demo-tenant/x.json` },
    { action: "s3:PutObject", resource: `arn:aws:s3:::${r.after.bucket}/demo-tenant/x.json` },
  ],
  aws_s3_bucket_lifecycle_configuration: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutLifecycleConfiguration", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_notification: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutBucketNotification", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_ownership_controls: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutBucketOwnershipControls", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_policy: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_public_access_block: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutBucketPublicAccessBlock", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_server_side_encryption_configuration: (_r, f) =>
    each(f.buckets, (b) => ({ action: "s3:PutEncryptionConfiguration", resource: `arn:aws:s3:::${b}` })),
  aws_s3_bucket_versioning: (_r, f) => each(f.buckets, (b) => ({ action: "s3:PutBucketVersioning", resource: `arn:aws:s3:::${b}` })),
  aws_sns_topic: (r, f) => [{ action: "sns:DeleteTopic", resource: arn(f, "sns", r.after.name) }],
  aws_sns_topic_policy: (_r, f) => each(f.topics, (t) => ({ action: "sns:SetTopicAttributes", resource: arn(f, "sns", t) })),
  aws_sns_topic_subscription: (_r, f) => each(f.topics, (t) => ({ action: "sns:Subscribe", resource: arn(f, "sns", t) })),
  aws_sqs_queue: (r, f) => [{ action: "sqs:DeleteQueue", resource: arn(f, "sqs", r.after.name) }],
  aws_sqs_queue_policy: (_r, f) => each(f.queues, (q) => ({ action: "sqs:SetQueueAttributes", resource: arn(f, "sqs", q) })),
  aws_ssm_parameter: (r, f) => [{ action: "ssm:PutParameter", resource: arn(f, "ssm", `parameter${r.after.name}`) }],
  aws_default_security_group: (r, f) => ec2("security-group", "sg-0123456789abcdef0")(r, f, "ec2:RevokeSecurityGroupEgress"),
  aws_route_table: (r, f) => ec2("route-table", "rtb-0123456789abcdef0")(r, f, "ec2:CreateRoute"),
  aws_route_table_association: (r, f) => ec2("route-table", "rtb-0123456789abcdef0")(r, f, "ec2:AssociateRouteTable"),
  aws_security_group: (r, f) => ec2("security-group", "sg-0123456789abcdef1")(r, f, "ec2:AuthorizeSecurityGroupIngress"),
  aws_subnet: (r, f) => ec2("subnet", "subnet-0123456789abcdef0")(r, f, "ec2:DeleteSubnet"),
  aws_vpc: (r, f) => ec2("vpc", "vpc-0123456789abcdef0")(r, f, "ec2:DeleteVpc"),
  aws_vpc_endpoint: (r, f) => ec2("vpc-endpoint", "vpce-0123456789abcdef0")(r, f, "ec2:DeleteVpcEndpoints"),
  aws_vpc_security_group_egress_rule: (r, f) => ec2("security-group", "sg-0123456789abcdef1")(r, f, "ec2:RevokeSecurityGroupEgress"),
  aws_vpc_security_group_ingress_rule: (r, f) => ec2("security-group", "sg-0123456789abcdef1")(r, f, "ec2:RevokeSecurityGroupIngress"),
};

/** Every planned resource of `plan`, as the requests an apply would make on it. Throws for an unmapped type. */
export function targetsOf(plan: LoadedPlan, region: string): Target[] {
  const all = plan.json.resource_changes.filter((rc: { mode: string }) => rc.mode === "managed");
  const names = (type: string, attr: string) => plannedResources(plan, type).map((r) => String(r.after[attr]));
  const key = plannedResources(plan, "aws_kms_key")[0];
  const facts: Facts = {
    region,
    buckets: names("aws_s3_bucket", "bucket"),
    queues: names("aws_sqs_queue", "name"),
    topics: names("aws_sns_topic", "name"),
    functions: names("aws_lambda_function", "function_name"),
    tags: key?.after.tags_all ?? {},
    keyPolicy: key ? plannedPolicy(plan, key.address) : undefined,
  };
  const unmapped = [...new Set<string>(all.map((rc: { type: string }) => rc.type))].filter((t) => !MAP[t]);
  if (unmapped.length) throw new Error(`${plan.name}: no request mapped for ${unmapped.join(", ")} (__tests__/security/environment-targets.ts)`);
  return all.flatMap((rc: { address: string; type: string }) => {
    const r = plannedResources(plan, rc.type).find((p) => p.address === rc.address)!;
    return MAP[rc.type]!(r, facts).map((t) => ({ address: rc.address, ...t }));
  });
}
