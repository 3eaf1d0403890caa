/**
 * Guide §2 and §4.3: the customer-managed KMS key that encrypts everything (buckets, logs, topic, queues,
 * Athena results, transcripts), with rotation on and a key policy that lets the account administer the key
 * and lets exactly the principals that need it use it.
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { ValidationError } from "../config/errors";
import { type Grantee, keyByAlias, policy, render, type Statement } from "../iam/policy";
import { StackContext } from "./stack-context";

export interface CustomerKeyProps {
  /** Alias, e.g. `alias/cci-lite-prod-master-key`. Must start with `alias/`. */
  readonly alias: string;
  /** @default "CCI Lite customer-managed key" */
  readonly description?: string;
  /** Waiting period before deletion, 7-30 days. @default 30 */
  readonly deletionWindowDays?: number;
  /**
   * Log group name prefix whose groups CloudWatch Logs may encrypt with the key
   * (matched in the `aws:logs:arn` encryption context). @default no log groups
   */
  readonly logGroupNamePrefix?: string;
}

const ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];
/** KMS's maximum key policy size. */
export const KEY_POLICY_MAX_BYTES = 32_768;
const USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/**
 * The customer-managed key and its alias. Grants are added with {@link grant} ({@link grantDecrypt},
 * {@link grantEncrypt}), {@link grantUse} and {@link grantExternalRole} for principals, and with
 * {@link grantServiceForResources} and {@link grantServiceStatement} for AWS services.
 */
