/**
 * Environments of one account that cannot reach each other (issue 21, M3). Separate accounts are the recommendation
 * (docs/delivery.md, "Environments and accounts"); when environments share an account, each environment's delivery
 * roles are denied everything of the account's OTHER environments:
 *
 * - by name: every resource an app stack names starts with its stem `<prefix>-<env>` (Glue: `<prefix>_<env>`, SSM:
 *   the environment's config path), so an ARN pattern per service covers it ({@link environmentResourcePatterns});
 * - by tag, where ARNs carry no name (KMS keys, EC2 network resources, the GuardDuty detector): every resource an app
 *   stack creates carries the provider's default tags `Project=CCI-Lite` and `Env=<env>`; a non-read action on a
 *   resource tagged with another environment is denied (`aws:ResourceTag`), and no request may tag anything with
 *   another environment (`aws:RequestTag`); new keys and network resources must carry the environment's tag;
 * - state: each environment's state is its own object `cci-lite/<env>/terraform.tfstate` in the account's state
 *   bucket; the apply and plan roles are denied the other environments' state objects.
 *
 * Deny statements, added beside the roles' allows (modules/bootstrap/apply-access.ts): an allow added later can
 * never reopen another environment. The simulation in __tests__/security/environments.test.ts checks them against
 * the synthesized prod stack.
 */
import { configParameterPath } from "../../lambda-src/contracts/tenant-settings";
import type { StackContext } from "../constructs/stack-context";
import type { Statement } from "../iam/policy";

/** The default tags every stack's provider puts on every taggable resource (main.ts) that the scoping relies on. */
export const PROJECT_TAG = { key: "Project", value: "CCI-Lite" } as const;
export const ENVIRONMENT_TAG_KEY = "Env";
/** `Env` of the bootstrap stack's resources (state bucket and key, delivery roles): no environment's, every one's. */
export const SHARED_ENVIRONMENT = "shared";

/** Folder of one environment's state objects in the account's state bucket (the S3 backend's `key`, main.ts). */
export const stateObjectPrefix = (environment: string): string => `cci-lite/${environment}/`;
export const stateObjectKey = (environment: string): string => `${stateObjectPrefix(environment)}terraform.tfstate`;

/** One environment of the account: its name and the stem its app stack's names start with. */
export interface ScopedEnvironment {
  readonly environment: string;
  /** `<prefix>-<env>`. */
  readonly stem: string;
}

/** Creating these without the environment's tag is denied: their ARNs carry no name, the tag is their scope. */
export const TAG_SCOPED_CREATES = [
  "kms:CreateKey",
  "ec2:CreateVpc",
  "ec2:CreateSubnet",
  "ec2:CreateRouteTable",
  "ec2:CreateSecurityGroup",
  "ec2:CreateVpcEndpoint",
] as const;

/** Read actions the tag deny leaves alone: an environment reads a singleton another one owns (the GuardDuty detector). */
const READS = ["Describe*", "Get*", "List*"];

/** ARN patterns of everything the app stack of `env` names (every region of the account). */
export function environmentResourcePatterns(ctx: StackContext, env: ScopedEnvironment): string[] {
  const s = env.stem;
  const glue = s.replace(/-/g, "_");
  const at = (service: string, resource: string) => ctx.arn(service, resource, { region: "*" });
  return [
    ctx.bucketArn(`${s}-*`),
    ctx.bucketArn(`${s}-*/*`),
    at("s3", `accesspoint/${s}-*`),
    at("lambda", `function:${s}-*`),
    at("sqs", `${s}-*`),
    at("sns", `${s}-*`),
    at("logs", `log-group:/aws/lambda/${s}-*`),
    at("ssm", `parameter${configParameterPath(env.environment)}*`),
    at("glue", `database/${glue}`),
    at("glue", `table/${glue}/*`),
    at("athena", `workgroup/${s}`),
    at("athena", `workgroup/${s}-*`),
    at("events", `rule/${s}-*`),
    at("cloudwatch", `alarm:${s}-*`),
    ctx.arn("cloudwatch", `dashboard/${s}-*`, { region: "" }),
    ctx.arn("budgets", `budget/${s}-*`, { region: "" }),
    at("cloudtrail", `trail/${s}-*`),
    ...["dataset", "datasource", "dashboard", "analysis"].map((kind) => at("quicksight", `${kind}/${s}-*`)),
    at("kms", `alias/${s}-*`),
    ctx.iamArn(`role/${s}-*`),
    ctx.iamArn(`policy/${s}-*`),
  ];
}

