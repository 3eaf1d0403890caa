/**
 * A customer-managed IAM policy for people and systems outside the stack (uploaders, operators, analysts), filled by
 * grants like a {@link Role}, and attached to the configured principals (roles or users of this account). Key grants
 * name those principals in the key policy, so the one grant call still gives both halves.
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamUserPolicyAttachment } from "@cdktf/provider-aws/lib/iam-user-policy-attachment";
import { ValidationError } from "../config/errors";
import { type Grantee, policy, render, type Statement, StatementList } from "../iam/policy";
import { StackContext } from "./stack-context";

/** An IAM role or user ARN of one account (partition, account, kind, name); the name is the last path segment. */
const PRINCIPAL = /^arn:([a-z-]+):iam::(\d{12}):(role|user)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export interface ManagedPolicyProps {
  /** Policy name (1-128 characters). */
  readonly policyName: string;
  readonly description: string;
  /** Role or user ARNs of this account the policy is attached to. Must not be empty. */
  readonly principals: readonly string[];
}

export class ManagedPolicy extends Construct implements Grantee {
  readonly policy: IamPolicy;
  readonly keyPolicyPrincipals: readonly string[];
  private readonly statements = new StatementList();

  constructor(scope: Construct, id: string, props: ManagedPolicyProps) {
    super(scope, id);
    if (props.principals.length === 0) throw new ValidationError(this.node.path, "principals", "must name at least one role or user");
    this.keyPolicyPrincipals = [...props.principals];
    const ctx = StackContext.of(this);
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: props.description,
      policy: Lazy.stringValue({ produce: () => render(policy(...this.statements.statements)) }),
    });
    props.principals.forEach((arn, i) => {
      const m = PRINCIPAL.exec(arn);
      if (!m || m[1] !== ctx.partition || m[2] !== ctx.accountId) {
        throw new ValidationError(this.node.path, `principals[${i}]`, `"${arn}" is not a role or user ARN of account ${ctx.accountId}`);
      }
      const [, , , kind, name] = m;
      if (kind === "role") new IamRolePolicyAttachment(this, `attach-${i}`, { role: name, policyArn: this.policy.arn });
      else new IamUserPolicyAttachment(this, `attach-${i}`, { user: name, policyArn: this.policy.arn });
    });
  }

  addToPrincipalPolicy(statement: Statement): void {
    this.statements.add(statement);
  }
}
