/**
 * Guide §6 (replaced): uploads reach an encrypted SQS intake queue (nothing is lost when Transcribe's quota is
 * hit or processing is paused) that feeds the `start` function in batches with partial failures; after
 * `maxReceiveCount` receives a message goes to the intake dead-letter queue.
 */
import { Construct } from "constructs";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import type { AlarmTopic } from "../constructs/alarm-topic";
import type { CustomerKey } from "../constructs/customer-key";
import { EncryptedQueue } from "../constructs/encrypted-queue";
import type { PipelineFunction } from "../constructs/pipeline-function";
import type { SecureBucket } from "../constructs/secure-bucket";
import { ValidationError } from "../config/errors";
import { intakeDeadLetterQueueName, intakeQueueName } from "../config/naming";
import type { RunbookKey } from "../constructs/runbooks";
import { StackContext } from "../constructs/stack-context";

/** Messages per `start` invocation (the event source mapping's batch size). */
export const INTAKE_BATCH_SIZE = 10;
/** Seconds the event source waits to fill a batch. */
export const INTAKE_BATCHING_WINDOW_SECONDS = 5;
/** The intake queue's visibility timeout: six times the consumer's timeout, as Lambda recommends for SQS sources. */
export const intakeVisibilityTimeoutSeconds = (consumerTimeoutSeconds: number): number => 6 * consumerTimeoutSeconds;
/** The audio-expiry alarm fires when the oldest waiting upload is this close to its audio's expiry. */
export const AUDIO_EXPIRY_WARNING_SECONDS = 12 * 3600;

/** Queues are `<stem>-intake` and `<stem>-intake-dlq` (the stem from the {@link StackContext}). */
export interface IntakeProps {
  readonly key: CustomerKey;
  /** Every object created here is an event: `start` decides (and records) what is rejected. */
  readonly input: SecureBucket;
  /** The queue's consumer. */
  readonly consumer: PipelineFunction;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Most concurrent consumer invocations (the event source mapping's maximum concurrency, 2-1000). */
  readonly maxConcurrency: number;
  /** Stop consuming; messages wait in the queue. */
  readonly paused: boolean;
  /** Days the uploaded audio lives (`retention.inputDays`): the audio-expiry alarm warns before a waiting upload loses it. */
  readonly inputDays: number;
  readonly alarms: AlarmTopic;
}

export class Intake extends Construct {
  readonly queue: EncryptedQueue;
  readonly deadLetterQueue: EncryptedQueue;
  readonly mapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 2 || props.maxConcurrency > 1000) {
      throw new ValidationError(this.node.path, "maxConcurrency", `must be 2-1000 (SQS event source maximum concurrency), got ${props.maxConcurrency}`);
    }
    const { accountId, stem } = StackContext.of(this);
    const key = props.key;
    this.deadLetterQueue = new EncryptedQueue(this, "dlq", { key, queueName: intakeDeadLetterQueueName(stem) });
    this.queue = new EncryptedQueue(this, "queue", {
      key,
      queueName: intakeQueueName(stem),
      visibilityTimeoutSeconds: intakeVisibilityTimeoutSeconds(props.consumer.timeoutSeconds),
      deadLetter: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.queue.allowServiceSend("AllowInputBucketEvents", "s3.amazonaws.com", [props.input.bucketArn], { sourceAccount: accountId });
    new S3BucketNotification(this, "notification", {
      bucket: props.input.bucket.id,
      queue: [{ id: "all-uploads", queueArn: this.queue.queue.arn, events: ["s3:ObjectCreated:*"] }],
      // S3 sends a test message when the notification is saved: the queue policy (and key policy) must allow it.
      dependsOn: [this.queue.policy],
    });

    this.queue.grantConsume(props.consumer, "ConsumeIntakeQueue");
    this.mapping = new LambdaEventSourceMapping(this, "mapping", {
      functionName: props.consumer.fn.arn,
      eventSourceArn: this.queue.queue.arn,
      batchSize: INTAKE_BATCH_SIZE,
      maximumBatchingWindowInSeconds: INTAKE_BATCHING_WINDOW_SECONDS,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: props.maxConcurrency },
      enabled: !props.paused,
      // Lambda checks the role's queue permissions when the mapping is created.
      dependsOn: [props.consumer.role.policy],
    });

    const queueAlarm = (name: string, queue: string, description: string, runbook: RunbookKey, metricName: string, threshold: number, actionsEnabled = true) =>
      props.alarms.addAlarm({
        name,
        description,
        runbook,
        namespace: "AWS/SQS",
        metricName,
        dimensions: { QueueName: queue },
        statistic: "Maximum",
        threshold,
        actionsEnabled,
      });
    queueAlarm(
      "intake-dlq-not-empty",
      this.deadLetterQueue.queueName,
      "Uploads that failed start repeatedly (redrive after fixing: cci redrive).",
      "intakeDlqNotEmpty",
      "ApproximateNumberOfMessagesVisible",
      0,
    );
    // While paused the backlog ages on purpose: the alarm stays but does not notify.
    queueAlarm(
      "intake-oldest-message-age",
      this.queue.queueName,
      "Oldest upload waiting over 15 minutes (silenced while processing.paused).",
      "queueAge",
      "ApproximateAgeOfOldestMessage",
      900,
      !props.paused,
    );
    // Never silenced: a waiting upload (paused or not) is about to outlive its audio (docs/pipeline.md).
    queueAlarm(
      "intake-audio-expiring",
      this.queue.queueName,
      `Oldest waiting upload is within ${AUDIO_EXPIRY_WARNING_SECONDS / 3600} h of its audio's expiry (retention.inputDays ${props.inputDays}).`,
      "audioExpiring",
      "ApproximateAgeOfOldestMessage",
      props.inputDays * 86_400 - AUDIO_EXPIRY_WARNING_SECONDS,
    );
  }
}