/**
 * Refuses environments whose scopes would overlap: `prod` and `prod-eu` (the pattern `cci-lite-prod-*` also matches
 * `cci-lite-prod-eu-input…`), and an environment named like the bootstrap stack's tag.
 */
export function checkScopes(envs: readonly ScopedEnvironment[]): string[] {
  const problems: string[] = [];
  for (const a of envs) {
    if (a.environment === SHARED_ENVIRONMENT)
      problems.push(`"${a.environment}" is the Env tag of the shared bootstrap resources; name the environment otherwise`);
    for (const b of envs)
      if (a !== b && b.stem.startsWith(`${a.stem}-`))
        problems.push(`"${a.environment}" and "${b.environment}" share an account and ${b.stem} starts with ${a.stem}-: their resource scopes would overlap`);
  }
  return problems;
}

/** What one environment's apply role is denied on the account's other environments (name, tag and state). */
export function otherEnvironmentDenials(ctx: StackContext, stateBucket: string, own: ScopedEnvironment, others: readonly ScopedEnvironment[]): Statement[] {
  const tagged = (value: string | readonly string[]) => ({ [`aws:RequestTag/${ENVIRONMENT_TAG_KEY}`]: value });
  const denials: Statement[] = [
    // Every environment's own stem: an empty other-environment list still keeps the tag rules below.
    ...(others.length
      ? [
          {
            Sid: "DenyOtherEnvironmentsByName",
            Effect: "Deny" as const,
            Action: "*",
            Resource: [...others.flatMap((o) => environmentResourcePatterns(ctx, o)), ...otherStates(ctx, stateBucket, others)],
          },
          {
            Sid: "DenyOtherEnvironmentsEventSourceMappings",
            Effect: "Deny" as const,
            Action: ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
            Resource: "*",
            Condition: { ArnLike: { "lambda:FunctionArn": others.map((o) => ctx.arn("lambda", `function:${o.stem}-*`, { region: "*" })) } },
          },
        ]
      : []),
    {
      Sid: "DenyOtherEnvironmentsByTag",
      Effect: "Deny",
      NotAction: ["ec2", "kms", "guardduty"].flatMap((svc) => READS.map((r) => `${svc}:${r}`)),
      Resource: "*",
      Condition: {
        StringEquals: { [`aws:ResourceTag/${PROJECT_TAG.key}`]: PROJECT_TAG.value },
        StringNotEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG_KEY}`]: [own.environment, SHARED_ENVIRONMENT] },
      },
    },
    {
      Sid: "DenyTaggingAsAnotherEnvironment",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringNotEquals: tagged(own.environment), Null: tagged("false") },
    },
    { Sid: "TagNewKeysAndNetworks", Effect: "Deny", Action: [...TAG_SCOPED_CREATES], Resource: "*", Condition: { Null: tagged("true") } },
  ];
  return denials;
}

/** The state objects of `others` in the account's state bucket. */
export function otherStates(ctx: StackContext, stateBucket: string, others: readonly ScopedEnvironment[]): string[] {
  return others.map((o) => `${ctx.bucketArn(stateBucket)}/${stateObjectPrefix(o.environment)}*`);
}

/** The plan role of one environment reads its own state only (ReadOnlyAccess alone would read every object). */
export function planStateStatements(ctx: StackContext, stateBucket: string, own: ScopedEnvironment, others: readonly ScopedEnvironment[]): Statement[] {
  const state = ctx.bucketArn(stateBucket);
  return [
    { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state },
    { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: `${state}/${stateObjectPrefix(own.environment)}*` },
    ...(others.length
      ? [
          {
            Sid: "DenyOtherEnvironmentsState",
            Effect: "Deny" as const,
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: otherStates(ctx, stateBucket, others),
          },
        ]
      : []),
  ];
}
