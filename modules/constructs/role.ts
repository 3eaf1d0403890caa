/**
 * An IAM role of this stack whose one inline policy is filled by grants (`bucket.grantRead(role, …)`,
 * `key.grant(role, …)`, `queue.grantConsume(role)`) and by {@link Role.addToPrincipalPolicy}. The ARN is built
 * from the name, so every policy that names the role is known at plan time.
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ValidationError } from "../config/errors";
import { type Grantee, type PolicyDocument, policy, render, type Statement, StatementList } from "../iam/policy";
import { StackContext } from "./stack-context";

export interface RoleProps {
  /** Role name (1-64 characters). */
  readonly roleName: string;
  readonly description: string;
  /** Who may assume the role. */
  readonly assumeRolePolicy: PolicyDocument;
  /** Name of the inline policy that holds every granted statement. */
  readonly policyName: string;
  /** Seconds. @default 3600 */
  readonly maxSessionDuration?: number;
}

export class Role extends Construct implements Grantee {
  readonly role: IamRole;
  readonly roleName: string;
  readonly principalArn: string;
  readonly keyPolicyPrincipals: readonly string[];
  /** The inline policy (depend on it when something must not run before the role may act). */
  readonly policy: IamRolePolicy;
  private readonly statements = new StatementList();

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    if (!/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
      throw new ValidationError(this.node.path, "roleName", `"${props.roleName}" must be 1-64 characters of letters, digits and +=,.@_-`);
    }
    this.roleName = props.roleName;
    this.principalArn = StackContext.of(this).iamArn(`role/${props.roleName}`);
    this.keyPolicyPrincipals = [this.principalArn];
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: render(props.assumeRolePolicy),
      maxSessionDuration: props.maxSessionDuration ?? 3600,
    });
    this.policy = new IamRolePolicy(this, "policy", {
      role: this.role.name,
      name: props.policyName,
      policy: Lazy.stringValue({ produce: () => this.renderPolicy() }),
    });
  }

  addToPrincipalPolicy(statement: Statement): void {
    this.statements.add(statement);
  }

  private renderPolicy(): string {
    const statements = this.statements.statements;
    if (statements.length === 0) throw new ValidationError(this.node.path, "policy", "no statement was granted (an empty policy is rejected by IAM)");
    return render(policy(...statements));
  }
}
