/**
 * IAM policy documents as plain data. Statements are built from ARNs derived from configured names, so the
 * rendered JSON is fully known in an offline `terraform plan` and reviewers read the real policy.
 */
import type { StackContext } from "../constructs/stack-context";

export type Principal = "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[]; readonly Federated?: string };

interface StatementBase {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

/** A statement names its actions (`Action`) or, for a Deny only, the actions it leaves alone (`NotAction`). */
export type Statement =
  | (StatementBase & { readonly Action: string | readonly string[]; readonly NotAction?: undefined })
  | (StatementBase & { readonly Effect: "Deny"; readonly NotAction: readonly string[]; readonly Action?: undefined });

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Statement[];
}

/** Builds a policy document; throws when two statements share a Sid (IAM rejects that). */
export function policy(...statements: readonly Statement[]): PolicyDocument {
  const sids = new Set<string>();
  for (const s of statements) {
    if (!/^[A-Za-z0-9]+$/.test(s.Sid)) throw new Error(`policy: Sid "${s.Sid}" must be alphanumeric`);
    if (sids.has(s.Sid)) throw new Error(`policy: duplicate Sid "${s.Sid}"`);
    sids.add(s.Sid);
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Renders a document for a Terraform `policy` argument. */
export function render(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/** Trust policy for an AWS service, scoped to this account (confused-deputy protection). */
export function serviceTrust(service: string, accountId: string, sourceArnLike?: string): PolicyDocument {
  return policy({
    Sid: "AllowServiceAssumeRole",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ...(sourceArnLike ? { ArnLike: { "aws:SourceArn": sourceArnLike } } : {}),
    },
  });
}

/** Denies `action` on `resource` to every request that does not use TLS (S3, SQS, SNS resource policies). */
export function denyInsecureTransport(action: string, resource: string | readonly string[]): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Builds the ARNs of one account and region (a stack's {@link StackContext}, or the state key's place in bootstrap). */
export type ArnBuilder = Pick<StackContext, "arn">;

/**
 * Identity-policy condition that matches the customer key by its alias (the key ARN is unknown until apply);
 * `at` places the key (account, region, partition).
 */
export function keyByAlias(at: ArnBuilder, alias: string): Pick<Statement, "Resource" | "Condition"> {
  return {
    Resource: at.arn("kms", "key/*"),
    Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [alias] } },
  };
}

/**
 * Anything that holds identity statements: a role of this stack, or a managed policy attached to principals outside
 * it. Grants (`bucket.grantRead(role)`, `key.grant(role, ...)`) add statements here; ARNs are built from names so
 * policies are known at plan.
 */
export interface Grantee {
  /** Principals the key policy must name (through `aws:PrincipalArn`) for key statements granted here to work. */
  readonly keyPolicyPrincipals: readonly string[];
  /** Adds an identity statement; a statement whose Sid exists already is merged (actions united). */
  addToPrincipalPolicy(statement: Statement): void;
}

/** Statements collected from several grants, merged by Sid: same Sid → one statement with the union of actions. */
export class StatementList {
  private readonly bySid = new Map<string, Statement>();

  add(s: Statement): void {
    const existing = this.bySid.get(s.Sid);
    if (!existing) {
      this.bySid.set(s.Sid, s);
      return;
    }
    if (existing.Action === undefined || s.Action === undefined) throw new Error(`policy: NotAction statement "${s.Sid}" cannot be merged`);
    const { Action: a, ...restA } = existing;
    const { Action: b, ...restB } = s;
    if (JSON.stringify(restA) !== JSON.stringify(restB)) throw new Error(`policy: two different statements with Sid "${s.Sid}"`);
    const actions = [...new Set([...(typeof a === "string" ? [a] : a), ...(typeof b === "string" ? [b] : b)])];
    this.bySid.set(s.Sid, { ...existing, Action: sortActions(actions) });
  }

  get statements(): Statement[] {
    return [...this.bySid.values()];
  }
}

/** KMS actions in the order the key policy lists them; other actions keep their order after these. */
const ACTION_ORDER = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey", "kms:GenerateDataKey*", "kms:DescribeKey"];
function sortActions(actions: string[]): string[] {
  const rank = (a: string) => (ACTION_ORDER.includes(a) ? ACTION_ORDER.indexOf(a) : ACTION_ORDER.length);
  return actions
    .map((a, i) => [a, i] as const)
    .sort((x, y) => rank(x[0]) - rank(y[0]) || x[1] - y[1])
    .map(([a]) => a);
}
