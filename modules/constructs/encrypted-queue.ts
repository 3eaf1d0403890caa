/**
 * An SQS queue encrypted with the customer key, with a queue policy that denies plain HTTP and takes the
 * statements of the services that deliver into it. Granting a service or a role covers the key as well.
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { ValidationError } from "../config/errors";
import { denyInsecureTransport, type Grantee, policy, render, type Statement } from "../iam/policy";
import type { CustomerKey } from "./customer-key";
import { StackContext } from "./stack-context";

/** The SQS maximum: messages wait this long (e.g. while processing is paused). */
export const MAX_RETENTION_SECONDS = 14 * 24 * 3600;

export interface EncryptedQueueProps {
  readonly queueName: string;
  readonly key: CustomerKey;
  /** @default 14 days (the SQS maximum) */
  readonly retentionSeconds?: number;
  /** @default SQS's 30 seconds */
  readonly visibilityTimeoutSeconds?: number;
  /** Where messages go after `maxReceiveCount` receives. @default none */
  readonly deadLetter?: { readonly queue: EncryptedQueue; readonly maxReceiveCount: number };
}

export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly queueName: string;
  /** Built from the name: known at plan time. */
  readonly queueArn: string;
  readonly policy: SqsQueuePolicy;
  private readonly key: CustomerKey;
  private readonly statements: Statement[] = [];

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    const retention = props.retentionSeconds ?? MAX_RETENTION_SECONDS;
    if (!Number.isInteger(retention) || retention < 60 || retention > MAX_RETENTION_SECONDS) {
      throw new ValidationError(this.node.path, "retentionSeconds", `must be 60-${MAX_RETENTION_SECONDS}, got ${retention}`);
    }
    const visibility = props.visibilityTimeoutSeconds;
    if (visibility !== undefined && (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200)) {
      throw new ValidationError(this.node.path, "visibilityTimeoutSeconds", `must be 0-43200 (12 hours), got ${visibility}`);
    }
    const dlq = props.deadLetter;
    if (dlq && (!Number.isInteger(dlq.maxReceiveCount) || dlq.maxReceiveCount < 1 || dlq.maxReceiveCount > 1000)) {
      throw new ValidationError(this.node.path, "deadLetter.maxReceiveCount", `must be 1-1000, got ${dlq.maxReceiveCount}`);
    }
    this.key = props.key;
    this.queueName = props.queueName;
    this.queueArn = StackContext.of(this).arn("sqs", props.queueName);
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      kmsMasterKeyId: props.key.key.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: retention,
      visibilityTimeoutSeconds: visibility,
      redrivePolicy: dlq ? JSON.stringify({ deadLetterTargetArn: dlq.queue.queueArn, maxReceiveCount: dlq.maxReceiveCount }) : undefined,
      dependsOn: dlq ? [dlq.queue.queue] : undefined,
    });
    this.policy = new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: Lazy.stringValue({ produce: () => render(policy(...this.statements, denyInsecureTransport("sqs:*", this.queueArn))) }),
    });
  }

  /**
   * Lets an AWS service send messages on behalf of the given source resources (`aws:SourceArn`), and use the key
   * for this queue only (the `aws:sqs:arn` encryption context).
   */
  allowServiceSend(sid: string, service: string, sourceArns: readonly string[], options: { readonly sourceAccount?: string } = {}): void {
    this.statements.push({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sqs:SendMessage",
      Resource: this.queueArn,
      Condition: {
        ArnEquals: { "aws:SourceArn": sourceArns.length === 1 ? sourceArns[0] : [...sourceArns] },
        ...(options.sourceAccount ? { StringEquals: { "aws:SourceAccount": options.sourceAccount } } : {}),
      },
    });
    this.key.grantServiceForResources(service, { sqsQueueArns: [this.queueArn] });
  }

  /** Receive, delete and change visibility of messages (a Lambda event source), and decrypt them. */
  grantConsume(grantee: Grantee, sid: string): void {
    grantee.addToPrincipalPolicy({
      Sid: sid,
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      Resource: this.queueArn,
    });
    this.key.grantDecrypt(grantee);
  }

  /** Send messages (encrypting them). */
  grantSend(grantee: Grantee, sid: string): void {
    grantee.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: "sqs:SendMessage", Resource: this.queueArn });
    this.key.grant(grantee, ["kms:GenerateDataKey*", "kms:Decrypt"]);
  }
}
