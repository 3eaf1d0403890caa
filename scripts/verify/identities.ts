/**
 * Proof 1 (./hidden-dependencies.ts): how each resource type is named by others (its name, ARN, URL), one entry
 * per type, and when a string names such an identity. A data table: a new type is one entry.
 */

export type IdentityKind = "name" | "arn" | "url";

export interface Identity {
  readonly value: string;
  /**
   * "name": matches a string equal to it. "arn" / "url": also matches as a prefix followed by `/`, `:` or `*`
   * (object ARNs, log-stream ARNs, wildcards).
   */
  readonly kind: IdentityKind;
}

export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Reads a configured attribute as a literal (following `${type.name.attr}` to the referenced resource). */
export type FieldReader = (field: string) => string | undefined;

export interface IdentityRule {
  /** Top-level fields that name the resource itself (not scanned in its own configuration). */
  readonly own: readonly string[];
  readonly ids: (get: FieldReader, c: ArnContext) => (Identity | undefined)[];
}

const name = (v?: string): Identity | undefined => (v ? { value: v, kind: "name" } : undefined);
const arn = (v?: string | false): Identity | undefined => (v ? { value: v, kind: "arn" } : undefined);
const url = (v?: string | false): Identity | undefined => (v ? { value: v, kind: "url" } : undefined);
/** `/` for an unset IAM path. */
const iamPath = (p?: string) => (p && p !== "" ? p : "/");

export const IDENTITY_RULES: Readonly<Record<string, IdentityRule>> = {
  aws_s3_bucket: {
    own: ["bucket"],
    ids: (g, c) => [name(g("bucket")), arn(g("bucket") && `arn:${c.partition}:s3:::${g("bucket")}`), url(g("bucket") && `s3://${g("bucket")}`)],
  },
  aws_s3_access_point: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:s3:${c.region}:${g("account_id") ?? c.account}:accesspoint/${g("name")}`)],
  },
  aws_sqs_queue: {
    own: ["name"],
    ids: (g, c) => [
      name(g("name")),
      arn(g("name") && `arn:${c.partition}:sqs:${c.region}:${c.account}:${g("name")}`),
      url(g("name") && `https://sqs.${c.region}.amazonaws.com/${c.account}/${g("name")}`),
    ],
  },
  aws_sns_topic: { own: ["name"], ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:sns:${c.region}:${c.account}:${g("name")}`)] },
  aws_cloudwatch_log_group: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:${g("name")}`)],
  },
  aws_lambda_function: {
    own: ["function_name"],
    ids: (g, c) => [name(g("function_name")), arn(g("function_name") && `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${g("function_name")}`)],
  },
  aws_cloudwatch_event_rule: {
    own: ["name"],
    ids: (g, c) => {
      const bus = g("event_bus_name");
      const rulePath = bus && bus !== "default" ? `${bus}/${g("name")}` : g("name");
      return [name(g("name")), arn(g("name") && `arn:${c.partition}:events:${c.region}:${c.account}:rule/${rulePath}`)];
    },
  },
  aws_cloudwatch_metric_alarm: {
    own: ["alarm_name"],
    ids: (g, c) => [arn(g("alarm_name") && `arn:${c.partition}:cloudwatch:${c.region}:${c.account}:alarm:${g("alarm_name")}`)],
  },
  aws_iam_role: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:iam::${c.account}:role${iamPath(g("path"))}${g("name")}`)],
  },
  aws_iam_user: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:iam::${c.account}:user${iamPath(g("path"))}${g("name")}`)],
  },
  aws_iam_group: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:group${iamPath(g("path"))}${g("name")}`)] },
  aws_iam_policy: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:policy${iamPath(g("path"))}${g("name")}`)] },
  aws_iam_openid_connect_provider: {
    own: ["url"],
    ids: (g, c) => {
      const url = g("url");
      return [arn(url && `arn:${c.partition}:iam::${c.account}:oidc-provider/${url.replace(/^https:\/\//, "")}`)];
    },
  },
  aws_iam_saml_provider: { own: ["name"], ids: (g, c) => [arn(g("name") && `arn:${c.partition}:iam::${c.account}:saml-provider/${g("name")}`)] },
  aws_kms_alias: { own: ["name"], ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:kms:${c.region}:${c.account}:${g("name")}`)] },
  aws_athena_workgroup: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:athena:${c.region}:${c.account}:workgroup/${g("name")}`)],
  },
  aws_glue_catalog_database: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:glue:${c.region}:${g("catalog_id") ?? c.account}:database/${g("name")}`)],
  },
  aws_glue_catalog_table: {
    own: ["name"],
    ids: (g, c) => [
      name(g("name")),
      arn(g("name") && g("database_name") && `arn:${c.partition}:glue:${c.region}:${g("catalog_id") ?? c.account}:table/${g("database_name")}/${g("name")}`),
    ],
  },
  aws_glue_crawler: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:glue:${c.region}:${c.account}:crawler/${g("name")}`)],
  },
  aws_ssm_parameter: {
    own: ["name"],
    ids: (g, c) => {
      const n = g("name");
      return [name(n), arn(n && `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter/${n.replace(/^\//, "")}`)];
    },
  },
  aws_quicksight_data_source: {
    own: ["data_source_id"],
    ids: (g, c) => [
      name(g("data_source_id")),
      arn(g("data_source_id") && `arn:${c.partition}:quicksight:${c.region}:${g("aws_account_id") ?? c.account}:datasource/${g("data_source_id")}`),
    ],
  },
  aws_quicksight_data_set: {
    own: ["data_set_id"],
    ids: (g, c) => [arn(g("data_set_id") && `arn:${c.partition}:quicksight:${c.region}:${g("aws_account_id") ?? c.account}:dataset/${g("data_set_id")}`)],
  },
  aws_cloudtrail: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:cloudtrail:${c.region}:${c.account}:trail/${g("name")}`)],
  },
  aws_dynamodb_table: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:dynamodb:${c.region}:${c.account}:table/${g("name")}`)],
  },
  aws_sfn_state_machine: {
    own: ["name"],
    ids: (g, c) => [name(g("name")), arn(g("name") && `arn:${c.partition}:states:${c.region}:${c.account}:stateMachine:${g("name")}`)],
  },
};

/** Whether `s` names `id`: equal to it, or for an ARN or URL, it followed by `/`, `:` or `*`. */
export function matches(s: string, id: Identity): boolean {
  if (s === id.value) return true;
  if (id.kind === "name" || !s.startsWith(id.value)) return false;
  return "/:*".includes(s[id.value.length]);
}