export class CustomerKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The alias name (`alias/...`), usable wherever AWS accepts an alias. */
  readonly aliasName: string;
  readonly aliasArn: string;
  private readonly root: string;
  /** The stack's account, region and partition: the key's own (it administers and uses the key). */
  private readonly context: StackContext;
  private readonly users = new Set<string>();
  private readonly services = new Map<string, Statement>();

  constructor(scope: Construct, id: string, props: CustomerKeyProps) {
    super(scope, id);
    if (!props.alias.startsWith("alias/") || props.alias.startsWith("alias/aws/")) {
      throw new ValidationError(this.node.path, "alias", `"${props.alias}" must start with "alias/" and not "alias/aws/"`);
    }
    const window = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new ValidationError(this.node.path, "deletionWindowDays", `must be a whole number 7-30, got ${window}`);
    }
    const ctx = StackContext.of(this);
    this.context = ctx;
    this.root = ctx.iamArn("root");
    this.aliasName = props.alias;
    this.aliasArn = ctx.arn("kms", props.alias);

    if (props.logGroupNamePrefix) {
      this.services.set("logs", {
        Sid: "AllowCloudWatchLogsForThisDeployment",
        Effect: "Allow",
        Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", `log-group:${props.logGroupNamePrefix}*`) },
        },
      });
    }

    this.key = new KmsKey(this, "key", {
      description: props.description ?? "CCI Lite customer-managed key",
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: window,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      policy: Lazy.stringValue({
        produce: () => this.checkedPolicy(),
      }),
    });
    this.alias = new KmsAlias(this, "alias", { name: props.alias, targetKeyId: this.key.keyId });
  }

  /** The rendered key policy; KMS rejects documents over 32 KB, so a too-long one fails synth here. */
  private checkedPolicy(): string {
    const rendered = this.renderPolicy();
    if (Buffer.byteLength(rendered) > KEY_POLICY_MAX_BYTES) {
      throw new ValidationError(
        this.node.path,
        "policy",
        `${Buffer.byteLength(rendered)} bytes, over KMS's ${KEY_POLICY_MAX_BYTES}-byte limit (${this.users.size} principals): reduce tenants or split environments`,
      );
    }
    return rendered;
  }

  private renderPolicy(): string {
    const admin: Statement = { Sid: "AllowAccountAdministration", Effect: "Allow", Principal: { AWS: this.root }, Action: ADMIN_ACTIONS, Resource: "*" };
    const use: Statement[] = this.users.size
      ? [
          {
            Sid: "AllowUseByPipelinePrincipals",
            Effect: "Allow",
            Principal: { AWS: this.root },
            Action: USE_ACTIONS,
            Resource: "*",
            Condition: { ArnEquals: { "aws:PrincipalArn": [...this.users].sort() } },
          },
        ]
      : [];
    return render(policy(admin, ...use, ...this.services.values()));
  }

  /**
   * Lets a role of this stack use the key for `actions` (plus `kms:DescribeKey`): the key policy names the role
   * (through `aws:PrincipalArn`) and the role's own policy gets the matching statement, matched by alias since the
   * key ARN is unknown until apply. One call, both halves.
   */
  grant(grantee: Grantee, actions: readonly string[]): void {
    for (const p of grantee.keyPolicyPrincipals) this.users.add(p);
    grantee.addToPrincipalPolicy({
      Sid: "UseCustomerKey",
      Effect: "Allow",
      Action: [...new Set([...actions, "kms:DescribeKey"])],
      ...keyByAlias(this.context, this.aliasName),
    });
  }

  /** {@link grant} for reading data encrypted with the key. */
  grantDecrypt(grantee: Grantee): void {
    this.grant(grantee, ["kms:Decrypt"]);
  }

  /** {@link grant} for writing data encrypted with the key (S3 SSE-KMS puts, SQS sends). */
  grantEncrypt(grantee: Grantee): void {
    this.grant(grantee, ["kms:GenerateDataKey*"]);
  }

  /**
   * Lets a role that an AWS service created outside this stack (QuickSight's service role) use the key: such a role
   * has no identity statement of ours, so the root-delegated `aws:PrincipalArn` route of {@link grantUse} (which needs
   * both halves) would leave it without access, and the statement must grant it directly. It names the role by ARN in
   * conditions under `Principal: {"AWS": "*"}` (this account, exactly this ARN) rather than as the Principal itself:
   * KMS stores a named principal as the role's unique id, so a recreated role would silently lose the grant, and a
   * missing role would fail the key policy (issue 20). A condition is a string compared at request time.
   */
  grantExternalRole(sid: string, roleArn: string, actions: readonly string[]): void {
    this.services.set(`external|${sid}`, {
      Sid: sid,
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: [...actions],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": roleArn }, StringEquals: { "aws:PrincipalAccount": StackContext.of(this).accountId } },
    });
  }

  /**
   * Lets an IAM principal (by ARN) use the key for encryption and decryption. The principal also needs an
   * identity policy; the key policy names it through `aws:PrincipalArn`, so the principal need not exist yet.
   */
  grantUse(principalArn: string): void {
    this.users.add(principalArn);
  }

  /**
   * Lets an AWS service that delivers into encrypted queues or topics of this stack use the key, scoped by the
   * encryption context SQS and SNS always send (`aws:sqs:arn`, `aws:sns:topicArn`): the service can use the key
   * only for these queues and topics. (Whether an upstream service such as S3 or CloudWatch passes
   * `aws:SourceAccount` through to KMS is not documented; the encryption context is.)
   */
  grantServiceForResources(service: string, resources: { readonly sqsQueueArns?: readonly string[]; readonly snsTopicArns?: readonly string[] }): void {
    const name = service
      .split(".")[0]
      .replace(/[^A-Za-z0-9]/g, "")
      .replace(/^./, (c) => c.toUpperCase());
    const kinds: Array<[string, string, readonly string[] | undefined]> = [
      ["Queues", "kms:EncryptionContext:aws:sqs:arn", resources.sqsQueueArns],
      ["Topics", "kms:EncryptionContext:aws:sns:topicArn", resources.snsTopicArns],
    ];
    for (const [kind, contextKey, arns] of kinds) {
      if (!arns || arns.length === 0) continue;
      const id = `${service}|${contextKey}`;
      const previous = (this.services.get(id)?.Condition?.StringEquals?.[contextKey] as readonly string[] | undefined) ?? [];
      this.services.set(id, {
        Sid: `AllowService${name}For${kind}`,
        Effect: "Allow",
        Principal: { Service: service },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { [contextKey]: [...new Set([...previous, ...arns])].sort() } },
      });
    }
  }

  /**
   * Adds one key-policy statement for an AWS service exactly as its documentation gives it (its own Sid, actions and
   * conditions, nothing merged in): for services whose requests differ per action, such as CloudTrail, whose
   * `kms:DescribeKey` carries no encryption context while its `kms:GenerateDataKey*` does.
   */
  grantServiceStatement(
    sid: string,
    service: string,
    actions: readonly string[],
    conditions: Record<string, Record<string, string | readonly string[]>>,
  ): void {
    this.services.set(`statement|${sid}`, {
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: actions.length === 1 ? actions[0] : [...actions],
      Resource: "*",
      Condition: conditions,
    });
  }
}
