/**
 * Proof 1 (./hidden-dependencies.ts): the short list of places where AWS accepts a name before the named resource
 * exists, each with its reason and documentation.
 */

/** Where a string was found. */
export interface Use {
  readonly fromType: string;
  /** Path in the resource configuration, numeric indices included (e.g. ["notification", 0, "subscriber_sns_topic_arns", 0]). */
  readonly configPath: readonly (string | number)[];
  /** For a string inside a JSON-encoded attribute: the path inside the parsed JSON. */
  readonly jsonPath?: readonly (string | number)[];
}

export interface AllowedUse {
  readonly id: string;
  readonly where: string;
  readonly reason: string;
  readonly doc: string;
  readonly matches: (use: Use) => boolean;
}

/** Attributes holding identity policies (attached to a principal), by resource type. */
const IDENTITY_POLICY_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role_policy: "policy",
  aws_iam_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
  aws_iam_role: "inline_policy.policy",
};

/** Drops numeric indices: ["notification", 0, "x"] → "notification.x". */
export function fieldName(path: readonly (string | number)[]): string {
  return path.filter((p) => typeof p === "string").join(".");
}

/** The statement element (`Resource`, `Principal`, `Condition`, ...) a JSON path points into, if any. */
function statementElement(jsonPath?: readonly (string | number)[]): string | undefined {
  if (jsonPath?.[0] !== "Statement") return undefined;
  const at = typeof jsonPath[1] === "number" ? 2 : 1;
  return typeof jsonPath[at] === "string" ? (jsonPath[at] as string) : undefined;
}

export const ALLOWED_USES: readonly AllowedUse[] = [
  {
    id: "identity-policy-resource",
    where:
      "Statement[].Resource / NotResource of an identity policy (aws_iam_role_policy, aws_iam_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role inline_policy)",
    reason:
      "IAM stores an identity policy without resolving its resource ARNs (they are patterns matched per request); the permission simply applies once the resource exists",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
    matches: (u) =>
      IDENTITY_POLICY_ATTRIBUTES[u.fromType] === fieldName(u.configPath) && ["Resource", "NotResource"].includes(statementElement(u.jsonPath) ?? ""),
  },
  {
    id: "endpoint-policy-resource",
    where: "Statement[].Resource of a VPC endpoint policy (aws_vpc_endpoint.policy)",
    reason:
      "an endpoint policy is evaluated per request like an identity policy's resource patterns; EC2 stores it without resolving the resources it names (the functions that use the endpoint, and the resources they reach, are created after it)",
    doc: "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
    matches: (u) => u.fromType === "aws_vpc_endpoint" && fieldName(u.configPath) === "policy" && statementElement(u.jsonPath) === "Resource",
  },
  {
    id: "policy-condition-value",
    where: "Statement[].Condition values of any policy document (aws:PrincipalArn, aws:SourceArn, kms:EncryptionContext:*, kms:ResourceAliases, ...)",
    reason: "condition values are strings compared with the request context when a request is evaluated; no service checks that they name an existing resource",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
    matches: (u) => statementElement(u.jsonPath) === "Condition",
  },
  {
    id: "lambda-permission-source",
    where: "aws_lambda_permission.source_arn / source_account",
    reason: "Lambda writes it into the function policy as an AWS:SourceArn / AWS:SourceAccount condition, evaluated when the service invokes",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html",
    matches: (u) => u.fromType === "aws_lambda_permission" && ["source_arn", "source_account"].includes(fieldName(u.configPath)),
  },
  {
    id: "lambda-environment",
    where: "aws_lambda_function.environment.variables.*",
    reason: "environment variables are opaque strings to Lambda; the code uses them only when invoked, after the apply",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
    matches: (u) => u.fromType === "aws_lambda_function" && fieldName(u.configPath).startsWith("environment.variables."),
  },
  {
    id: "metric-dimensions",
    where: "aws_cloudwatch_metric_alarm dimensions (and metric_query[].metric.dimensions)",
    reason:
      "a metric is identified by namespace, name and dimensions, not by a resource; an alarm on a metric with no data yet is created in INSUFFICIENT_DATA",
    doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    matches: (u) => u.fromType === "aws_cloudwatch_metric_alarm" && /^(dimensions|metric_query\.metric\.dimensions)\./.test(fieldName(u.configPath)),
  },
];
