/**
 * The values every construct of a stack shares: account, partition, region and the naming stem (`<prefix>-<env>`).
 * Set once per stack (main.ts) with {@link StackContext.set}; constructs read them with {@link StackContext.of}
 * instead of taking `accountId`/`region`/`stem` props. A new stack-wide value is one field here and one line in
 * main.ts (docs/architecture.md, "A stack-wide value").
 *
 * Plain `constructs` API only (no cdktf): kept in a WeakMap keyed by the stack, so it adds nothing to the
 * synthesized Terraform.
 */
import type { IConstruct } from "constructs";
import { partitionOf } from "../config/aws-facts";
import { ValidationError } from "../config/errors";

export interface StackContextProps {
  /** The 12-digit AWS account the stack deploys into. */
  readonly accountId: string;
  /** The region the stack deploys into (its provider's region). */
  readonly region: string;
  /** The AWS partition of every ARN the stack builds. @default derived from `region` (`aws` for the commercial regions) */
  readonly partition?: string;
  /**
   * `<prefix>-<env>`: the stem of the stack's resource names (modules/config/naming.ts derives it).
   * @default none: a per-account stack (bootstrap) has no environment, and reading `stem` there throws
   */
  readonly stem?: string;
}

const CONTEXTS = new WeakMap<IConstruct, StackContext>();

export class StackContext {
  /** Sets the context of `stack` (once); every construct below it reads it with {@link StackContext.of}. */
  static set(stack: IConstruct, props: StackContextProps): StackContext {
    if (CONTEXTS.has(stack))
      throw new ValidationError(stack.node.path, "StackContext", "is already set for this stack (set it once, in the stack's constructor)");
    const context = new StackContext(stack.node.path, props);
    CONTEXTS.set(stack, context);
    return context;
  }

  /** The context of the nearest enclosing scope that set one; throws naming the construct when there is none. */
  static of(scope: IConstruct): StackContext {
    for (const s of [...scope.node.scopes].reverse()) {
      const context = CONTEXTS.get(s);
      if (context) return context;
    }
    throw new ValidationError(
      scope.node.path,
      "StackContext",
      "is not set: account, partition and region come from StackContext.set(stack, { accountId, region, stem }) in the stack's constructor (main.ts)",
    );
  }

  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  private readonly stemValue?: string;

  private constructor(
    private readonly path: string,
    props: StackContextProps,
  ) {
    if (!/^\d{12}$/.test(props.accountId)) throw new ValidationError(path, "accountId", `"${props.accountId}" is not a 12-digit AWS account id`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(props.region)) throw new ValidationError(path, "region", `"${props.region}" is not an AWS region name`);
    if (props.partition !== undefined && !/^aws(-[a-z]+)*$/.test(props.partition))
      throw new ValidationError(path, "partition", `"${props.partition}" is not an AWS partition (aws, aws-cn, aws-us-gov, ...)`);
    // The configuration allows `<prefix>-<env>` with inner '-' runs (namePrefix `a--b`): so does the stem.
    if (props.stem !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(props.stem))
      throw new ValidationError(path, "stem", `"${props.stem}" must be lower-case letters, digits and inner '-'`);
    this.accountId = props.accountId;
    this.region = props.region;
    this.partition = props.partition ?? partitionOf(props.region);
    this.stemValue = props.stem;
  }

  /** `<prefix>-<env>`, the stem of the stack's resource names. Throws in a stack without an environment. */
  get stem(): string {
    if (this.stemValue === undefined) throw new ValidationError(this.path, "stem", "is not set: this stack has no environment (StackContext.set without stem)");
    return this.stemValue;
  }

  /**
   * `arn:<partition>:<service>:<region>:<account>:<resource>`. `at.region` / `at.account` replace the stack's
   * (`""` for services whose ARNs have none, e.g. IAM's region or S3's both).
   */
  arn(service: string, resource: string, at: { readonly region?: string; readonly account?: string } = {}): string {
    return `arn:${this.partition}:${service}:${at.region ?? this.region}:${at.account ?? this.accountId}:${resource}`;
  }

  /** An IAM ARN of the stack's account: `arn:<partition>:iam::<account>:<resource>` (`role/x`, `root`, `policy/x`). */
  iamArn(resource: string): string {
    return this.arn("iam", resource, { region: "" });
  }

  /** The ARN of an S3 bucket (no region, no account). */
  bucketArn(bucketName: string): string {
    return this.arn("s3", bucketName, { region: "", account: "" });
  }
}
